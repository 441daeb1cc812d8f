"""torch.nn.modules.utils' argument helpers under autograd_lite's alias: `_single`,
`_pair`, `_triple`, `_quadruple` (and `_ntuple`, `_reverse_repeat_tuple`,
`_list_with_default`) give what PyTorch's give, so layers written for PyTorch that
import them work."""
import pytest
import torch.nn.modules.utils as torch_utils

import autograd_lite as ag
from autograd_lite.nn.modules import utils
from autograd_lite.nn.modules.utils import _pair, _quadruple, _single, _triple

VALUES = [3, 0, (1, 2), [4, 5, 6], (7,), "ab", range(3), 2.5, None, (), True]


@pytest.mark.parametrize("name", ["_single", "_pair", "_triple", "_quadruple"])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_ntuple_helpers_match_pytorch(name, value):
    ours, theirs = getattr(utils, name), getattr(torch_utils, name)
    assert ours(value) == theirs(value)
    assert ours.__name__ == theirs.__name__ == name


def test_importable_as_pytorch_code_does():
    assert (_single(2), _pair(2), _triple(2), _quadruple(2)) == ((2,), (2, 2), (2, 2, 2), (2, 2, 2, 2))
    assert ag.nn.modules.utils._pair is _pair
    assert utils._ntuple(5, "five")(1) == torch_utils._ntuple(5, "five")(1)
    sd = {"module.w": 1}
    utils.consume_prefix_in_state_dict_if_present(sd, "module.")  # the module's other name still works
    assert sd == {"w": 1}


@pytest.mark.parametrize("t,n", [((1, 2), 2), ((3, 4, 5), 1), ((), 3)])
def test_reverse_repeat_tuple(t, n):
    assert utils._reverse_repeat_tuple(t, n) == torch_utils._reverse_repeat_tuple(t, n)


def test_list_with_default():
    for out, defaults in [([None, 3], [1, 2, 5, 6]), ([4, None], [1, 2, 7]), (5, [1, 2])]:
        assert utils._list_with_default(out, defaults) == torch_utils._list_with_default(out, defaults)
    for lib in (utils, torch_utils):
        with pytest.raises(ValueError, match="Input dimension should be at least 3"):
            lib._list_with_default([None, 3], [1, 2])


def test_a_pytorch_style_layer_using_pair():
    class Blur(ag.nn.Module):
        def __init__(self, kernel_size):
            super().__init__()
            self.kernel_size = _pair(kernel_size)

        def forward(self, x):
            return ag.nn.functional.avg_pool2d(x, self.kernel_size, stride=1)

    assert tuple(Blur(3)(ag.ones(1, 1, 5, 5)).shape) == (1, 1, 3, 3)
    assert tuple(Blur((2, 3))(ag.ones(1, 1, 5, 5)).shape) == (1, 1, 4, 3)
