"""The Tensor: an ndarray plus what autograd needs (grad, requires_grad, grad_fn).

Op methods and operators (`x.sum()`, `x + y`, `x[i]`...) are attached by
`autograd_lite.ops.methods` (from the op table), so this file holds only the tensor's own state and
its autograd entry points.
"""
import weakref
from operator import attrgetter

import numpy as np

from . import _dtypes
from .devices import CPU, DeviceUnavailableError
from .formats import strided
from .hooks import HookDict, RemovableHandle
from .kernels.aligned import owns_memory
from .printing import format_array, tensor_repr  # noqa: F401  (format_array: sparse's repr)
from .size import Size, as_size

_new = object.__new__


def array_from(data, dtype, copy):
    """An ndarray for `data` with PyTorch's dtype inference (Python floats become the
    default float dtype, Python ints int64; arrays keep their dtype)."""
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, (np.ndarray, np.generic)):
        arr = np.asarray(data)
        # object, string, complex, datetime and record arrays (bfloat16's NumPy kind is "V")
        if arr.dtype.kind not in "biuf" and arr.dtype is not _dtypes.bfloat16:
            raise TypeError(f"tensor: can't convert a NumPy {type(data).__name__} of dtype {arr.dtype}; "
                            f"the supported dtypes are bool, integers and floating point")
    else:
        try:
            arr = np.array(data)
        except ValueError as e:
            raise ValueError(f"tensor: could not build a tensor from the data ({e})") from None
        kind = arr.dtype.kind
        if kind == "f":
            if dtype is None and not _all_numpy_floats(data):
                dtype = _dtypes.get_default_dtype()
        elif kind in "iu":
            if dtype is None and arr.dtype != _dtypes.int64 and not isinstance(data, np.generic):
                dtype = _dtypes.int64
        elif kind not in "b":
            raise TypeError(
                f"tensor: can't convert data of type {type(data).__name__} (NumPy dtype "
                f"{arr.dtype}) to a tensor; expected numbers, bools, nested lists of them or arrays"
            )
        copy = False
    if dtype is not None:
        dtype = _dtypes.to_dtype(dtype)
        if dtype != arr.dtype:
            return _dtypes.cast(arr, dtype)
    return arr.copy() if copy else arr


def _all_numpy_floats(data):
    """A list of NumPy float64 scalars or arrays keeps float64, as in PyTorch."""
    if isinstance(data, (list, tuple)) and data:
        first = data[0]
        return isinstance(first, (np.floating, np.ndarray)) and np.asarray(first).dtype == np.float64
    return False





