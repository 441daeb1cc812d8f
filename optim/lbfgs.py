"""L-BFGS, as PyTorch's `torch.optim.LBFGS` (itself after minFunc): each `step(closure)`
runs up to `max_iter` quasi-Newton iterations on all parameters seen as one flat
vector, calling the closure once per iteration (fixed step `lr`) or several times
(`line_search_fn="strong_wolfe"`).

The algorithm works on NumPy arrays of the parameters' dtype. Where PyTorch holds a
scalar as a 0-d tensor (dot products, the step `t` after the first iteration, the
curvature pairs' `ro`) this code holds a NumPy scalar of that dtype, and where PyTorch
has a Python float (the losses, the initial `t` when it is 1) a Python float: both
follow the same promotion rules (a Python number takes the tensor's dtype), so float32
runs round as PyTorch's do. The state ('d', 't', 'old_dirs', 'old_stps', 'ro',
'H_diag', 'prev_flat_grad', 'prev_loss', 'al', 'func_evals', 'n_iter') is kept on the
first parameter, with PyTorch's names and types (arrays and 0-d scalars as Tensors).
"""
import numpy as np

from autograd_lite.extend import Tensor, constant, enable_grad, mark_dirty
from autograd_lite.kernels import lazy

from .fused_update import flat_views
from .optimizer import Optimizer


def add_scaled(y, a, x):
    """y += a * x in place with one rounding per element, as torch's `add_(x, alpha=a)`
    (a fused kernel; NumPy's two roundings for arrays it can't take)."""
    a = y.dtype.type(a)
    views = flat_views([y, x])
    if views is None:
        y += a * x
    else:
        k = lazy.optim
        k.pick(lazy.optim_variants.axpy_serial, y.size)(views[0], a, views[1])


def cubic_minimum(x1, f1, g1, x2, f2, g2, bounds=None):
    """Where the cubic through (x1, f1) and (x2, f2) with slopes g1, g2 has its minimum,
    clamped to `bounds` (by default the interval between x1 and x2); the middle of the
    bounds when that cubic has no minimum."""
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if not d2_square >= 0:
        return (lo + hi) / 2.0
    d2 = np.sqrt(d2_square)
    if x1 <= x2:
        at = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        at = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(at, lo), hi)


class _Point:
    """One evaluated step length of the line search: t, loss, gradient, slope along d."""

    __slots__ = ("t", "f", "g", "gtd")

    def __init__(self, t, f, g, gtd):
        self.t, self.f, self.g, self.gtd = t, f, g, gtd


def strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Find a step `t` along `d` that satisfies the strong Wolfe conditions, starting
    from the point with loss `f`, gradient `g` and slope `gtd`; `evaluate(t)` returns
    (loss, flat gradient) there. First widen until a bracket holds a good point, then
    shrink the bracket by cubic interpolation. Returns (loss, gradient, t, evaluations)."""
    d_norm = np.max(np.abs(d))
    start = _Point(0, f, g.copy(), gtd)
    f_new, g_new = evaluate(t)
    evals = 1
    new = _Point(t, f_new, g_new, g_new.dot(d))
    prev = start
    bracket = None
    done = False
    tries = 0
    while tries < max_ls:  # widen
        if new.f > (f + c1 * new.t * gtd) or (tries > 1 and new.f >= prev.f):
            bracket = [prev, _Point(new.t, new.f, new.g.copy(), new.gtd)]
            break
        if abs(new.gtd) <= -c2 * gtd:
            bracket = [new]
            done = True
            break
        if new.gtd >= 0:
            bracket = [prev, _Point(new.t, new.f, new.g.copy(), new.gtd)]
            break
        t_next = cubic_minimum(prev.t, prev.f, prev.gtd, new.t, new.f, new.gtd,
                               bounds=(new.t + 0.01 * (new.t - prev.t), new.t * 10))
        prev = _Point(new.t, new.f, new.g.copy(), new.gtd)
        f_new, g_new = evaluate(t_next)
        evals += 1
        new = _Point(t_next, f_new, g_new, g_new.dot(d))
        tries += 1
    if bracket is None:  # max_ls evaluations without a bracket
        bracket = [_Point(0, f, g, None), _Point(new.t, new.f, new.g, None)]

    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    insufficient_progress = False
    while not done and tries < max_ls:  # zoom
        a, b = bracket
        if abs(b.t - a.t) * d_norm < tolerance_change:
            break
        t_next = cubic_minimum(a.t, a.f, a.gtd, b.t, b.f, b.gtd)
        top, bottom = max(a.t, b.t), min(a.t, b.t)
        margin = 0.1 * (top - bottom)
        if min(top - t_next, t_next - bottom) < margin:  # too close to an end of the bracket
            if insufficient_progress or t_next >= top or t_next <= bottom:
                t_next = top - margin if abs(t_next - top) < abs(t_next - bottom) else bottom + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = evaluate(t_next)
        evals += 1
        tries += 1
        point = _Point(t_next, f_new, g_new.copy(), g_new.dot(d))
        if point.f > (f + c1 * point.t * gtd) or point.f >= bracket[low].f:
            bracket[high] = point  # no sufficient decrease: the new point closes the bracket
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if abs(point.gtd) <= -c2 * gtd:
                done = True
            elif point.gtd * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]  # the old low becomes the high end
            bracket[low] = point
    best = bracket[low]
    return best.f, best.g, best.t, evals


def _array(value):
    """A state value as PyTorch would use it: Tensors as arrays (0-d as scalars of
    their dtype), numbers unchanged."""
    if isinstance(value, Tensor):
        a = value._data
        return a[()] if a.ndim == 0 else a
    return value


def _tensor(value):
    """The reverse of `_array` for storing in the state."""
    if isinstance(value, np.ndarray):
        return constant(value)
    if isinstance(value, np.generic):
        return constant(np.array(value))
    return value


class LBFGS(Optimizer):
    """Limited-memory BFGS over all parameters as one vector (one param group only);
    `step` needs a closure that re-evaluates the loss and its gradients."""

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                        tolerance_change=tolerance_change, history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    @property
    def _params(self):
        return self.param_groups[0]["params"]

    # ---- the parameters as one flat vector ------------------------------------------------
    def _flat_grad(self):
        parts = [np.zeros(p._data.size, p._data.dtype) if p.grad is None else p.grad._data.reshape(-1)
                 for p in self._params]
        return np.concatenate(parts)

    def _add_to_params(self, step, direction):
        """params += step * direction (the step in the parameters' dtype)."""
        offset = 0
        for p in self._params:
            a = p._data
            add_scaled(a, step, direction[offset:offset + a.size].reshape(a.shape))
            offset += a.size
            mark_dirty(p)

    def _copy_params(self):
        return [p._data.copy() for p in self._params]

    def _restore_params(self, saved):
        for p, a in zip(self._params, saved):
            np.copyto(p._data, a)
            mark_dirty(p)

    def _evaluate_along(self, closure, x, d):
        """evaluate(t): the loss and flat gradient at x + t d, parameters left at x."""
        def evaluate(t):
            self._add_to_params(t, d)
            loss = float(closure())
            flat_grad = self._flat_grad()
            self._restore_params(x)
            return loss, flat_grad
        return evaluate

    # ---- the step ---------------------------------------------------------------------------
    def step(self, closure):
        """Up to `max_iter` L-BFGS iterations; returns the loss of the closure's first
        evaluation."""
        if len(self.param_groups) != 1:
            raise ValueError(f"LBFGS.step: expected exactly one param group, got {len(self.param_groups)}")
        user_closure = closure

        def closure():
            with enable_grad():
                return user_closure()

        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]  # the global state lives with the first parameter
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.max(np.abs(flat_grad)) <= tolerance_grad:
            return orig_loss

        d, t = _array(state.get("d")), _array(state.get("t"))
        old_dirs = [_array(v) for v in state.get("old_dirs") or []]
        old_stps = [_array(v) for v in state.get("old_stps") or []]
        ro = [_array(v) for v in state.get("ro") or []]
        H_diag = _array(state.get("H_diag"))
        prev_flat_grad = _array(state.get("prev_flat_grad"))
        prev_loss = state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:  # steepest descent to start
                d = -flat_grad
                old_dirs, old_stps, ro, H_diag = [], [], [], 1
            else:
                d, H_diag = self._lbfgs_direction(state, flat_grad, prev_flat_grad, d, t, old_dirs, old_stps, ro,
                                                  H_diag, history_size)
            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                np.copyto(prev_flat_grad, flat_grad)
            prev_loss = loss

            t = min(1.0, 1.0 / np.sum(np.abs(flat_grad))) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:  # not a descent direction any more
                break

            if line_search_fn is None:
                self._add_to_params(t, d)
                evals = 0
                if n_iter != max_iter:  # the last iteration's loss is not needed
                    loss = float(closure())
                    flat_grad = self._flat_grad()
                    evals = 1
            else:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x = self._copy_params()
                loss, flat_grad, t, evals = strong_wolfe(self._evaluate_along(closure, x, d), t, d, loss, flat_grad,
                                                         gtd, max_ls=max_eval - current_evals)
                self._add_to_params(t, d)
            optimal = np.max(np.abs(flat_grad)) <= tolerance_grad
            current_evals += evals
            state["func_evals"] += evals

            if n_iter == max_iter or current_evals >= max_eval or optimal:
                break
            if np.max(np.abs(d * d.dtype.type(t))) <= tolerance_change:  # the step has become tiny
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state["d"] = _tensor(d)
        state["t"] = _tensor(t)
        state["old_dirs"] = [_tensor(v) for v in old_dirs]
        state["old_stps"] = [_tensor(v) for v in old_stps]
        state["ro"] = [_tensor(v) for v in ro]
        state["H_diag"] = _tensor(H_diag)
        state["prev_flat_grad"] = _tensor(prev_flat_grad)
        state["prev_loss"] = prev_loss
        return orig_loss

    @staticmethod
    def _lbfgs_direction(state, flat_grad, prev_flat_grad, d, t, old_dirs, old_stps, ro, H_diag, history_size):
        """Record the last step's curvature pair (if it curves up) and return the new
        direction -H g by the two-loop recursion, with the new H_diag."""
        y = flat_grad - prev_flat_grad
        s = d * d.dtype.type(t)
        ys = y.dot(s)
        if ys > 1e-10:
            if len(old_dirs) == history_size:  # forget the oldest pair
                old_dirs.pop(0)
                old_stps.pop(0)
                ro.pop(0)
            old_dirs.append(y)
            old_stps.append(s)
            ro.append(1.0 / ys)
            H_diag = ys / y.dot(y)
        if "al" not in state:
            state["al"] = [None] * history_size
        al = state["al"]
        q = -flat_grad
        alphas = {}
        for i in range(len(old_dirs) - 1, -1, -1):
            alphas[i] = old_stps[i].dot(q) * ro[i]
            al[i] = _tensor(alphas[i])
            add_scaled(q, -alphas[i], old_dirs[i])
        r = q * q.dtype.type(H_diag)
        for i in range(len(old_dirs)):
            be_i = old_dirs[i].dot(r) * ro[i]
            add_scaled(r, alphas[i] - be_i, old_stps[i])
        return r, H_diag
