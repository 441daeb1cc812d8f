"""`ag.mps`: Apple's Metal backend is not available here; the queries answer as
PyTorch's do off a Mac and the calls that need the device raise."""
from .devices import DeviceUnavailableError


def _unavailable(what):
    return DeviceUnavailableError(f"mps.{what}: the MPS backend is not available; "
                                  f"autograd_lite runs on the CPU only")


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """A no-op, as PyTorch's without MPS."""


def seed():
    raise _unavailable("seed")


def get_rng_state(device="mps"):
    raise _unavailable("get_rng_state")


def set_rng_state(new_state, device="mps"):
    raise _unavailable("set_rng_state")


def empty_cache():
    raise _unavailable("empty_cache")


def synchronize():
    raise _unavailable("synchronize")
