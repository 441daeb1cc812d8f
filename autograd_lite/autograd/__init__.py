"""Reverse-mode autodiff: graph nodes, the backward engine, grad modes,
`grad`, custom `Function`s and `gradcheck`."""
from .api import backward, grad
from .function import Function, FunctionCtx
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .node import Node, Op

__all__ = ["backward", "grad", "Function", "FunctionCtx", "GradcheckError", "gradcheck",
           "gradgradcheck", "enable_grad", "is_grad_enabled", "no_grad", "set_grad_enabled",
           "Node", "Op"]
