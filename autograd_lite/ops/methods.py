"""Attach the ops to Tensor as methods and operators, with PyTorch's names: the op
table's methods and in-place variants, the operators (with a shortcut for the
common float cases) and `backward`."""
import numbers
import re
import textwrap

from .. import _dtypes, tensor_info, tensor_pickle, tensor_python
from ..autograd import api as autograd_api
from ..tensor import Tensor
from . import arithmetic, compare, elementwise, index, inplace, linalg, shape, strided
from ._util import scalar_array
from .table import ENTRIES


def _swap(fn):
    """Reflected operator: `other OP self`."""

    def reflected(self, other):
        return fn(other, self)

    return reflected


def _fast_operator(op_cls, general, reflected=False):
    """`tensor OP other` with a shortcut for the common case, two float tensors of one
    dtype or a float tensor and a Python number: straight to the op's node class,
    skipping the general function's dtype promotion (Op.operator). Anything else takes
    `general`."""
    if not reflected:
        return op_cls.operator(general, scalar_array)
    apply2 = op_cls.apply2  # bound once, not per call

    def method(self, other):
        dt = self._data.dtype
        if dt.kind == "f" and (other.__class__ is float or other.__class__ is int):
            return apply2(scalar_array(other, dt), self)
        return general(other, self)

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
        return compare.logical_not(self)
    return compare.bitwise_not(self)


def _iter(self):
    if self._data.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return iter(shape.unbind(self, 0))


def _contains(self, element):
    """`element in tensor`: whether any element equals `element` (a number, or a tensor
    compared with broadcasting), as PyTorch."""
    if not isinstance(element, (numbers.Number, Tensor)):
        raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed "
                           f"in a {type(element)}.")
    return bool(compare.eq(self, element).any())


def _backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradient of this tensor into the `.grad` of the graph's leaves
    (as torch.Tensor.backward)."""
    autograd_api.backward(self, gradient, retain_graph, create_graph, inputs)


_OPERATORS = {
    "__add__": _fast_operator(arithmetic.Add, arithmetic.add), "__radd__": _fast_operator(arithmetic.Add, arithmetic.add, True),
    "__sub__": _fast_operator(arithmetic.Sub, arithmetic.sub), "__rsub__": _fast_operator(arithmetic.Sub, arithmetic.sub, True),
    "__mul__": _fast_operator(arithmetic.Mul, arithmetic.mul), "__rmul__": _fast_operator(arithmetic.Mul, arithmetic.mul, True),
    "__truediv__": _fast_operator(arithmetic.Div, arithmetic.div),
    "__rtruediv__": arithmetic.rdiv, "__floordiv__": arithmetic.floor_divide,
    "__rfloordiv__": _swap(arithmetic.floor_divide), "__mod__": arithmetic.remainder,
    "__rmod__": _swap(arithmetic.remainder), "__pow__": arithmetic.pow, "__rpow__": _swap(arithmetic.pow),
    "__matmul__": linalg.matmul, "__rmatmul__": _swap(linalg.matmul), "__neg__": arithmetic.neg,
    "__pos__": lambda self: self, "__abs__": elementwise.abs,
    "__eq__": _comparison(compare.eq), "__ne__": _comparison(compare.ne), "__lt__": _comparison(compare.lt),
    "__le__": _comparison(compare.le), "__gt__": _comparison(compare.gt), "__ge__": _comparison(compare.ge),
    "__and__": compare.bitwise_and, "__rand__": _swap(compare.bitwise_and), "__or__": compare.bitwise_or,
    "__ror__": _swap(compare.bitwise_or), "__xor__": compare.bitwise_xor,
    "__rxor__": _swap(compare.bitwise_xor), "__invert__": _invert,
    "__lshift__": compare.bitwise_left_shift, "__rlshift__": _swap(compare.bitwise_left_shift),
    "__rshift__": compare.bitwise_right_shift, "__rrshift__": _swap(compare.bitwise_right_shift),
    "__getitem__": index.getitem, "__iter__": _iter, "__contains__": _contains,
}

# A line starting with one of these would begin a Markdown list, quote or heading.
_MARKDOWN_LINE_START = re.compile(r"[-+*>#]\s|\d+[.)]\s")


def _wrapped(doc, width=88):
    """The table's one-line text wrapped for `help()`, never starting a line with
    something Markdown (the API reference renders docstrings as Markdown) would read as
    a list item, quote or heading: such a word stays at the end of the line before."""
    lines = textwrap.wrap(doc, width, break_long_words=False, break_on_hyphens=False)
    i = 1
    while i < len(lines):
        if _MARKDOWN_LINE_START.match(lines[i] + " "):
            word, _, rest = lines[i].partition(" ")
            lines[i - 1] += " " + word
            if rest:
                lines[i] = rest
                continue
            del lines[i]
            continue
        i += 1
    return "\n".join(lines)


def _give_doc(fn, doc):
    if doc and not fn.__doc__:
        fn.__doc__ = _wrapped(doc)


def document_from_table(module, functions):
    """Give each function that the op table declares in `module` ("autograd_lite",
    "nn.functional", "nn.functional.rnn"...) and that has no docstring its entry's `doc`,
    so `help()` and the API reference read the text written once in the table.
    `functions` maps names to functions (the module's globals())."""
    for entry in ENTRIES:
        if not entry.doc:
            continue
        if isinstance(entry.fn, str):
            parent, _, name = entry.fn.rpartition(".")
            names = (name,) if parent == module else ()
        else:
            names = entry.public_names if module == entry.namespace else ()
        for name in names:
            fn = functions.get(name)
            if fn is not None:
                _give_doc(fn, entry.doc)


def install_table(Tensor):
    """Each entry's methods (bound to its function) and in-place variant; functions
    without a docstring take the entry's `doc`."""
    for entry in ENTRIES:
        if entry.namespace not in ("autograd_lite", "Tensor"):
            continue
        _give_doc(entry.fn, entry.doc)
        if entry.method_fn is not None:
            _give_doc(entry.method_fn, entry.doc)
        for name in entry.methods:
            setattr(Tensor, name, entry.method_fn or entry.fn)
        if entry.inplace:
            method = entry.inplace_fn or inplace.unary_inplace(entry.fn, entry.inplace)
            _give_doc(method, f"In-place `{entry.name}`: writes the result into this tensor "
                              f"and returns it.")
            for name in (entry.inplace,) + tuple(entry.inplace_aliases):
                setattr(Tensor, name, method)


def install(Tensor):
    """The operators, the table's methods and in-place variants, `backward`, the
    transpose properties and the augmented assignments."""
    for name, fn in _OPERATORS.items():
        setattr(Tensor, name, fn)
    install_table(Tensor)
    Tensor.__ilshift__ = Tensor.bitwise_left_shift_  # the table's in-place variants
    Tensor.__irshift__ = Tensor.bitwise_right_shift_
    Tensor.backward = _backward
    Tensor.storage_offset = strided.storage_offset
    Tensor.dim_order = strided.dim_order
    Tensor.T = property(shape._T, doc="The dims in reverse order (a view); for a matrix, its transpose.")
    Tensor.mT = property(shape._mT, doc="The last two dims swapped (a view): a batch of matrices transposed.")
    Tensor.H = property(shape._T, doc="As `T`: the conjugate is the tensor itself (no complex dtypes).")
    Tensor.mH = property(shape._mT, doc="As `mT`: the conjugate is the tensor itself (no complex dtypes).")
    inplace.install_operators(Tensor)
    tensor_info.install(Tensor)
    tensor_pickle.install(Tensor)
    tensor_python.install(Tensor)
