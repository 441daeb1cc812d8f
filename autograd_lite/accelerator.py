"""`ag.accelerator`: PyTorch's device-agnostic accelerator queries. autograd_lite has no
accelerator, so the queries answer as PyTorch's do on a CPU-only machine and anything
that needs a device raises."""
from .devices import DeviceUnavailableError


def _none_available(what):
    return DeviceUnavailableError(f"accelerator.{what}: no accelerator is available; "
                                  f"autograd_lite runs on the CPU only")


def is_available():
    """False: there is no accelerator (the CPU is not one, as in PyTorch)."""
    return False


def current_accelerator(check_available=False):
    """None: there is no accelerator (the CPU is not one, as in PyTorch)."""
    return None


def device_count():
    """0: there is no accelerator."""
    return 0


def current_device_index():
    """Raises DeviceUnavailableError: there is no accelerator."""
    raise _none_available("current_device_index")


current_device_idx = current_device_index


def set_device_index(device):
    """Raises DeviceUnavailableError: there is no accelerator."""
    raise _none_available("set_device_index")


set_device_idx = set_device_index


def synchronize(device=None):
    """Raises DeviceUnavailableError: there is no accelerator."""
    raise _none_available("synchronize")


def empty_cache():
    """Raises DeviceUnavailableError: there is no accelerator."""
    raise _none_available("empty_cache")
