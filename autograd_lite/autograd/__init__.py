"""Reverse-mode autodiff: graph nodes, the backward engine, grad modes, anomaly mode,
`grad`, custom `Function`s, `gradcheck` and `functional` (jacobian, hessian, vjp, ...)."""
import importlib

from .anomaly import (detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled,
                      set_detect_anomaly)
from .api import backward, grad
from .function import Function, FunctionCtx
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                        set_grad_enabled)
from .node import Node, Op
from .variable import Variable
from . import functional  # noqa: E402,F401  (torch.autograd.functional, loaded with the package as PyTorch's)
from . import graph  # noqa: E402,F401  (torch.autograd.graph)

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "backward", "grad", "Function", "FunctionCtx",
           "GradcheckError", "gradcheck", "gradgradcheck", "enable_grad", "is_grad_enabled", "no_grad", "set_grad_enabled",
           "inference_mode", "is_inference_mode_enabled",
           "Node", "Op", "Variable"]


def __getattr__(name):
    # torch.autograd.profiler: loaded on first use (it is the api layer's
    # autograd_lite.profiler.legacy, kept out of `import autograd_lite`)
    if name == "profiler":
        return importlib.import_module(f"{__name__}.profiler")
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
