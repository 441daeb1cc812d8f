"""torch.nn.modules.module: Module and the global module hooks, the objects of autograd_lite.nn."""
from ..module import Module, _IncompatibleKeys  # noqa: F401
from ..module_hooks import (register_module_forward_hook, register_module_forward_pre_hook,  # noqa: F401
                            register_module_full_backward_hook, register_module_full_backward_pre_hook)

__all__ = ["register_module_forward_pre_hook", "register_module_forward_hook",
           "register_module_full_backward_pre_hook", "register_module_full_backward_hook", "Module"]
