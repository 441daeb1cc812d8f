"""Attach the ops to Tensor as methods and operators, with PyTorch's names: the op
table's methods and in-place variants, then the operators and the methods that are
not ops (casts, `new_*` factories, `type`, `backward`)."""
from .. import _dtypes
from ..autograd import api as _autograd_api
from ..tensor import Tensor
from . import arithmetic as ar
from . import creation
from ._util import scalar_array
from .creation import empty, full, ones, zeros
from . import compare as cmp
from . import elementwise as el
from . import index as ix
from . import inplace
from . import linalg as la
from . import reduce as rd
from . import shape as sh
from . import softmaxes as sm
from .table import ENTRIES


def _swap(fn):
    """Reflected operator: `other OP self`."""

    def reflected(self, other):
        return fn(other, self)

    return reflected


def _fast_operator(op_cls, general, reflected=False):
    """`tensor OP other` with a shortcut for the common case, two float tensors of one
    dtype or a float tensor and a Python number: straight to the op's node class,
    skipping the general function's dtype promotion. Anything else takes `general`."""
    apply2 = op_cls.apply2  # bound once, not per call
    if reflected:
        def method(self, other):
            dt = self._data.dtype
            if dt.kind == "f" and (other.__class__ is float or other.__class__ is int):
                return apply2(scalar_array(other, dt), self)
            return general(other, self)
    else:
        def method(self, other):
            dt = self._data.dtype
            if dt.kind == "f":
                if other.__class__ is Tensor and other._data.dtype is dt:
                    return apply2(self, other)
                if other.__class__ is float or other.__class__ is int:
                    return apply2(self, scalar_array(other, dt))
            return general(self, other)
    method.__name__ = general.__name__
    return method


def _comparison(fn):
    def op(self, other):
        try:
            return fn(self, other)
        except TypeError:
            return NotImplemented

    return op


def _invert(self):
    if self._data.dtype == _dtypes.bool_:
        return cmp.logical_not(self)
    return cmp.bitwise_not(self)


def _iter(self):
    if self._data.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return iter(sh.unbind(self, 0))


def _where(self, condition, other):
    return el.where(condition, self, other)


def _backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradient of this tensor into the `.grad` of the graph's leaves
    (as torch.Tensor.backward)."""
    _autograd_api.backward(self, gradient, retain_graph, create_graph, inputs)


def _new_tensor(self, data, dtype=None, device=None, requires_grad=False, layout=None,
                pin_memory=False):
    return creation.tensor(data, dtype=dtype or self._data.dtype, device=device,
                           requires_grad=requires_grad, pin_memory=pin_memory)


def _new_factory(fn):
    """`x.new_zeros(2, 3)` / `x.new_zeros((2, 3))` / `x.new_zeros(size=...)`: x's dtype by default."""
    def method(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False, **kwargs):
        return fn(*size, dtype=dtype or self._data.dtype, device=device, layout=layout,
                  requires_grad=requires_grad, pin_memory=pin_memory, **kwargs)

    return method


_METHODS = {
    # arithmetic
    "add": ar.add, "sub": ar.sub, "subtract": ar.sub, "mul": ar.mul, "multiply": ar.mul,
    "div": ar.div, "divide": ar.div, "true_divide": ar.div, "floor_divide": ar.floor_divide,
    "remainder": ar.remainder, "neg": ar.neg, "negative": ar.neg, "pow": ar.pow,
    "square": ar.square,
    # elementwise
    "exp": el.exp, "log": el.log, "log2": el.log2, "log10": el.log10, "log1p": el.log1p,
    "expm1": el.expm1, "sqrt": el.sqrt, "rsqrt": el.rsqrt, "abs": el.abs, "absolute": el.abs,
    "sign": el.sign, "sin": el.sin, "cos": el.cos, "tan": el.tan, "tanh": el.tanh,
    "sigmoid": el.sigmoid, "relu": el.relu, "reciprocal": el.reciprocal, "clamp": el.clamp,
    "clip": el.clamp, "clamp_min": el.clamp_min, "clamp_max": el.clamp_max,
    "maximum": el.maximum, "minimum": el.minimum, "floor": el.floor, "ceil": el.ceil,
    "round": el.round, "trunc": el.trunc, "lerp": el.lerp, "to": el.to,
    # comparisons
    "eq": cmp.eq, "ne": cmp.ne, "lt": cmp.lt, "le": cmp.le, "gt": cmp.gt, "ge": cmp.ge,
    "greater": cmp.gt, "less": cmp.lt, "logical_and": cmp.logical_and,
    "logical_or": cmp.logical_or, "logical_xor": cmp.logical_xor,
    "logical_not": cmp.logical_not, "isnan": cmp.isnan, "isinf": cmp.isinf,
    "isfinite": cmp.isfinite, "isclose": cmp.isclose, "allclose": cmp.allclose,
    "equal": cmp.equal,
    # reductions
    "sum": rd.sum, "mean": rd.mean, "prod": rd.prod, "var": rd.var, "std": rd.std,
    "logsumexp": rd.logsumexp, "norm": rd.norm, "max": rd.max, "min": rd.min,
    "amax": rd.amax, "amin": rd.amin, "argmax": rd.argmax, "argmin": rd.argmin,
    "all": rd.all, "any": rd.any, "cumsum": rd.cumsum, "cumprod": rd.cumprod,
    "count_nonzero": rd.count_nonzero,
    # shape
    "reshape": sh.reshape, "view": sh.view, "view_as": sh.view_as, "reshape_as": sh.reshape_as,
    "flatten": sh.flatten, "unflatten": sh.unflatten, "squeeze": sh.squeeze,
    "unsqueeze": sh.unsqueeze, "transpose": sh.transpose, "permute": sh.permute,
    "swapaxes": sh.swapaxes, "swapdims": sh.swapaxes, "t": sh.t, "expand": sh.expand,
    "expand_as": sh.expand_as, "broadcast_to": sh.broadcast_to, "repeat": sh.repeat,
    "tile": sh.tile, "flip": sh.flip, "fliplr": sh.fliplr, "flipud": sh.flipud, "roll": sh.roll,
    "contiguous": sh.contiguous, "sum_to_size": sh.sum_to_size, "split": sh.split, "chunk": sh.chunk, "unbind": sh.unbind,
    "narrow": sh.narrow, "movedim": sh.movedim, "moveaxis": sh.movedim,
    # indexing
    "gather": ix.gather, "scatter": ix.scatter, "scatter_add": ix.scatter_add,
    "index_select": ix.index_select, "index_add": ix.index_add, "masked_fill": ix.masked_fill,
    "masked_select": ix.masked_select, "take_along_dim": ix.take_along_dim,
    "nonzero": cmp.nonzero, "index_put": ix.index_put,
    # linear algebra
    "matmul": la.matmul, "mm": la.mm, "bmm": la.bmm, "dot": la.dot, "inner": la.dot,
    "outer": la.outer,
    # softmax
    "softmax": sm.softmax, "log_softmax": sm.log_softmax,
    # misc
    "where": _where, "new_tensor": _new_tensor, "backward": _backward,
    "clone": creation.clone,
}

