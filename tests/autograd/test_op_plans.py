"""Op flags (save_inputs, save_output, is_view, multi_output) are read once per class
into a recording plan; an op that decides per call marks it in forward (mark_view,
mark_saved), which moves its class to the general path."""
import importlib
import pkgutil

import numpy as np

import autograd_lite as ag
import autograd_lite.ops
from autograd_lite.autograd.node import Op, _recording_plan

def _all_op_classes():
    for package in (autograd_lite.ops,):
        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{info.name}")
    seen, stack = [], [Op]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            seen.append(sub)
            stack.append(sub)
    return seen


def test_plans_follow_the_class_flags():
    for cls in _all_op_classes():
        assert cls._plan in (None, _recording_plan(cls)), cls.__qualname__
        if cls.multi_output or cls.is_view:
            assert cls._plan is None, cls.__qualname__


def test_an_op_with_per_call_flags_records_them():
    """Einsum saves all its inputs (set in forward); basic indexing is a view."""
    a = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = ag.tensor(np.ones((3, 2)), requires_grad=True)
    ag.einsum("ij,jk->ik", a, b).sum().backward()
    np.testing.assert_array_equal(a.grad._data, np.full((2, 3), 2.0))
    view = a[0]
    assert view._vc is a._vc


def test_marking_in_forward_takes_effect_on_the_first_call():
    """A class with a fixed plan whose forward marks a view (or saved inputs) per call
    records that call as marked: apply1/apply2 read the plan after forward."""

    class MaybeView(Op):
        def forward(ctx, x):
            if x.ndim == 2:
                ctx.mark_view()
                return x[0]
            return x * 2

        def backward(ctx, g):
            raise AssertionError("not needed")

    class SavesSecond(Op):
        def forward(ctx, a, b):
            ctx.mark_saved(1)
            return a * b

        def backward(ctx, g):
            b_saved, = ctx.saved_tensors
            return g * b_saved, None

    assert MaybeView._plan is not None and SavesSecond._plan is not None
    x = ag.tensor(np.ones((2, 3)), requires_grad=True) * 1
    v = MaybeView.apply1(x)
    assert v._vc is x._vc and MaybeView._plan is None
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0, 5.0])
    out = SavesSecond.apply2(a, b)
    assert out.grad_fn._saved == (b,)
    out.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 5.0])
