"""`ag.cpu`: the CPU as a device module, as `torch.cpu` (always available, one device)."""
from ..devices import cpu_only
from . import amp  # noqa: F401  (ag.cpu.amp.autocast / GradScaler)


def is_available():
    """True: the CPU is always there."""
    return True


def is_initialized():
    """True: nothing to initialise."""
    return True


def device_count():
    """1: the CPU is one device."""
    return 1


def current_device():
    """"cpu", as PyTorch's."""
    return "cpu"


def set_device(device):
    """Accepts the CPU only (anything else raises); nothing to switch."""
    cpu_only(device, "cpu.set_device")


def synchronize(device=None):
    """Nothing to wait for: CPU ops finish before they return."""
    cpu_only(device, "cpu.synchronize")
