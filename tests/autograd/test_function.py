"""User-defined ops with autograd.Function, checked against the same
torch.autograd.Function."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from tests.helpers import assert_same

LIBS = (ag, torch)


def _fns(lib):
    """The same custom Functions, built on `lib`'s autograd.Function."""
    F = lib.autograd.Function

    class Cube(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x  # differentiable ops: double backward works

    class Exp(F):  # saves its output
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    class MulAdd(F):  # two inputs, two outputs
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y, x + y

        @staticmethod
        def backward(ctx, g_prod, g_sum):
            x, y = ctx.saved_tensors
            return g_prod * y + g_sum, g_prod * x + g_sum

    class Scale(F):  # non-tensor arguments get None gradients
        @staticmethod
        def forward(ctx, x, k, name):
            ctx.k = k
            ctx.name_arg = name
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None, None

    class Record(F):  # reports needs_input_grad and what backward received
        log = []

        @staticmethod
        def forward(ctx, x, y, k):
            Record.log.append(("forward", tuple(ctx.needs_input_grad)))
            return x * y * k, x + y

        @staticmethod
        def backward(ctx, g1, g2):
            Record.log.append(("backward", tuple(ctx.needs_input_grad), g2 is None,
                               None if g2 is None else float(g2.abs().sum())))
            gx = g1 + g2 if ctx.needs_input_grad[0] else None
            gy = g1 + g2 if ctx.needs_input_grad[1] else None
            return gx, gy, None

    class AbsWithSign(F):  # a non-differentiable output
        @staticmethod
        def forward(ctx, x):
            sign = x.sign()
            ctx.mark_non_differentiable(sign)
            ctx.save_for_backward(sign)
            return x.abs(), sign

        @staticmethod
        def backward(ctx, g, g_sign):
            (sign,) = ctx.saved_tensors
            return g * sign

    class MaxWithIndex(F):  # an integer output is never differentiable
        @staticmethod
        def forward(ctx, x):
            i = x.argmax()
            ctx.save_for_backward(i)
            ctx.n = x.shape[0]
            return x[i], i

        @staticmethod
        def backward(ctx, g, g_index):
            (i,) = ctx.saved_tensors
            return (lib.arange(ctx.n) == i).to(g.dtype) * g

    class Identity(F):  # returns its input unchanged
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class Lazy(F):  # set_materialize_grads(False): None for unused outputs
        seen = []

        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            Lazy.seen.append((g1 is None, g2 is None))
            gx = None
            if g1 is not None:
                gx = g1 * 2
            if g2 is not None:
                gx = g2 * 3 if gx is None else gx + g2 * 3
            return gx

    return dict(Cube=Cube, Exp=Exp, MulAdd=MulAdd, Scale=Scale, Record=Record,
                AbsWithSign=AbsWithSign, MaxWithIndex=MaxWithIndex, Identity=Identity, Lazy=Lazy)


FNS = {lib: _fns(lib) for lib in LIBS}


def _run(fn, arrays, requires_grad=True):
    """fn(lib, fns, *tensors) on both libraries; returns the two (outputs, inputs)."""
    res = []
    for lib in LIBS:
        ts = [lib.tensor(a, requires_grad=requires_grad) for a in arrays]
        res.append((fn(lib, FNS[lib], *ts), ts))
    return res


def _same_grads(res):
    (_, ts_a), (_, ts_t) = res
    for a, t in zip(ts_a, ts_t):
        if t.grad is None:
            assert a.grad is None
        else:
            assert_same(a.grad, t.grad)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_save_inputs_and_backward(rng, dtype):
    a = rng.standard_normal((2, 3)).astype(dtype)
    res = _run(lambda lib, F, x: F["Cube"].apply(x), [a])
    for out, _ in res:
        (out * out).sum().backward()
    assert_same(res[0][0], res[1][0])
    _same_grads(res)


def test_output_requires_grad_and_names_its_node():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = FNS[ag]["Cube"].apply(x)
    yt = FNS[torch]["Cube"].apply(torch.tensor([1.0, 2.0], requires_grad=True))
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    assert y.grad_fn.name() == yt.grad_fn.name() == "CubeBackward"


def test_apply_without_grad_records_nothing():
    for lib in LIBS:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.no_grad():
            y = FNS[lib]["Cube"].apply(x)
        assert not y.requires_grad and y.is_leaf and y.grad_fn is None
        z = FNS[lib]["Cube"].apply(lib.tensor([1.0, 2.0]))
        assert not z.requires_grad and z.grad_fn is None


def test_forward_runs_without_recording():
    seen = []

    class Peek(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x * 2
            seen.append((ag.is_grad_enabled(), y.requires_grad))
            return y

        @staticmethod
        def backward(ctx, g):
            return g * 2

    Peek.apply(ag.tensor([1.0], requires_grad=True))
    assert seen == [(False, False)]


def test_saved_output(rng):
    a = rng.standard_normal(4)
    res = _run(lambda lib, F, x: F["Exp"].apply(x * 0.5), [a])
    for out, _ in res:
        out.sum().backward()
    assert_same(res[0][0], res[1][0])
    _same_grads(res)


def test_multiple_inputs_and_outputs(rng):
    a, b = rng.standard_normal(3), rng.standard_normal(3)

    def f(lib, F, x, y):
        p, s = F["MulAdd"].apply(x, y)
        return p, s

    res = _run(f, [a, b])
    w1, w2 = rng.standard_normal(3), rng.standard_normal(3)
    for lib, ((p, s), _) in zip(LIBS, res):
        ((p * lib.tensor(w1)).sum() + (s * s * lib.tensor(w2)).sum()).backward()
    for a_, t_ in zip(res[0][0], res[1][0]):
        assert_same(a_, t_)
    _same_grads(res)


def test_only_one_output_used_gets_zeros_for_the_other(rng):
    a, b = rng.standard_normal(3), rng.standard_normal(3)
    res = _run(lambda lib, F, x, y: F["MulAdd"].apply(x, y)[0].sum(), [a, b])
    for out, _ in res:
        out.backward()
    _same_grads(res)


def test_non_tensor_arguments_get_none_gradients(rng):
    a = rng.standard_normal(3)
    res = _run(lambda lib, F, x: F["Scale"].apply(x, 2.5, "label"), [a])
    for out, _ in res:
        out.sum().backward()
    assert_same(res[0][0], res[1][0])
    _same_grads(res)


def test_gradient_for_a_non_tensor_argument_is_an_error():
    for lib in LIBS:
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                return x * k

            @staticmethod
            def backward(ctx, g):
                return g, g

        y = Bad.apply(lib.tensor([1.0], requires_grad=True), 2.0)
        with pytest.raises(RuntimeError, match="position|index|not a"):
            y.sum().backward()


def test_needs_input_grad_and_materialized_grads():
    logs = {}
    for lib in LIBS:
        rec = FNS[lib]["Record"]
        rec.log.clear()
        x = lib.tensor([1.0, -2.0], requires_grad=True)
        y = lib.tensor([3.0, 4.0])
        prod, _ = rec.apply(x, y, 2.0)
        prod.sum().backward()
        logs[lib] = list(rec.log)
        assert logs[lib][0] == ("forward", (True, False, False))
        np.testing.assert_array_equal(np.asarray(x.grad.tolist()), [1.0, 1.0])
        assert y.grad is None
    assert logs[ag] == logs[torch]
    assert logs[ag][1] == ("backward", (True, False, False), False, 0.0)


def test_set_materialize_grads_false_passes_none():
    seen = {}
    for lib in LIBS:
        lazy = FNS[lib]["Lazy"]
        lazy.seen.clear()
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a, b = lazy.apply(x)
        a.sum().backward()
        seen[lib] = (list(lazy.seen), x.grad.tolist())
    assert seen[ag] == seen[torch] == ([(False, True)], [2.0, 2.0])


def test_mark_non_differentiable(rng):
    a = rng.standard_normal(4)
    res = _run(lambda lib, F, x: F["AbsWithSign"].apply(x), [a])
    for (out, sign), _ in res:
        assert not sign.requires_grad and sign.grad_fn is None and sign.is_leaf
        assert out.requires_grad
        (out * 2.0).sum().backward()
    for a_, t_ in zip(res[0][0], res[1][0]):
        assert_same(a_, t_)
    _same_grads(res)
    sign = res[0][0][1]
    with pytest.raises(RuntimeError, match="does not require grad"):
        sign.sum().backward()


def test_integer_output_is_not_differentiable(rng):
    a = rng.standard_normal(5)
    res = _run(lambda lib, F, x: F["MaxWithIndex"].apply(x), [a])
    for (val, idx), _ in res:
        assert not idx.requires_grad and idx.grad_fn is None
        assert val.requires_grad
        (val * 3.0).backward()
    for a_, t_ in zip(res[0][0], res[1][0]):
        assert_same(a_, t_)
    _same_grads(res)


def test_returning_an_input_unchanged():
    for lib in LIBS:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = FNS[lib]["Identity"].apply(x)
        assert y is not x and y.grad_fn is not None and not y.is_leaf
        (y * 3.0).sum().backward()
        np.testing.assert_array_equal(np.asarray(x.grad.tolist()), [6.0, 6.0])


def test_custom_function_in_a_diamond(rng):
    a = rng.standard_normal(3)

    def f(lib, F, x):
        c = F["Cube"].apply(x)
        e = F["Exp"].apply(x)
        return (c * e + F["Cube"].apply(c)).sum()

    res = _run(f, [a])
    for out, _ in res:
        out.backward()
    assert_same(res[0][0], res[1][0])
    _same_grads(res)


@pytest.mark.parametrize("name", ["Cube", "Exp"])
def test_double_backward_through_custom_function(rng, name):
    a, v = rng.standard_normal(3), rng.standard_normal(3)
    res = []
    for lib in LIBS:
        x = lib.tensor(a, requires_grad=True)
        y = FNS[lib][name].apply(x)
        (g,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        assert g.requires_grad
        (hv,) = lib.autograd.grad((g * lib.tensor(v)).sum(), x, create_graph=True)
        (third,) = lib.autograd.grad(hv.sum(), x)
        res.append((g, hv, third))
    for a_, t_ in zip(*res):
        assert_same(a_, t_)


def test_second_backward_raises_and_retain_graph_allows_it():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = FNS[ag]["Cube"].apply(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad._data, 2 * 3 * x._data ** 2)
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.grad_fn.next_functions[0][0].saved_tensors


@pytest.mark.parametrize("lib", [ag, torch])
def test_saved_tensors_after_backward_raise_also_when_nothing_was_saved(lib):
    """As PyTorch: backward frees every custom Function's context, so reading
    ctx.saved_tensors in a second backward raises even if forward saved nothing
    (we let that second backward run until the engine's release became one store)."""
    class Twice(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            assert ctx.saved_tensors == ()
            return g * 2

    x = lib.ones(2, requires_grad=True)
    y = Twice.apply(x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
    z = (x + 1).sum()  # no node saved anything: a second backward is fine in both
    z.backward()
    z.backward()
    np.testing.assert_allclose(np.asarray(x.grad.tolist()), [4.0, 4.0])


def test_saved_input_modified_in_place_is_detected():
    for lib in LIBS:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 1.0
        y = FNS[lib]["Cube"].apply(h)
        with lib.no_grad():
            h.mul_(2.0)
        with pytest.raises(RuntimeError, match="in-?place"):
            y.sum().backward()


def test_save_for_backward_rejects_non_tensors():
    for lib in LIBS:
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(3)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2

        with pytest.raises(TypeError, match="save_for_backward"):
            Bad.apply(lib.tensor([1.0], requires_grad=True))


def _returning(lib, grad_fn):
    class Ret(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return grad_fn(g)

    return Ret


def test_wrong_shaped_gradient_is_a_clear_error():
    for lib in LIBS:
        ret = _returning(lib, lambda g: g[:1])
        x = lib.tensor(np.ones((2, 3)), requires_grad=True)
        with pytest.raises(RuntimeError, match=r"RetBackward.*invalid gradient at index 0.*shape"):
            ret.apply(x).sum().backward()


def test_broadcastable_gradient_is_summed_to_the_input_shape():
    res = []
    for lib in LIBS:
        ret = _returning(lib, lambda g: g.expand(4, 3) * 1.0)
        x = lib.tensor(np.ones(3), requires_grad=True)
        ret.apply(x).sum().backward()
        res.append(x.grad)
    assert_same(*res)
    np.testing.assert_array_equal(res[0]._data, [4.0, 4.0, 4.0])


def test_gradient_of_another_dtype_is_cast_to_the_input_dtype():
    res = []
    for lib in LIBS:
        ret = _returning(lib, lambda g: g.double() * 2)
        x = lib.tensor(np.ones(3, np.float32), requires_grad=True)
        ret.apply(x).sum().backward()
        res.append(x.grad)
    assert_same(*res)


def test_wrong_number_of_gradients():
    for lib in LIBS:
        ret = _returning(lib, lambda g: (g, g))
        with pytest.raises(RuntimeError, match="incorrect number of gradients|returned 2 gradients"):
            ret.apply(lib.tensor([1.0], requires_grad=True)).sum().backward()
        ok = _returning(lib, lambda g: (g * 2, None))  # extra trailing None is fine
        x = lib.tensor([1.0], requires_grad=True)
        ok.apply(x).sum().backward()
        assert x.grad.tolist() == [2.0]


def test_returning_the_incoming_gradient_does_not_alias_grad():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    ident = _returning(ag, lambda g: g)
    g = ag.tensor([5.0, 6.0])
    ident.apply(x).backward(g)
    g._data[:] = 0
    np.testing.assert_array_equal(x.grad._data, [5.0, 6.0])


def test_custom_function_passes_gradcheck_and_gradgradcheck(rng):
    x = ag.tensor(rng.standard_normal(3), requires_grad=True)
    for name in ("Cube", "Exp"):
        fn = FNS[ag][name].apply
        assert ag.autograd.gradcheck(fn, (x,))
        assert ag.autograd.gradgradcheck(fn, (x,))
    y = ag.tensor(rng.standard_normal(3), requires_grad=True)
    assert ag.autograd.gradcheck(FNS[ag]["MulAdd"].apply, (x, y))
    assert ag.autograd.gradgradcheck(FNS[ag]["MulAdd"].apply, (x, y))


def test_an_input_returned_as_is_cant_change_in_place_as_torch():
    """A custom Function's output that is its input returned as it is is a view: an
    in-place change of it raises (rebasing its history would bypass the backward)."""
    for lib in (ag, torch):
        class Identity(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 3

        x = lib.ones(3, requires_grad=True)
        y = Identity.apply(x * 1)
        with pytest.raises(RuntimeError, match="is a view and is being modified inplace"):
            y.add_(1)
        z = Identity.apply(x * 1).clone()
        z.add_(1)  # a clone is the way out
        z.sum().backward()
        assert x.grad.tolist() == [3.0, 3.0, 3.0]