class Tensor:
    """An n-dimensional array that can record the ops applied to it."""

    __slots__ = ("_data", "_grad", "_requires_grad", "grad_fn", "_output_nr", "_vc",
                 "_hooks", "_retains_grad", "__weakref__")
    __array_ufunc__ = None  # NumPy defers to our reflected operators: ndarray + Tensor -> Tensor
    __array_priority__ = 1000
    # Every tensor lives on the CPU (autograd_lite has no other device).
    device = CPU
    is_cpu = True
    is_cuda = is_xpu = is_mps = is_meta = is_sparse = is_quantized = is_mkldnn = False
    layout = strided
    _plain_operand = True  # the operators' fast path may read its slots (Op.operator)

    def __init_subclass__(cls, **kwargs):
        """A subclass that keeps Tensor's storage slots (Parameter) takes the operators'
        fast path as an operand; one that redefines any (sparse tensors) doesn't."""
        super().__init_subclass__(**kwargs)
        cls._plain_operand = all(getattr(cls, name) is getattr(Tensor, name)
                                 for name in ("_data", "_requires_grad", "grad_fn", "_output_nr", "_vc"))

    def __init__(self, *args, requires_grad=False):
        """As `torch.Tensor`: `Tensor(d0, d1, ...)` is an uninitialised tensor of that
        shape in the default float dtype (the `Parameter(Tensor(out, in))` idiom);
        `Tensor(data)` copies `data`, Python numbers becoming the default float dtype
        (arrays and tensors keep theirs). Prefer `ag.tensor` / `ag.empty`."""
        if len(args) == 1 and isinstance(args[0], Size):
            data = np.empty(args[0], _dtypes.get_default_dtype())
        elif all(isinstance(a, (int, np.integer)) and not isinstance(a, (bool, np.bool_)) for a in args):
            data = np.empty(tuple(int(a) for a in args) if args else (0,), _dtypes.get_default_dtype())
        elif len(args) == 1:
            data = args[0]
            keep = isinstance(data, (np.ndarray, Tensor))
            data = array_from(data, None if keep else _dtypes.get_default_dtype(), copy=True)
        else:
            raise TypeError(
                "Tensor(): expected one data argument or integer sizes; use "
                "ag.tensor(data, dtype=..., requires_grad=...) instead"
            )
        self._init_leaf(data, requires_grad)

    def _init_leaf(self, data, requires_grad):
        """Set every field of a new leaf tensor (for constructors of Tensor subclasses)."""
        self._data = data
        self._grad = None
        self.grad_fn = None
        self._output_nr = 0
        self._vc = [0, 0]
        self._hooks = None
        self._retains_grad = False
        self._requires_grad = False
        if requires_grad:
            self.requires_grad = True

    @staticmethod
    def _make(data, requires_grad, grad_fn, output_nr, vc):
        """Internal fast constructor: no checks, no copy."""
        t = _new(Tensor)
        if data.__class__ is not np.ndarray:
            data = np.asarray(data)
        t._data = data
        t._grad = None
        t._requires_grad = requires_grad
        t.grad_fn = grad_fn
        t._output_nr = output_nr
        t._vc = vc
        t._hooks = None
        t._retains_grad = False
        return t

    # ---- grad --------------------------------------------------------------------------
    def _set_grad(self, value):
        """As PyTorch: None or a Tensor of this tensor's shape and dtype (backward would
        otherwise broadcast into a wrong-shaped one)."""
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value is self:
                raise RuntimeError("grad: can't assign a tensor as its own grad")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value._data.shape)}' to "
                                   f"a tensor of size '{list(self._data.shape)}'. Please ensure that the "
                                   f"gradient and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype {value._data.dtype} to a "
                                   f"tensor of dtype {self._data.dtype}. The gradient must match the "
                                   f"tensor's dtype")
        self._grad = value

    def _del_grad(self):
        self._grad = None

    # the getter in C (attrgetter): optimizers read .grad of every parameter each step
    grad = property(attrgetter("_grad"), _set_grad, _del_grad,
                    "The gradient accumulated by backward (None until then).")

    # ---- data --------------------------------------------------------------------------
    @property
    def data(self):
        """A tensor sharing this one's memory, cut from the graph, as PyTorch's `.data`:
        in-place changes through it are not recorded and bump no version that autograd
        checks. `.numpy()` gives the array."""
        return Tensor._make(self._data, False, None, 0, [0, 0])

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"data: expected a Tensor to assign to .data, got {type(value).__name__} "
                f"(wrap arrays with ag.from_numpy or ag.tensor)"
            )
        self._data = value._data

    # ---- metadata ------------------------------------------------------------------
    @property
    def shape(self):
        """A Size (a tuple); code inside the library reads `_data.shape`, which is cheaper."""
        return as_size(self._data.shape)

    @property
    def dtype(self):
        """The element type, a NumPy dtype (`ag.float32` is `numpy.dtype('float32')`)."""
        return self._data.dtype

    @property
    def ndim(self):
        """The number of dimensions."""
        return self._data.ndim

    @property
    def is_leaf(self):
        """True for a tensor no recorded op made (user-created, or not requiring grad):
        `backward` fills `.grad` of leaves only (see `retain_grad`)."""
        return self.grad_fn is None

    @property
    def requires_grad(self):
        """Whether ops on this tensor are recorded for gradients. Settable on leaves only
        (RuntimeError otherwise), and only True for floating-point dtypes."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        value = bool(value)
        if self.grad_fn is not None:
            if value:
                return
            raise RuntimeError(
                "requires_grad: you can only change requires_grad flags of leaf tensors; "
                "use detach() to get a tensor that does not require grad"
            )
        if value and not _dtypes.is_floating(self._data.dtype):
            raise RuntimeError(
                f"requires_grad: only tensors of floating point dtype can require gradients, "
                f"got {self._data.dtype}"
            )
        self._requires_grad = value

    @property
    def retains_grad(self):
        """True when `retain_grad()` asked a non-leaf to keep its `.grad`."""
        return self._retains_grad

    @property
    def _version(self):
        return self._vc[0]

    @property
    def output_nr(self):
        """Which output of its `grad_fn` this tensor is (0 for single-output ops)."""
        return self._output_nr

    def size(self, dim=None):
        """The shape as an `ag.Size`, or the length of dim `dim` (negative dims count from
        the end; IndexError when out of range)."""
        if dim is None:
            return as_size(self._data.shape)
        return self._data.shape[_check_dim(dim, self._data.ndim, "size")]

    def numel(self):
        """The number of elements."""
        return self._data.size

    nelement = numel

    def dim(self):
        """The number of dimensions (as `ndim`)."""
        return self._data.ndim

    ndimension = dim

    def element_size(self):
        """Bytes per element."""
        return self._data.itemsize

    def is_floating_point(self):
        """True for float16, bfloat16, float32 and float64 tensors."""
        return _dtypes.is_floating(self._data.dtype)

    def is_contiguous(self):
        """True when the elements lie in row-major order without gaps."""
        return self._data.flags.c_contiguous

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    # identity, as PyTorch's; object's C slot, not a Python method: a dict keyed by
    # tensors (the engine's leaf gradients, optimizer state) looks up in 63 ns, not 173
    __hash__ = object.__hash__

    # ---- conversion ------------------------------------------------------------------
    def item(self):
        """The value of a one-element tensor as a Python number. Raises RuntimeError for
        more or fewer elements."""
        if self._data.size != 1:
            raise RuntimeError(
                f"item: a Tensor with {self._data.size} elements cannot be converted to a Python scalar"
            )
        return self._data.item()

    def numpy(self, force=False):
        """The NumPy array holding the data (shared memory, as PyTorch: writes show in both).
        Raises RuntimeError for a tensor that requires grad unless `force=True` (use
        `t.detach().numpy()`)."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "numpy: can't call numpy() on a tensor that requires grad; "
                "use tensor.detach().numpy() instead"
            )
        return self._data

    def tolist(self):
        """The data as (nested) Python lists of numbers."""
        return self._data.tolist()

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and dtype != self._data.dtype:
            return self._data.astype(dtype)
        if copy:
            return self._data.copy()
        return self._data

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self._data.size} values is ambiguous"
            )
        return bool(self._data)

    def __float__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return float(self.item())

    def __int__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self._data.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self):
        grad_fn = self.grad_fn
        return tensor_repr(self._data, None if grad_fn is None else grad_fn.name(), self._requires_grad)

    # ---- devices: the CPU only ------------------------------------------------------------
    def cpu(self, memory_format=None):
        """The tensor itself: everything lives on the CPU."""
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        """Raises DeviceUnavailableError: autograd_lite runs on the CPU only."""
        raise DeviceUnavailableError("cuda: CUDA is not available; autograd_lite runs on the CPU "
                                     "only (guard GPU code with ag.cuda.is_available())")

    def xpu(self, device=None, non_blocking=False, memory_format=None):
        """Raises DeviceUnavailableError: autograd_lite runs on the CPU only."""
        raise DeviceUnavailableError("xpu: XPU is not available; autograd_lite runs on the CPU only")

    def get_device(self):
        """-1, PyTorch's answer for a CPU tensor."""
        return -1

    def is_pinned(self, device=None):
        """False: pinned memory needs an accelerator."""
        return False

    def pin_memory(self, device=None):
        """Raises DeviceUnavailableError: pinned memory needs an accelerator (it would change
        nothing on the CPU)."""
        raise DeviceUnavailableError("pin_memory: pinned memory needs an accelerator; autograd_lite "
                                     "runs on the CPU only (pinning would change nothing here)")

    # ---- autograd ----------------------------------------------------------------------
    def detach(self):
        """A tensor sharing this one's data, cut from the graph."""
        return Tensor._make(self._data, False, None, 0, self._vc)

    def detach_(self):
        """Cut this tensor from the graph in place (it becomes a leaf that does not require
        grad); returns it. Raises RuntimeError for a view made by a recorded op."""
        if self.grad_fn is not None and not owns_memory(self._data):
            raise RuntimeError("detach_: cannot detach a view in place; use detach()")
        self.grad_fn = None
        self._requires_grad = False
        return self

    def requires_grad_(self, requires_grad=True):
        """Set `requires_grad` in place (leaves only, floating dtypes only); returns the tensor."""
        self.requires_grad = requires_grad
        return self

    def retain_grad(self):
        """Keep `.grad` for this non-leaf tensor after backward."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("retain_grad: can't retain_grad on a tensor that doesn't require grad")
            return
        if self._retains_grad:
            return
        self._retains_grad = True
        ref = weakref.ref(self)

        def store_grad(g):
            t = ref()
            if t is not None:
                g = Tensor._make(g._data.copy(), False, None, 0, [0, 0]) if not g._requires_grad else g
                t.grad = g if t.grad is None else t.grad + g
            return None

        self.grad_fn._add_pre_hook(self._output_nr, store_grad, retains_grad=True)

    def register_hook(self, hook):
        """Call `hook(grad)` when this tensor's gradient is computed; a returned
        tensor replaces the gradient. Returns a handle with `remove()`."""
        if not self._requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that doesn't require grad")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = HookDict()
            handle = RemovableHandle(self._hooks)
            self._hooks[handle.id] = hook
            return handle
        hooks = self.grad_fn._add_pre_hook(self._output_nr, hook)
        return _ListHookHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call `hook(tensor)` once backward has accumulated this leaf's gradient into
        `.grad` (the hook returns None). Backward runs it as soon as no node left to
        run can send this leaf a gradient, so work started there (DDP's allreduce)
        overlaps the rest of backward. Returns a handle with `remove()`."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "register_post_accumulate_grad_hook: post accumulate grad hooks cannot be "
                "registered on non-leaf tensors"
            )
        if not self._requires_grad:
            raise RuntimeError(
                "register_post_accumulate_grad_hook: cannot register a hook on a tensor "
                "that doesn't require gradient"
            )
        entry = post_accumulate_hooks.get(id(self))
        if entry is None:
            entry = post_accumulate_hooks[id(self)] = (
                weakref.ref(self, _forget_post_accumulate_hooks(id(self))), HookDict())
        handle = _PostAccumulateHandle(entry[1], id(self))
        entry[1][handle.id] = hook
        return handle


# id(leaf) -> (weak reference to the leaf, {handle id: hook}) for the leaves that have
# post-accumulate-grad hooks. A registry beside the tensors (not a slot on each) keeps
# Tensor construction as cheap as before; backward reads it once per call and pays for
# the hooks only while it is non-empty.
post_accumulate_hooks = {}


def _forget_post_accumulate_hooks(key):
    """The weakref callback that drops a dead leaf's hooks (before its id is reused)."""

    def forget(ref):
        entry = post_accumulate_hooks.get(key)
        if entry is not None and entry[0] is ref:
            del post_accumulate_hooks[key]

    return forget


