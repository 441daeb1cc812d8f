"""Op flags (save_inputs, save_output, is_view, multi_output) are read once per class
into a recording plan; an op that decides per call marks it in forward (mark_view,
mark_saved), which moves its class to the general path."""
import importlib
import itertools
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


def _graph(t):
    """What backward will read from t's node: edge targets, saved tensors, versions."""
    fn = t.grad_fn
    if fn is None:
        return None
    edges = tuple(None if e is None else (type(e[0]).__name__, e[1]) for e in fn.next_functions)
    return type(fn), edges, tuple(id(s) for s in fn._saved), fn._saved_versions, fn._out is not None


def test_operators_record_what_apply2_records():
    """Tensor.__add__/__sub__/__mul__/__truediv__ inline apply2's recording (Op.operator):
    the same node, edges, saved inputs and versions, the same gradients, for every
    combination of requires_grad, with recording on and off; with a Parameter on the
    right too (Tensor._plain_operand)."""
    from autograd_lite.ops import arithmetic
    rng = np.random.default_rng(0)
    pairs = [("__add__", arithmetic.Add), ("__sub__", arithmetic.Sub), ("__mul__", arithmetic.Mul),
             ("__truediv__", arithmetic.Div)]
    for (name, cls), right in itertools.product(pairs, (ag.tensor, ag.nn.Parameter)):
        for ra in (False, True):
            for rb in (False, True):
                for enabled in (False, True):
                    a = ag.tensor(rng.standard_normal((3, 4)) + 3, requires_grad=ra)
                    b = right(ag.tensor(rng.standard_normal((3, 4)) + 3), requires_grad=rb)
                    with ag.set_grad_enabled(enabled):
                        got = getattr(a, name)(b)
                        want = cls.apply2(a, b)
                    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
                    assert got.requires_grad == want.requires_grad == (enabled and (ra or rb))
                    assert _graph(got) == _graph(want), (name, ra, rb, enabled)
                    if got.requires_grad:
                        got.sum().backward()
                        grads = [t.grad.numpy().copy() if t.grad is not None else None for t in (a, b)]
                        a.grad = b.grad = None
                        want.sum().backward()
                        for g, t in zip(grads, (a, b)):
                            assert (g is None) == (t.grad is None)
                            if g is not None:
                                np.testing.assert_array_equal(g, t.grad.numpy())


def test_operators_leave_other_operands_to_the_general_function():
    """Promotion (float32 with float64, integers), Python numbers, sparse tensors and
    non-tensors keep the results of the op's full function."""
    x32 = ag.tensor([1.0, 2.0], dtype=ag.float32, requires_grad=True)
    x64 = ag.tensor([3.0, 4.0], dtype=ag.float64)
    assert (x32 * x64).dtype == ag.float64 and (x32 * x64).grad_fn is not None
    i = ag.tensor([1, 2])
    assert (i + i).dtype == ag.int64 and (i * 2).dtype == ag.int64
    assert (x32 * 2).dtype == ag.float32 and (x32 * 2.5).detach().numpy().tolist() == [2.5, 5.0]
    p = ag.nn.Parameter(ag.tensor([2.0, 3.0], dtype=ag.float32))
    (x32 * p).sum().backward()
    np.testing.assert_array_equal(x32.grad.numpy(), [2.0, 3.0])
    np.testing.assert_array_equal(p.grad.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal((x32 + np.float32(1)).detach().numpy(), [2.0, 3.0])
    sparse = ag.sparse_coo_tensor([[1]], [5.0], (2,)).float()  # redefines _data: not plain
    assert not type(sparse)._plain_operand and ag.nn.Parameter._plain_operand
    np.testing.assert_array_equal((x32.detach() + sparse).numpy(), [1.0, 7.0])


def test_an_operator_follows_a_plan_its_forward_drops():
    """A forward that marks its call (here: saves only its second input) sends the class
    to the general path; the operator reads the plan after forward, as apply2 does."""
    from autograd_lite.ops import arithmetic

    class MulSavingSecond(arithmetic.Mul):
        fast_backward = None

        def forward(ctx, a, b):
            ctx.mark_saved(1)
            return a * b

        def backward(ctx, g):
            b_saved, = ctx.saved_tensors
            return g * b_saved, None

    op = MulSavingSecond.operator(arithmetic.mul, lambda v, dt: np.asarray(v, dt))
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0, 5.0])
    out = op(a, b)
    assert MulSavingSecond._plan is None and out.grad_fn._saved == (b,)
    out.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 5.0])
