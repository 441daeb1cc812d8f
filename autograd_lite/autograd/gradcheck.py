"""gradcheck / gradgradcheck: analytical Jacobians (from backward) against central
finite differences, as PyTorch's (use float64 inputs)."""
import warnings

import numpy as np

from ..tensor import Tensor
from .api import grad as _grad


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients disagree."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,) if not isinstance(x, list) else tuple(x)


def _diff_outputs(outputs):
    return [o for o in outputs if isinstance(o, Tensor) and o.is_floating_point()]


def _numerical_jacobian(func, inputs, x, eps, n_out_sizes):
    """(x.size, total output size) Jacobian by central differences."""
    if not x._data.flags.c_contiguous or not x._data.flags.writeable:
        x._data = np.ascontiguousarray(x._data).copy()
    flat = x._data.reshape(-1)  # a view: perturb in place
    jac = np.zeros((x._data.size, sum(n_out_sizes)))
    for j in range(flat.size):
        orig = flat[j]
        # func runs with grad mode as the caller has it: gradgradcheck's func needs it
        flat[j] = orig + eps
        plus = [o._data.astype(np.float64).reshape(-1) for o in _diff_outputs(_as_tuple(func(*inputs)))]
        flat[j] = orig - eps
        minus = [o._data.astype(np.float64).reshape(-1) for o in _diff_outputs(_as_tuple(func(*inputs)))]
        flat[j] = orig
        jac[j] = (np.concatenate(plus) - np.concatenate(minus)) / (2 * eps) if plus else 0
    return jac


def _analytical_jacobian(outputs, diff_inputs):
    """Per input, a (input size, total output size) Jacobian from vector-Jacobian products."""
    sizes = [o._data.size for o in outputs]
    jacs = [np.zeros((x._data.size, sum(sizes))) for x in diff_inputs]
    col = 0
    for o in outputs:
        for k in range(o._data.size):
            if not o._requires_grad:
                col += 1
                continue
            onehot = np.zeros(o._data.size, o.dtype)
            onehot[k] = 1
            grads = _grad(o, diff_inputs, Tensor._make(onehot.reshape(o.shape), False, None, 0, [0, 0]),
                          retain_graph=True, allow_unused=True)
            for jac, g, x in zip(jacs, grads, diff_inputs):
                if g is not None:
                    if g.shape != x.shape:
                        raise GradcheckError(
                            f"gradcheck: gradient of shape {tuple(g.shape)} for an input of shape {tuple(x.shape)}"
                        )
                    jac[:, col] = g._data.astype(np.float64).reshape(-1)
            col += 1
    return jacs


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **_ignored):
    """True if backward's gradients of `func(*inputs)` match finite differences for every
    input that requires grad; otherwise raises GradcheckError (or returns False)."""
    inputs = _as_tuple(inputs)
    diff_inputs = [x for x in inputs if isinstance(x, Tensor) and x._requires_grad]
    if not diff_inputs:
        raise ValueError("gradcheck: expected at least one input tensor that requires grad")
    for x in diff_inputs:
        if x.dtype != np.float64:
            warnings.warn(
                f"gradcheck: input of dtype {x.dtype} is not float64; the check may fail "
                "for lack of precision", UserWarning, stacklevel=2)
    outputs = _diff_outputs(_as_tuple(func(*inputs)))
    sizes = [o._data.size for o in outputs]
    analytical = _analytical_jacobian(outputs, diff_inputs)
    for i, (x, a) in enumerate(zip(diff_inputs, analytical)):
        n = _numerical_jacobian(func, inputs, x, eps, sizes)
        if not np.allclose(a, n, rtol=rtol, atol=atol):
            diff = np.abs(a - n)
            k = np.unravel_index(np.argmax(diff), diff.shape)
            msg = (
                f"gradcheck: Jacobian mismatch for input {i} (shape {tuple(x.shape)}): largest "
                f"difference {diff[k]:.3g} at (input element {k[0]}, output element {k[1]}): "
                f"analytical {a[k]:.6g} vs numerical {n[k]:.6g}\n"
                f"analytical:\n{a}\nnumerical:\n{n}"
            )
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, **_ignored):
    """gradcheck of the first derivatives (computed with create_graph=True) as a
    function of the inputs and of the output gradients."""
    inputs = _as_tuple(inputs)
    diff_inputs = [x for x in inputs if isinstance(x, Tensor) and x._requires_grad]
    outputs = _diff_outputs(_as_tuple(func(*inputs)))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            Tensor._make(rng.standard_normal(o.shape).astype(o.dtype), True, None, 0, [0, 0])
            for o in outputs if o._requires_grad  # one per output the derivatives read
        )
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)

    def first_derivatives(*args):
        ins, gos = args[:n_in], args[n_in:]
        outs = [o for o in _diff_outputs(_as_tuple(func(*ins))) if o._requires_grad]
        d_inputs = [x for x in ins if isinstance(x, Tensor) and x._requires_grad]
        grads = _grad(outs, d_inputs, list(gos)[:len(outs)], create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    del diff_inputs
    return gradcheck(first_derivatives, inputs + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
