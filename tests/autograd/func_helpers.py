"""Shared by the autograd_lite.func tests: one computation built in both libraries and
pytree results compared (same containers, dict keys, shapes, dtypes, values and
requires_grad flags)."""
import numpy as np
import torch

import autograd_lite as ag
from tests.helpers import TOL, assert_same


def conv(lib, value, dtype, requires_grad=False):
    """NumPy arrays nested in tuples/lists/dicts as lib tensors of `dtype`."""
    if isinstance(value, dict):
        return {k: conv(lib, v, dtype, requires_grad) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(conv(lib, v, dtype, requires_grad) for v in value)
    if isinstance(value, np.ndarray):
        return lib.tensor(value.astype(dtype), requires_grad=requires_grad)
    return value


def check_tree(a, t, dtype, what="result", grad_flag=True):
    """`a` (ours) and `t` (torch's) have the same pytree and equal leaves."""
    if isinstance(t, dict):
        assert isinstance(a, dict) and list(a) == list(t), f"{what}: {a!r:.80} vs torch's keys {list(t)}"
        for k in t:
            check_tree(a[k], t[k], dtype, f"{what}[{k!r}]", grad_flag)
        return
    if isinstance(t, (tuple, list)):
        assert type(a) is type(t) and len(a) == len(t), f"{what}: {type(a).__name__} vs torch's {type(t).__name__}"
        for i, (x, y) in enumerate(zip(a, t)):
            check_tree(x, y, dtype, f"{what}[{i}]", grad_flag)
        return
    if isinstance(t, torch.Tensor):
        assert isinstance(a, ag.Tensor), f"{what}: {type(a).__name__} where torch gives a Tensor"
        if grad_flag:
            assert a.requires_grad == t.requires_grad, f"{what}: requires_grad {a.requires_grad} != {t.requires_grad}"
        assert_same(a.detach(), t.detach(), TOL[np.dtype(dtype)], what)
        return
    assert a == t, f"{what}: {a!r} != {t!r}"
