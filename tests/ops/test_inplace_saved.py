"""Saved tensors modified in place: backward raises as PyTorch does (naming the op and
the versions), and in-place changes of tensors no backward reads are fine."""
import pytest
import torch

import autograd_lite as ag
from tests.ops.test_inplace import r, run_both


# ---- saved tensors modified in place ------------------------------------------------------------
def _nograd_add(lib, t):
    with lib.no_grad():
        t.add_(1)


def _exp_output_changed(lib, x):
    y = x.exp()  # exp saves its output
    y.add_(1)
    return y


def _mul_input_changed(lib, x):
    a = x * 1
    out = a * a  # saves a
    a.mul_(2)
    return out


def _self_mul(lib, x):
    a = x * 2
    return a.mul_(a)


def _sigmoid_output_changed(lib, x):
    y = x.sigmoid()
    y.mul_(2)
    return y


def _tanh_output_changed_float32(lib, x):
    y = x.float().tanh()  # float32: the rule's inlined float32 path checks the version too
    y.mul_(2)
    return y


def _changed_under_no_grad(lib, x):
    a = x * 1
    out = a.sin()
    _nograd_add(lib, a)
    return out


def _changed_through_detach(lib, x):
    a = x * 1
    out = a ** 2
    a.detach().zero_()
    return out


def _changed_by_setitem(lib, x):
    a = x * 1
    out = a * a
    a[0] = 1.0
    return out


def _leaf_changed_under_no_grad(lib, x):
    out = x * x
    _nograd_add(lib, x)
    return out


SAVED_CASES = {f.__name__[1:]: f for f in (
    _exp_output_changed, _mul_input_changed, _self_mul, _sigmoid_output_changed,
    _tanh_output_changed_float32, _changed_under_no_grad,
    _changed_through_detach, _changed_by_setitem, _leaf_changed_under_no_grad)}


@pytest.mark.parametrize("name", list(SAVED_CASES))
def test_modified_saved_tensor_raises_at_backward(name):
    fn = SAVED_CASES[name]
    with pytest.raises(RuntimeError, match="inplace"):
        fn(torch, torch.tensor(r(3), requires_grad=True)).sum().backward()
    out = fn(ag, ag.tensor(r(3), requires_grad=True))
    with pytest.raises(RuntimeError, match="(?i)in-place") as e:
        out.sum().backward()
    assert "version" in str(e.value)


def test_inplace_on_unsaved_tensors_is_fine():
    # add's backward saves nothing: changing its inputs afterwards is allowed (as torch)
    def f(lib, x):
        a = x * 1
        out = a + 1
        a.mul_(3)
        return out * 2 + a

    run_both(f, r(3))
