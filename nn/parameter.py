"""`Parameter`: a leaf tensor that a Module registers as one of its parameters."""
import numpy as np

import autograd_lite as ag
from autograd_lite.tensor import Tensor


class Parameter(Tensor):
    """A tensor that requires grad by default and is registered when assigned as a
    Module attribute. It shares memory with the tensor or array it wraps."""

    __slots__ = ("__dict__",)  # attributes users set on parameters (PyTorch allows them)

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