class _PostAccumulateHandle(RemovableHandle):
    """Removing a leaf's last post-accumulate hook drops it from the registry, so
    backward goes back to its hook-free path."""

    def __init__(self, hooks_dict, key):
        super().__init__(hooks_dict)
        self._key = key

    def remove(self):
        hooks = self._hooks() if self._hooks is not None else None
        if hooks is None:
            return
        hooks.pop(self.id, None)
        entry = post_accumulate_hooks.get(self._key)
        if not hooks and entry is not None and entry[1] is hooks:
            del post_accumulate_hooks[self._key]


class _HookList(list):
    """A node's hooks on one output (weakly referenceable, for the handles)."""

    __slots__ = ("__weakref__", "retain_hook")

    def __init__(self):
        super().__init__()
        self.retain_hook = None


class _ListHookHandle:
    def __init__(self, hooks, hook):
        self._hooks = weakref.ref(hooks)
        self._hook = hook

    def remove(self):
        hooks = self._hooks()
        if hooks is not None and self._hook in hooks:
            hooks.remove(self._hook)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _ViewRefs(list):
    """Weak references to the tensors sharing one memory; dead ones are dropped when
    the list outgrows `limit`, which then doubles (amortised O(1) per view)."""

    __slots__ = ("limit",)


def track_view(base, view):
    """Record that `view` shares memory with `base` (they share one version counter,
    whose second slot lists weak references to every tensor on that memory)."""
    box = base._vc
    refs = box[1]
    if not refs:
        refs = box[1] = _ViewRefs([weakref.ref(base)])
        refs.limit = 64
    elif len(refs) > refs.limit:
        refs[:] = [r for r in refs if r() is not None]
        refs.limit = max(64, 2 * len(refs))
    refs.append(weakref.ref(view))


def mark_dirty(*tensors):
    """Record that the arrays of `tensors` were written in place outside autograd
    (an optimizer update, a running statistic, an init): each version counter moves
    on, so a tensor saved for backward before the write is caught when backward
    reads it. Every in-place write to a tensor's array goes through here."""
    for t in tensors:
        t._vc[0] += 1


def has_live_aliases(t):
    """True if another live tensor shares `t`'s memory through a view."""
    refs = t._vc[1]
    if refs:
        for r in refs:
            other = r()
            if other is not None and other is not t:
                return True
    return False


def _check_dim(dim, ndim, op):
    """Normalise a possibly negative dim; clear error if out of range."""
    n = max(ndim, 1)
    try:
        d = int(dim)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}") from None
    if not -n <= d < n:
        raise IndexError(
            f"{op}: dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return d + n if d < 0 else d
