"""nn.CrossMapLRN2d against PyTorch's: outputs and input gradients (PyTorch's legacy
window and backward, reproduced), for several sizes and channel counts."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from nn_helpers import check_module


@pytest.mark.parametrize("channels,size", [(6, 5), (7, 3), (4, 5), (8, 4), (5, 2), (3, 7)])
def test_matches_torch(channels, size):
    x = np.random.default_rng(channels * 10 + size).standard_normal((2, channels, 3, 4)) * 2
    check_module(lambda: nn.CrossMapLRN2d(size, alpha=0.3, beta=0.75, k=1.5),
                 lambda: torch.nn.CrossMapLRN2d(size, alpha=0.3, beta=0.75, k=1.5), x)


def test_defaults_repr_and_errors_as_torch():
    assert repr(nn.CrossMapLRN2d(5)) == repr(torch.nn.CrossMapLRN2d(5))
    for lib in (ag, torch):
        with pytest.raises(ValueError, match="Expected input to be 4D"):
            lib.nn.CrossMapLRN2d(5)(lib.ones(2, 3, 4))
    x = ag.ones(1, 3, 2, 2, requires_grad=True)
    y = nn.CrossMapLRN2d(1)(x)
    with pytest.raises(RuntimeError, match="size > 1"):
        y.sum().backward()
