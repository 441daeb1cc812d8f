"""`Parameter`: a leaf tensor that a Module registers as one of its parameters."""
import numpy as np

import autograd_lite as ag
from autograd_lite.tensor import Tensor


class Parameter(Tensor):
    """A tensor that requires grad by default and is registered when assigned as a
    Module attribute. It shares memory with the tensor or array it wraps."""

    __slots__ = ("__dict__",)  # attributes users set on parameters (PyTorch allows them)

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            arr = np.empty(0, ag.get_default_dtype())
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            arr = np.asarray(data)
            if arr.dtype.kind not in "biuf" and arr.dtype != ag.bfloat16:
                raise TypeError(f"Parameter: unsupported data of dtype {arr.dtype}")
        self._init_leaf(arr, requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


# ---- uninitialized parameters and buffers (lazy modules) -------------------------------------
_STORAGE = Tensor.__dict__["_data"]  # Tensor's array slot; the uninitialized classes' `_data` shadows it

_SHAPE_ERROR = ("Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
                "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call "
                "`forward` to initialize the parameters before accessing their attributes.")


def is_lazy(param):
    """Whether `param` is an UninitializedParameter or an UninitializedBuffer."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedTensorMixin:
    """What UninitializedParameter and UninitializedBuffer share: a tensor whose shape is
    not known yet. It keeps an empty array for its dtype only; every op, and reading its
    shape or values, raises (ValueError, or RuntimeError for `.shape`, as PyTorch), until
    `materialize(shape)` gives it memory and turns it into its `cls_to_become`. Its dtype,
    `requires_grad`, `size()` (`[0]`), `ndim`, `is_floating_point()` and `.data` (an empty
    tensor) can be read, as PyTorch allows."""

    __slots__ = ()
    cls_to_become = None

    def _start(self, requires_grad, device, dtype):
        """Set every Tensor field of a new uninitialized tensor (shape (0,), `dtype`)."""
        self._init_leaf(ag.empty((0,), dtype=dtype, device=device)._data, False)
        self._requires_grad = bool(requires_grad)

    @property
    def _data(self):
        raise ValueError(
            f"Attempted to use an uninitialized parameter ({type(self).__name__}). This error happens when you are "
            f"using a `LazyModule` or explicitly manipulating `nn.parameter.{type(self).__name__}` objects. When "
            f"using LazyModules call `forward` with a dummy batch to initialize the parameters before calling "
            f"functions on them")

    @_data.setter
    def _data(self, value):
        _STORAGE.__set__(self, value)

    @property
    def shape(self):
        """Raises RuntimeError: the shape is not known until the first forward."""
        raise RuntimeError(_SHAPE_ERROR)

    @property
    def dtype(self):
        """The dtype the tensor will be materialized with."""
        return _STORAGE.__get__(self).dtype

    @property
    def requires_grad(self):
        """Whether the materialized tensor will require grad (settable, as PyTorch's)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if value and not self.is_floating_point():
            raise RuntimeError(f"requires_grad: only tensors of floating point dtype can require gradients, "
                               f"got {self.dtype}")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        """Raises ValueError, as PyTorch's (set the `requires_grad` attribute instead)."""
        self._data  # noqa: B018 - the uninitialized tensor's ValueError

    @property
    def ndim(self):
        """1, as PyTorch's (the placeholder is an empty 1-d tensor)."""
        return 1

    @property
    def data(self):
        """An empty tensor of this dtype (the placeholder), as PyTorch's."""
        return Tensor._make(_STORAGE.__get__(self), False, None, 0, [0, 0])

    @data.setter
    def data(self, value):
        Tensor.data.fset(self, value)

    def size(self, dim=None):
        """`Size([0])`, as PyTorch's (the shape itself is not known yet)."""
        return ag.Size((0,)) if dim is None else (0,)[dim]

    def is_floating_point(self):
        """Whether the dtype to materialize with is a floating-point one."""
        return ag.empty(0, dtype=self.dtype).is_floating_point()

    def materialize(self, shape, device=None, dtype=None):
        """Give the tensor (uninitialized) memory of `shape`, with its dtype or `dtype`, and
        make it a `cls_to_become` (Parameter, or Tensor for a buffer) in place."""
        arr = ag.empty(tuple(shape), dtype=self.dtype if dtype is None else dtype, device=device)._data
        _STORAGE.__set__(self, arr)
        self.__class__ = self.cls_to_become

    def _cast_placeholder(self, dtype):
        """Module.to(dtype) before the first forward: materialize later in `dtype`."""
        _STORAGE.__set__(self, ag.empty((0,), dtype=dtype)._data)

    def share_memory_(self):
        """Raises RuntimeError: there is no memory to share before the first forward."""
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
                           "initialize the parameters before calling `module.share_memory()`.")

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = memo[id(self)] = type(self)(self._requires_grad, dtype=self.dtype)
        return result

    def __reduce_ex__(self, protocol):
        return (type(self), (self._requires_grad, None, self.dtype))


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter whose shape is not known yet (a lazy module's, until its first
    forward); `device` and `dtype` are the ones it will be materialized with (dtype
    None: the default dtype at construction). It becomes a Parameter in place."""

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad=True, device=None, dtype=None):
        self._start(requires_grad, device, dtype)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is not known yet (a lazy batch norm's running statistics);
    it becomes a plain Tensor in place. `persistent` is accepted as PyTorch's."""

    __slots__ = ()
    cls_to_become = Tensor

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        self._start(requires_grad, device, dtype)