_OPERATORS = {
    "__add__": _fast_operator(ar.Add, ar.add), "__radd__": _fast_operator(ar.Add, ar.add, True),
    "__sub__": _fast_operator(ar.Sub, ar.sub), "__rsub__": _fast_operator(ar.Sub, ar.sub, True),
    "__mul__": _fast_operator(ar.Mul, ar.mul), "__rmul__": _fast_operator(ar.Mul, ar.mul, True),
    "__truediv__": _fast_operator(ar.Div, ar.div),
    "__rtruediv__": _swap(ar.div), "__floordiv__": ar.floor_divide,
    "__rfloordiv__": _swap(ar.floor_divide), "__mod__": ar.remainder,
    "__rmod__": _swap(ar.remainder), "__pow__": ar.pow, "__rpow__": _swap(ar.pow),
    "__matmul__": la.matmul, "__rmatmul__": _swap(la.matmul), "__neg__": ar.neg,
    "__pos__": lambda self: self, "__abs__": el.abs,
    "__eq__": _comparison(cmp.eq), "__ne__": _comparison(cmp.ne), "__lt__": _comparison(cmp.lt),
    "__le__": _comparison(cmp.le), "__gt__": _comparison(cmp.gt), "__ge__": _comparison(cmp.ge),
    "__and__": cmp.bitwise_and, "__rand__": _swap(cmp.bitwise_and), "__or__": cmp.bitwise_or,
    "__ror__": _swap(cmp.bitwise_or), "__xor__": cmp.bitwise_xor,
    "__rxor__": _swap(cmp.bitwise_xor), "__invert__": _invert,
    "__getitem__": ix.getitem, "__iter__": _iter,
}

_CASTS = {"float": _dtypes.float32, "double": _dtypes.float64, "half": _dtypes.float16,
          "long": _dtypes.int64, "int": _dtypes.int32, "short": _dtypes.int16,
          "bool": _dtypes.bool_, "byte": _dtypes.uint8, "char": _dtypes.int8}


def install_table(Tensor):
    """Each entry's methods (bound to its function) and in-place variant."""
    for entry in ENTRIES:
        if entry.namespace not in ("autograd_lite", "Tensor"):
            continue
        for name in entry.methods:
            setattr(Tensor, name, entry.method_fn or entry.fn)
        if entry.inplace:
            method = entry.inplace_fn or inplace.unary_inplace(entry.fn, entry.inplace)
            for name in (entry.inplace,) + tuple(entry.inplace_aliases):
                setattr(Tensor, name, method)


def install(Tensor):
    for name, fn in {**_METHODS, **_OPERATORS}.items():
        setattr(Tensor, name, fn)
    install_table(Tensor)
    for name, dtype in _CASTS.items():
        setattr(Tensor, name, el._caster(dtype))
    Tensor.T = property(sh._T)
    Tensor.mT = property(sh._mT)
    Tensor.H = property(sh._T)
    Tensor.mH = property(sh._mT)
    Tensor.new_zeros = _new_factory(zeros)
    Tensor.new_ones = _new_factory(ones)
    Tensor.new_empty = _new_factory(empty)
    Tensor.new_full = lambda self, size, fill_value, dtype=None, device=None, requires_grad=False, \
        layout=None, pin_memory=False: full(size, fill_value, dtype=dtype or self._data.dtype,
                                            device=device, requires_grad=requires_grad,
                                            layout=layout, pin_memory=pin_memory)
    inplace._install(Tensor)
