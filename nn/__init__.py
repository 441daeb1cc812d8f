"""autograd_lite.nn: modules, layers, losses, initialisation (installed from the
top-level nn/ folder), with PyTorch's names, shapes, defaults and state_dict keys."""
import importlib

from . import functional, init, utils  # noqa: F401
from .activation import *  # noqa: F401,F403
from .adaptive import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .autoencoder import *  # noqa: F401,F403
from .channelshuffle import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .crossmap_lrn import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .embedding_bag import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403
from .instancenorm import *  # noqa: F401,F403
from .lazy import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .models import *  # noqa: F401,F403
from .module import Module
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .parallel import DataParallel  # noqa: F401  (nn.DataParallel, as PyTorch's)
from .parameter import Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401
from .parameter_containers import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403


def __getattr__(name):
    # nn.parallel loads autograd_lite.distributed (~10 ms): on first use, so importing
    # nn stays fast; nn.modules (PyTorch's module paths) likewise
    if name in ("parallel", "modules"):
        return importlib.import_module(f"{__name__}.{name}")
    if name == "SyncBatchNorm":  # it loads autograd_lite.distributed too
        return importlib.import_module(f"{__name__}.sync_batchnorm").SyncBatchNorm
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():  # the lazy names too (the API reference and help() list them)
    return sorted(set(globals()) | {"SyncBatchNorm"})
