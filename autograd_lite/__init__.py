"""autograd_lite: reverse-mode automatic differentiation on NumPy and Numba,
with PyTorch's tensor API."""
from .tensor import Tensor  # noqa: I001  (first: everything else builds on it)
from . import _dtypes
from .ops.methods import install as _install_methods

_install_methods(Tensor)

from . import autograd  # noqa: E402
from ._dtypes import dtype, get_default_dtype, set_default_dtype, result_type, promote_types  # noqa: E402
from ._dtypes import can_cast  # noqa: E402
from .autograd import (enable_grad, inference_mode, is_anomaly_check_nan_enabled,  # noqa: E402
                       is_anomaly_enabled, is_grad_enabled, is_inference_mode_enabled, no_grad,
                       set_grad_enabled)
from .ops.table import ENTRIES as _OP_TABLE  # noqa: E402

# the ops: every public function of the op table, under its name and aliases
globals().update({name: _entry.fn for _entry in _OP_TABLE if _entry.namespace == "autograd_lite"
                  for name in _entry.public_names})
from . import linalg  # noqa: E402  (torch.linalg's namespace)
from . import special  # noqa: E402  (torch.special's namespace)
from .ops._util import ShapeError  # noqa: E402
from .random import (Generator, default_generator, get_rng_state, initial_seed,  # noqa: E402
                     manual_seed, seed, set_rng_state)
from .threads import get_num_threads, set_num_threads  # noqa: E402
from .devices import (DeviceUnavailableError, device, get_default_device,  # noqa: E402
                      set_default_device)
from .formats import (channels_last, channels_last_3d, contiguous_format, layout,  # noqa: E402
                      memory_format, preserve_format, sparse_coo, sparse_csr, strided)
from .size import Size  # noqa: E402
from .typeinfo import finfo, iinfo  # noqa: E402
from .printing import get_printoptions, set_printoptions  # noqa: E402
from . import testing  # noqa: E402  (torch.testing's namespace)
from . import compiler  # noqa: E402  (torch.compiler's namespace; no compiler: runs eagerly)
from .compiler import compile  # noqa: E402
from math import e, inf, nan, pi  # noqa: E402  (torch.pi ...: Python floats, as PyTorch's)
newaxis = None  # x[:, ag.newaxis], as NumPy's and PyTorch's
from . import tensortypes as _tensortypes  # noqa: E402
from .tensortypes import (BFloat16Tensor, BoolTensor, ByteTensor, CharTensor, DoubleTensor,  # noqa: E402
                          FloatTensor, HalfTensor, IntTensor, LongTensor, ShortTensor)
from . import sparse  # noqa: E402  (torch.sparse's namespace)
from . import backends  # noqa: E402
from .backends import (are_deterministic_algorithms_enabled,  # noqa: E402
                       get_float32_matmul_precision,
                       is_deterministic_algorithms_warn_only_enabled,
                       set_float32_matmul_precision, use_deterministic_algorithms)

Tensor.type = _tensortypes.tensor_type

float16 = half = _dtypes.float16
bfloat16 = _dtypes.bfloat16
float32 = float = _dtypes.float32
float64 = double = _dtypes.float64
int8 = _dtypes.int8
int16 = short = _dtypes.int16
int32 = int = _dtypes.int32
int64 = long = _dtypes.int64
uint8 = _dtypes.uint8
bool = _dtypes.bool_


def is_tensor(obj):
    """True if `obj` is a Tensor (a Parameter too)."""
    return isinstance(obj, Tensor)


def numel(input):
    """The number of elements of `input`."""
    return input.numel()


def is_floating_point(input):
    """True if `input` has a floating-point dtype."""
    return input.is_floating_point()


def _lazy_submodule(name):
    import importlib

    return importlib.import_module(f"{__name__}.{name}")


def __getattr__(name):
    # nn, optim, utils, viz, onnx, distributed, the device modules, amp, func (torch.func's
    # namespace), profiler and the serialization functions load on first use so `import autograd_lite`
    # stays fast.
    if name in ("nn", "optim", "utils", "viz", "serialization", "onnx", "distributed", "amp", "cuda",
                "cpu", "mps", "accelerator", "distributions", "func", "profiler"):
        return _lazy_submodule(name)
    if name in ("save", "load"):
        return getattr(_lazy_submodule("serialization"), name)
    if name in ("autocast", "is_autocast_enabled"):
        return getattr(_lazy_submodule("amp"), name)
    raise AttributeError(f"module 'autograd_lite' has no attribute '{name}'")


__version__ = "0.1.0"
