"""torch.nn.modules.utils: consume_prefix_in_state_dict_if_present (autograd_lite.nn.utils')."""
from ..utils.state_dict_prefix import consume_prefix_in_state_dict_if_present  # noqa: F401

__all__ = ["consume_prefix_in_state_dict_if_present"]
