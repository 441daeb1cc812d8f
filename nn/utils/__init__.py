"""nn.utils: gradient clipping, parameter/vector conversion, parametrizations
(`parametrize`, `parametrizations`) and the legacy weight_norm, as `torch.nn.utils`;
`prune`, `fusion` and `stateless` load on first use."""
import importlib

from .clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from .convert_parameters import parameters_to_vector, vector_to_parameters
from . import rnn  # noqa: F401,E402
from . import parametrize, parametrizations  # noqa: F401,E402
from .weight_norm import remove_weight_norm, weight_norm

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm",
           "parameters_to_vector", "vector_to_parameters", "weight_norm", "remove_weight_norm"]


def __getattr__(name):
    # loaded on first use (stateless brings autograd_lite.func): importing nn stays fast
    if name in ("fusion", "prune", "stateless"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
