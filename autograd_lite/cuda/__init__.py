"""`ag.cuda`: CUDA is never available here. The queries answer as PyTorch's do on a
machine without a GPU (`is_available()` is False, `device_count()` 0), seeding and
`empty_cache` are no-ops as there, memory counters are 0, and every call that needs a
GPU raises DeviceUnavailableError (a RuntimeError, also catchable as the
AssertionError PyTorch raises)."""
from ..devices import DeviceUnavailableError
from ..tensortypes import CUDA_TYPES
from . import amp  # noqa: F401  (ag.cuda.amp.autocast / GradScaler)

# the legacy CUDA tensor types exist (for isinstance and x.type(...)); calling one raises
FloatTensor = CUDA_TYPES["FloatTensor"]
DoubleTensor = CUDA_TYPES["DoubleTensor"]
HalfTensor = CUDA_TYPES["HalfTensor"]
LongTensor = CUDA_TYPES["LongTensor"]
IntTensor = CUDA_TYPES["IntTensor"]
ShortTensor = CUDA_TYPES["ShortTensor"]
CharTensor = CUDA_TYPES["CharTensor"]
ByteTensor = CUDA_TYPES["ByteTensor"]
BoolTensor = CUDA_TYPES["BoolTensor"]


def _no_cuda(what):
    return DeviceUnavailableError(f"cuda.{what}: CUDA is not available; autograd_lite runs on "
                                  f"the CPU only (guard GPU code with ag.cuda.is_available())")


def is_available():
    """False: autograd_lite runs on the CPU only."""
    return False


def device_count():
    """0: there is no CUDA device."""
    return 0


def is_initialized():
    """False: CUDA is never initialised."""
    return False


def is_bf16_supported(including_emulation=True):
    """False: there is no CUDA device."""
    return False


def manual_seed(seed):
    """A no-op, as PyTorch's without CUDA (CPU draws are seeded by ag.manual_seed)."""


def manual_seed_all(seed):
    """A no-op, as PyTorch's without CUDA."""


def seed():
    """A no-op, as PyTorch's without CUDA."""


def seed_all():
    """A no-op, as PyTorch's without CUDA."""


def empty_cache():
    """A no-op, as PyTorch's without CUDA: there is no GPU memory to free."""


def memory_allocated(device=None):
    """0 bytes: there is no CUDA memory."""
    return 0


def max_memory_allocated(device=None):
    """0 bytes: there is no CUDA memory."""
    return 0


def memory_reserved(device=None):
    """0 bytes: there is no CUDA memory."""
    return 0


def max_memory_reserved(device=None):
    """0 bytes: there is no CUDA memory."""
    return 0


def reset_peak_memory_stats(device=None):
    """A no-op: no GPU memory is ever allocated."""


def synchronize(device=None):
    """Raises DeviceUnavailableError: there is no CUDA device to wait for."""
    raise _no_cuda("synchronize")


def init():
    """Raises DeviceUnavailableError: CUDA is not available."""
    raise _no_cuda("init")


def current_device():
    """Raises DeviceUnavailableError: there is no CUDA device."""
    raise _no_cuda("current_device")


def set_device(device):
    """Raises DeviceUnavailableError: there is no CUDA device."""
    raise _no_cuda("set_device")


def get_device_name(device=None):
    """Raises DeviceUnavailableError: there is no CUDA device."""
    raise _no_cuda("get_device_name")


def get_device_properties(device=None):
    """Raises DeviceUnavailableError: there is no CUDA device."""
    raise _no_cuda("get_device_properties")


def get_device_capability(device=None):
    """Raises DeviceUnavailableError: there is no CUDA device."""
    raise _no_cuda("get_device_capability")


def initial_seed():
    """Raises DeviceUnavailableError: there is no CUDA generator."""
    raise _no_cuda("initial_seed")


def get_rng_state(device="cuda"):
    """Raises DeviceUnavailableError: there is no CUDA generator."""
    raise _no_cuda("get_rng_state")


def set_rng_state(new_state, device="cuda"):
    """Raises DeviceUnavailableError: there is no CUDA generator."""
    raise _no_cuda("set_rng_state")


def get_rng_state_all():
    """No devices, no states (as PyTorch's without CUDA)."""
    return []


def set_rng_state_all(new_states):
    """No devices to set (as PyTorch's without CUDA)."""
