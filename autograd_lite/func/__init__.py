"""autograd_lite.func: torch.func's namespace. `functional_call` (a Module called with
given parameters and buffers), the differentiation transforms `grad`,
`grad_and_value`, `vjp`, `jvp`, `jacrev`, `jacfwd`, `hessian`, and `vmap` (a loop over
the batch, see its docstring). All take and return pytrees:
tuples, lists and dicts of tensors."""
from .stateless import functional_call
from .transforms import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, vjp
from .batching import vmap

__all__ = ["functional_call", "grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap"]
