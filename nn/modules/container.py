"""torch.nn.modules.container: the containers, the objects of autograd_lite.nn."""
from .. import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential  # noqa: F401

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
