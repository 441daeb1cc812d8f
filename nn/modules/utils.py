"""torch.nn.modules.utils: consume_prefix_in_state_dict_if_present (autograd_lite.nn.utils')
and the argument helpers `_single`, `_pair`, `_triple`, `_quadruple`, `_ntuple`,
`_reverse_repeat_tuple`, `_list_with_default` (autograd_lite.nn._ntuple's)."""
from .._ntuple import (_list_with_default, _ntuple, _pair, _quadruple, _reverse_repeat_tuple,  # noqa: F401
                       _single, _triple)
from ..utils.state_dict_prefix import consume_prefix_in_state_dict_if_present  # noqa: F401

__all__ = ["consume_prefix_in_state_dict_if_present"]
