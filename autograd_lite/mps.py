"""`ag.mps`: Apple's Metal backend is not available here; the queries answer as
PyTorch's do off a Mac and the calls that need the device raise."""
from .devices import DeviceUnavailableError


def _unavailable(what):
    return DeviceUnavailableError(f"mps.{what}: the MPS backend is not available; "
                                  f"autograd_lite runs on the CPU only")


def is_available():
    """False: the MPS backend is not available."""
    return False


def device_count():
    """0: there is no MPS device."""
    return 0


def manual_seed(seed):
    """A no-op, as PyTorch's without MPS."""


def seed():
    """Raises DeviceUnavailableError: there is no MPS generator."""
    raise _unavailable("seed")


def get_rng_state(device="mps"):
    """Raises DeviceUnavailableError: there is no MPS generator."""
    raise _unavailable("get_rng_state")


def set_rng_state(new_state, device="mps"):
    """Raises DeviceUnavailableError: there is no MPS generator."""
    raise _unavailable("set_rng_state")


def empty_cache():
    """Raises DeviceUnavailableError: there is no MPS memory."""
    raise _unavailable("empty_cache")


def synchronize():
    """Raises DeviceUnavailableError: there is no MPS device."""
    raise _unavailable("synchronize")
