"""Tensor methods that describe a tensor's memory and kind without computing on it, as
PyTorch's: `stride`, `nbytes`, `itemsize`, `data_ptr`, `is_complex`, `is_signed`
(installed on Tensor by `ops.methods.install`; tensor.py holds the core ones)."""
from . import _dtypes
from .tensor import _check_dim


def stride(self, dim=None):
    """The step, in elements, between neighbours along each dim (one dim's with `dim`).
    A broadcast (expanded) dim has stride 0; a flipped view a negative one (NumPy's)."""
    data = self._data
    steps = tuple(s // data.itemsize for s in data.strides)
    if dim is None:
        return steps
    return steps[_check_dim(dim, data.ndim, "stride")]


def data_ptr(self):
    """The address of the first element, as an int."""
    return self._data.__array_interface__["data"][0]


def is_complex(self):
    """False: autograd_lite has no complex dtypes."""
    return False


def is_signed(self):
    """True for the floating and signed integer dtypes."""
    dtype = self._data.dtype
    return dtype.kind in "if" or dtype is _dtypes.bfloat16


def dlpack(self, *, stream=None, max_version=None, dl_device=None, copy=None):
    """The DLPack capsule of the tensor's memory (the `__dlpack__` protocol, through
    NumPy): `np.from_dlpack(t)` and `torch.from_dlpack(t)` share it. A tensor that
    requires grad is refused, as PyTorch refuses it (detach() first)."""
    if self._requires_grad:
        raise BufferError("__dlpack__: can't export tensors that require gradient, use "
                          "tensor.detach()")
    kwargs = {} if max_version is None else {"max_version": max_version}
    if dl_device is not None:
        kwargs["dl_device"] = dl_device
    if copy is not None:
        kwargs["copy"] = copy
    try:
        return self._data.__dlpack__(stream=stream, **kwargs)
    except BufferError as e:
        raise BufferError(f"__dlpack__: can't export a {self._data.dtype} tensor of shape "
                          f"{tuple(self._data.shape)} ({e})") from None


def dlpack_device(self):
    """(device type, device index) for DLPack: (1, 0), the CPU."""
    return self._data.__dlpack_device__()


def install(Tensor):
    Tensor.__dlpack__ = dlpack
    Tensor.__dlpack_device__ = dlpack_device

    Tensor.stride = stride
    Tensor.data_ptr = data_ptr
    Tensor.is_complex = is_complex
    Tensor.is_signed = is_signed
    Tensor.nbytes = property(lambda self: self._data.nbytes,
                             doc="The bytes the elements take (numel * itemsize).")
    Tensor.itemsize = property(lambda self: self._data.itemsize, doc="Bytes per element.")
