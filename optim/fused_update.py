"""`FusedUpdate`: the one way an optimizer applies an elementwise update to a parameter.

Every elementwise optimizer (SGD, Adam, RMSprop, Adagrad, Adadelta, Adamax, NAdam,
RAdam, ASGD, Rprop) describes its update once, as

- a Numba kernel `<name>_serial` in a module of autograd_lite/kernels/ (1-d arrays:
  parameter, gradient, state buffers; then the scalar coefficients in the
  parameter's dtype; then flags, on which it is compiled per value: `Specialised`),
- `kernel_args(dtype, *args)`: the step's arguments turned into those scalars and flags,
- `reference(p, g, *buffers, *args)`: the same update in NumPy, in place,

and calls the `FusedUpdate` for each parameter. The dispatcher checks the shapes (a
kernel checks no bounds), takes 1-d views when all arrays share a float32/float64 dtype
and a C or F layout, runs the kernel (over the threads, for big arrays when threads
were asked for) or the NumPy reference otherwise, and bumps the version of every tensor it wrote.

The kernel arguments, and so the kernel compiled for their flags, depend only on
(dtype, args): they are found once per distinct pair and reused (parameters of one
group at one step share them).
"""
import numpy as np

from autograd_lite import bfloat16
from autograd_lite.extend import cast_array, is_floating_dtype, mark_dirty
from autograd_lite.kernels import lazy

_KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_MAX_CACHED_ARGS = 64  # distinct (dtype, args) kept; steps move on, old entries are dropped


def gradient_in_parameter_dtype(optimizer, pd, g):
    """An update runs in the parameter's dtype, which must be floating point; a gradient
    array `g` of another dtype (put in through `.grad.data`) is cast, as in PyTorch."""
    if not is_floating_dtype(pd.dtype):
        raise RuntimeError(f"{optimizer}.step: can only update floating point parameters, got a "
                           f"{pd.dtype} parameter of shape {pd.shape}")
    if g.dtype == pd.dtype:
        return g
    if g.dtype.kind not in "biu" and not is_floating_dtype(g.dtype):
        raise RuntimeError(f"{optimizer}.step: the gradient of a {pd.dtype} parameter of shape "
                           f"{pd.shape} has dtype {g.dtype}")
    return cast_array(g, pd.dtype)  # to bfloat16 as PyTorch rounds


class FusedUpdate:
    """One optimizer's elementwise update (see the module docstring)."""

    __slots__ = ("optimizer", "module", "kernel", "kernel_args", "reference", "_serial", "_pick", "_args_cache",
                 "bfloat16_reference")

    def __init__(self, optimizer, module, kernel, kernel_args, reference, bfloat16_reference=False):
        self.optimizer = optimizer  # the name in error messages
        self.module = module  # autograd_lite.kernels.<module>
        self.kernel = kernel  # <kernel>_serial in it
        self.kernel_args = kernel_args
        self.reference = reference
        self._serial = None
        self._pick = None
        self._args_cache = {}
        # True: the reference runs bfloat16 arrays op by op as PyTorch (SGD, Adam); else a
        # bfloat16 parameter is updated in float32 and rounded once per step
        self.bfloat16_reference = bfloat16_reference

    def __call__(self, p, grad, buffers, args):
        """Update parameter `p` (a Tensor) in place from `grad` and the state tensors
        `buffers` (kernel order; None where the configuration uses no buffer), with the
        step's arguments `args` (a tuple, the reference's arguments after the arrays)."""
        pd = p._data
        g = grad._data
        shape = pd.shape
        if g.shape != shape:
            raise RuntimeError(
                f"{self.optimizer}.step: the gradient of a parameter of shape {shape} has shape {g.shape}"
            )
        if g.dtype is not pd.dtype or pd.dtype.kind != "f":
            g = gradient_in_parameter_dtype(self.optimizer, pd, g)
        arrays = [pd, g]
        for b in buffers:
            if b is None:
                arrays.append(pd)  # a placeholder the update neither reads nor writes
                continue
            a = b._data
            if a.shape != shape:
                raise RuntimeError(
                    f"{self.optimizer}.step: a state buffer of shape {a.shape} does not match its "
                    f"parameter's shape {shape}"
                )
            arrays.append(a)
        if not pd.flags.writeable:
            raise RuntimeError(f"{self.optimizer}.step: a parameter's data (shape {shape}) is read-only")
        if pd.dtype == bfloat16 and not self.bfloat16_reference:
            self._update_wide(arrays, args)
            views = ()
        else:
            views = flat_views(arrays)
        if views == ():
            pass
        elif views is None:
            self.reference(*arrays, *args)
        else:
            key = (pd.dtype, args)
            entry = self._args_cache.get(key)
            if entry is None:
                entry = self._cache_args(key, pd.dtype.type, args)
            kernel, kargs = entry
            self._pick(kernel, pd.size)(*views, *kargs)
        mark_dirty(p)
        for b in buffers:
            if b is not None:
                mark_dirty(b)

    def _update_wide(self, arrays, args):
        """A bfloat16 update in float32 (the kernel), written back rounded once."""
        wide = [a.astype(np.float32) for a in arrays]
        placeholders = [i for i, a in enumerate(arrays) if i > 1 and a is arrays[0]]
        for i in placeholders:
            wide[i] = wide[0]
        views = flat_views(wide)
        if views is None:
            self.reference(*wide, *args)
        else:
            key = (wide[0].dtype, args)
            kernel, kargs = self._args_cache.get(key) or self._cache_args(key, np.float32, args)
            self._pick(kernel, wide[0].size)(*views, *kargs)
        for i, (a, w) in enumerate(zip(arrays, wide)):
            if i != 1 and i not in placeholders:  # the gradient is read only
                a[...] = cast_array(w, bfloat16)

    def _cache_args(self, key, dtype, args):
        """(the kernel compiled for the step's flags, its scalar arguments)."""
        if self._serial is None:
            self._load_kernels()
        if len(self._args_cache) >= _MAX_CACHED_ARGS:
            self._args_cache.clear()
        values = tuple(self.kernel_args(dtype, *args))
        n = len(values) - self._serial.n_flags
        entry = self._args_cache[key] = (self._serial.for_flags(*values[n:]), values[:n])
        return entry

    def _load_kernels(self):
        module = getattr(lazy, self.module)
        self._pick = lazy.optim.pick
        self._serial = getattr(module, self.kernel + "_serial")


def flat_views(arrays):
    """1-d views of `arrays` (the parameter first) for a fused kernel, or None when a
    kernel can't take them: a dtype other than float32/float64, mixed dtypes, or layouts
    that are not all C- or all F-contiguous."""
    p = arrays[0]
    dt = p.dtype
    if dt not in _KERNEL_DTYPES:
        return None
    if p.flags.c_contiguous:
        for a in arrays:
            if a.dtype != dt or not a.flags.c_contiguous:
                return None
        return [a.reshape(-1) for a in arrays]
    if p.flags.f_contiguous:
        for a in arrays:
            if a.dtype != dt or not a.flags.f_contiguous:
                return None
        return [a.ravel("F") for a in arrays]
    return None
