"""`Parameter`: a leaf tensor that a Module registers as one of its parameters."""
import numpy as np

import autograd_lite as ag
from autograd_lite.tensor import Tensor


class Parameter(Tensor):
    """A tensor that requires grad by default and is registered when assigned as a
    Module attribute. It shares memory with the tensor or array it wraps."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            arr = np.empty(0, ag.get_default_dtype())
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            arr = np.asarray(data)
            if arr.dtype.kind not in "biuf" and arr.dtype != ag.bfloat16:
                raise TypeError(f"Parameter: unsupported data of dtype {arr.dtype}")
        self._init_leaf(arr, requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        """A new Parameter with copied data (and grad): `copy.deepcopy(model)` works."""
        if id(self) in memo:
            return memo[id(self)]
        p = Parameter(self._data.copy(), self._requires_grad)
        if self.grad is not None:
            p.grad = Tensor._make(self.grad._data.copy(), False, None, 0, [0, 0])
        memo[id(self)] = p
        return p

    def __reduce_ex__(self, protocol):
        raise TypeError("Parameters are saved with ag.save(module.state_dict(), path), not pickled")
