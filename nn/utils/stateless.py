"""torch.nn.utils.stateless: `functional_call`, deprecated in PyTorch 2.0 for
torch.func.functional_call, which it calls (autograd_lite.func.functional_call)."""
import warnings

from autograd_lite import func

__all__ = ["functional_call"]


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True,
                    strict=False):
    """Deprecated (FutureWarning, as PyTorch): `autograd_lite.func.functional_call`, to
    which it hands every argument: `module(*args, **kwargs)` run with the parameters and
    buffers named in `parameters_and_buffers` replaced by the given tensors."""
    warnings.warn("This API is deprecated as of PyTorch 2.0 and will be removed in a future "
                  "version of PyTorch. Please use torch.func.functional_call instead which is a "
                  "drop-in replacement for this API.", FutureWarning, stacklevel=2)
    return func.functional_call(module, parameters_and_buffers, args, kwargs,
                                tie_weights=tie_weights, strict=strict)
