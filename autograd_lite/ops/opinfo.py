"""The op table's vocabulary: `OpInfo` declares one public op once (its function, its
Tensor method and in-place names, sample inputs, dtypes, differentiability), and `T`
and `Sample` describe sample inputs without building them (the tests' harness makes
the arrays, in both autograd_lite and PyTorch, from a seed).

The entries themselves live in `ops/table/`, one module per family. From them come
the `autograd_lite` exports, the Tensor methods and in-place variants
(`autograd_lite/methods.py`), and the generic tests (`tests/ops/test_op_table.py`):
values and gradients against PyTorch, gradcheck, gradgradcheck, fast_backward against
backward bit for bit, the in-place variant and the version-counter check.
"""
from dataclasses import dataclass, field

import numpy as np

FLOATS = ("float64", "float32")
BF16 = ("bfloat16",)  # PyTorch's CPU kernels take it for nearly every float op
INTS = ("int64",)

LAYOUTS = ("contiguous", "transposed", "strided", "sparse", "uncoalesced")
SPARSE_LAYOUTS = ("sparse", "uncoalesced")


class T:
    """A tensor argument of a sample: its shape, value range and memory layout.

    `kind` "data" takes the dtype the test runs with; "index" is int64 in [low, high);
    "bool" is a random mask; `values` fixes the contents (cast to the run's dtype for
    "data"), or a function computing them on first use (samples that factor matrices
    or draw indices cost nothing at `import autograd_lite`, which builds the table). `margin` keeps float values at least that far from 0 (for kinks such as
    abs at 0); `offgrid` keeps them 0.1-0.4 away from integers (floor, round). `layout` "transposed" is a transposed view of a contiguous tensor (the
    last two dims), "strided" a view taking every other element of the last dim.
    `grad=False` keeps a float argument out of the gradients (a target, a weight the
    op doesn't differentiate).

    Sparse COO arguments are dense leaves seen through a sparse layout: "sparse" is
    `to_sparse()` (coalesced), "uncoalesced" the same entries stored twice, as halves,
    the second copies in reverse order (`view` builds it with the library's
    `sparse_coo_tensor`; integer values: the whole and 0). Gradients reach the dense
    leaf in both libraries. `zeros` is the share of entries set to 0 (default 0.4 for
    the sparse layouts), so `to_sparse` has a pattern to find."""

    __slots__ = ("shape", "low", "high", "kind", "layout", "grad", "values", "margin", "offgrid",
                 "zeros")

    def __init__(self, *shape, low=-2.0, high=2.0, kind="data", layout="contiguous", grad=True,
                 values=None, margin=0.0, offgrid=False, zeros=None):
        if len(shape) == 1 and isinstance(shape[0], tuple):
            shape = shape[0]
        if layout not in LAYOUTS:
            raise ValueError(f"T: layout must be one of {LAYOUTS}, got {layout!r}")
        self.shape, self.low, self.high = tuple(shape), low, high
        self.kind, self.layout, self.grad = kind, layout, grad
        self.values = values if values is None or callable(values) else np.asarray(values)
        self.margin, self.offgrid = margin, offgrid
        self.zeros = (0.4 if layout in SPARSE_LAYOUTS else 0.0) if zeros is None else zeros

    def dtype(self, run_dtype):
        if self.kind == "index":
            return np.dtype(np.int64)
        if self.kind == "bool":
            return np.dtype(np.bool_)
        return np.dtype(run_dtype)

    def base_shape(self):
        """The shape of the contiguous tensor the layout is a view of."""
        s = self.shape
        if self.layout == "transposed":
            return s[:-2] + (s[-1], s[-2])
        if self.layout == "strided":
            return s[:-1] + (2 * s[-1],)
        return s

    def make(self, rng, run_dtype):
        """The base array (contiguous; the layout is applied to the tensors)."""
        arr = self._values(rng, run_dtype)
        if self.zeros:
            arr[rng.random(arr.shape) < self.zeros] = 0
        return arr

    def fixed_values(self):
        """The fixed contents (None: drawn per run), computed now if they were deferred."""
        if callable(self.values):
            self.values = np.asarray(self.values())
        return self.values

    def _values(self, rng, run_dtype):
        dtype = self.dtype(run_dtype)
        if self.fixed_values() is not None:
            arr = self.values.astype(dtype)
            if self.layout == "transposed":
                arr = np.ascontiguousarray(np.swapaxes(arr, -1, -2))
            elif self.layout == "strided":
                arr = np.repeat(arr, 2, axis=-1)
            return arr
        shape = self.base_shape()
        if dtype.kind == "b":
            return rng.random(shape) < 0.5
        if dtype.kind in "iu":
            return rng.integers(int(self.low), int(self.high), shape).astype(dtype)
        if self.offgrid:
            whole = rng.integers(int(self.low), int(self.high) + 1, shape)
            return (whole + rng.uniform(0.1, 0.4, shape) * rng.choice([-1, 1], shape)).astype(dtype)
        if self.margin:
            size = rng.uniform(self.margin, max(abs(self.low), abs(self.high)), shape)
            sign = rng.choice([-1.0, 1.0], shape) if self.low < 0 else 1.0
            return (size * sign).astype(dtype)
        return rng.uniform(self.low, self.high, shape).astype(dtype)

    def view(self, t, lib=None):
        """The layout applied to base tensor `t` of library `lib` (autograd_lite or torch)."""
        if self.layout == "transposed":
            return t.transpose(-1, -2)
        if self.layout == "strided":
            return t[..., ::2]
        if self.layout == "sparse":
            return t.to_sparse()
        if self.layout == "uncoalesced":
            s = t.to_sparse()
            i, v = s.indices(), s.values()
            first, second = (0.5, 0.5) if v.is_floating_point() else (1, 0)  # halves sum exactly
            return lib.sparse_coo_tensor(lib.cat([i, i.flip(1)], 1),
                                         lib.cat([v * first, v.flip(0) * second]), tuple(t.shape))
        return t

    def __repr__(self):
        extra = "" if self.layout == "contiguous" else f", {self.layout}"
        return f"T{self.shape}{extra}"


class Dtype:
    """A dtype argument (`dtype=Dtype("float64")`): each library gets its own dtype object."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"Dtype({self.name})"


@dataclass
class Sample:
    """Arguments for one call: T specs become tensors, anything else passes as is."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def __repr__(self):
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return "(" + ", ".join(parts) + ")"


def S(*args, **kwargs):
    """A Sample, written as the call it stands for."""
    return Sample(tuple(args), kwargs)


@dataclass
class OpInfo:
    """One public op, declared once.

    name:           `autograd_lite.<name>` (or `nn.functional.<name>`, or namespace
                    "linalg" / "sparse" / "special": `autograd_lite.linalg.<name>`...;
                    namespace "Tensor": a Tensor method or operator only, such as
                    `__getitem__`)
    fn:             the function, or for nn.functional entries its dotted path under
                    `autograd_lite` (the table sits below nn and doesn't import it)
    samples:        Samples covering shapes, broadcasting, layouts, empty tensors
    aliases:        more exported names for the same function
    methods:        Tensor method names bound to `fn` (or to `method_fn`)
    inplace:        the in-place Tensor method's name (`abs_`), and `inplace_aliases`;
                    `inplace_fn` is the method when it is not the generic one
                    (see ops/inplace.py)
    torch:          PyTorch's function, as a dotted path (default: the same name)
    dtypes:         the dtypes the samples run in
    differentiable: gradients flow to the float arguments; `twice`: gradgradcheck too;
                    `gradcheck=False` where the gradient is PyTorch's by definition but
                    not the function's derivative (embedding's scale_grad_by_freq): it
                    is still compared with PyTorch's, and gradgradcheck still runs
    inplace_grad:   False where PyTorch has no derivative for the in-place variant
                    (asinh_): the in-place test then compares values only
    wrapper:        `wrapper(fn, *args, **kwargs)` calls the op in both libraries' tests
                    in place of `fn(*args, **kwargs)` (PyTorch's gradcheck_wrapper and
                    output_process_fn_grad): symmetrise a matrix an op reads one
                    triangle of, or map sign-ambiguous eigenvectors to comparable ones
    random:         values are random: only shapes and dtypes are compared
    tol:            {dtype name: dict(rtol=, atol=)} overriding the default tolerances
    onnx:           {Op class name: converter} for the op classes this entry records:
                    `converter(builder, node, inputs) -> output name(s)` writes the op as
                    ONNX nodes with the builder of autograd_lite.onnx (see its builder.py;
                    `onnx_op` below makes the one-node kind)
    doc:            the function's docstring when its own code has none (what it does,
                    arguments that differ from PyTorch's, shapes, errors); the
                    exports, the Tensor methods and nn.functional take it from here
    """

    name: str
    fn: object
    samples: list
    namespace: str = "autograd_lite"
    aliases: tuple = ()
    methods: tuple = None
    method_fn: object = None
    inplace: str = None
    inplace_aliases: tuple = ()
    inplace_fn: object = None
    torch: str = None
    dtypes: tuple = FLOATS + BF16
    differentiable: bool = True
    twice: bool = True
    gradcheck: bool = True
    inplace_grad: bool = True
    wrapper: object = None
    random: bool = False
    tol: dict = None
    note: str = ""
    onnx: dict = None
    doc: str = ""

    def __post_init__(self):
        if self.methods is None:
            self.methods = (self.name,) if self.namespace in ("autograd_lite", "Tensor") else ()
        if self.torch is None:
            prefix = {"autograd_lite": "torch.", "Tensor": "torch.Tensor.", "linalg": "torch.linalg.",
                      "sparse": "torch.sparse.", "special": "torch.special."}.get(
                self.namespace, "torch.nn.functional.")
            self.torch = prefix + self.name

    @property
    def public_names(self):
        return (self.name,) + tuple(self.aliases)

    def __repr__(self):
        return f"OpInfo({self.namespace}.{self.name})"


# bfloat16 tolerance for gradients that cancel (normalisation, losses, recurrent gates):
# PyTorch's backward kernels round intermediate bfloat16 values (a saved rounded
# output, a bfloat16 accumulation) where ours keep float32, so single elements near
# zero differ by a few units of bfloat16's last place
BF16_CANCELLING = {"bfloat16": dict(rtol=3e-2, atol=4e-2)}


# ---- ONNX converters shared by many entries ---------------------------------------------------------
_ONNX_OPS = {}


def onnx_op(op_type):
    """A converter writing one ONNX node of `op_type` over the op's tensor arguments
    (one function per type, so entries recording the same op class share it)."""
    convert = _ONNX_OPS.get(op_type)
    if convert is None:
        def convert(b, node, inputs):
            return b.op(op_type, [inputs[i] for i in range(len(inputs)) if inputs[i] is not None])

        convert.__name__ = f"onnx_{op_type}"
        _ONNX_OPS[op_type] = convert
    return convert


def onnx_identity(b, node, inputs):
    """A converter for ops whose output is their input's value (no node is written)."""
    return inputs[0]


def onnx_scalar(b, value):
    """A 0-d constant of the converted op's output dtype (for converters)."""
    return b.scalar(value, b.out_dtype())


# ---- sample sets shared by many entries ---------------------------------------------------------
def unary(low=-2.0, high=2.0, empty=True, **spec):
    """One tensor in the shapes every elementwise op meets: a matrix, a 0-d tensor, a
    3-d tensor, non-contiguous views and an empty tensor (`spec`: more T options)."""
    def t(*shape, **kw):
        return T(*shape, low=low, high=high, **spec, **kw)

    out = [S(t(3, 4)), S(t()), S(t(2, 3, 2)), S(t(4, 3, layout="transposed")),
           S(t(2, 5, layout="strided"))]
    if empty:
        out.append(S(t(0, 3)))
    return out


def binary(low=-2.0, high=2.0, other_low=None, other_high=None, scalar=1.5, empty=True):
    """Two tensors, same shape and broadcasting both ways, a non-contiguous operand, a
    Python number operand, and an empty pair."""
    ol = low if other_low is None else other_low
    oh = high if other_high is None else other_high

    def a(*shape, **kw):
        return T(*shape, low=low, high=high, **kw)

    def b(*shape, **kw):
        return T(*shape, low=ol, high=oh, **kw)

    out = [S(a(3, 4), b(3, 4)), S(a(2, 3, 4), b(4)), S(a(3, 1), b(1, 4)), S(a(), b(2, 3)),
           S(a(4, 3, layout="transposed"), b(4, 3))]
    if scalar is not None:
        out.append(S(a(2, 3), scalar))
    if empty:
        out.append(S(a(0, 3), b(3)))
    return out


def reduction(low=-2.0, high=2.0, keepdim=True, dims=True, empty_dim=True):
    """Full reductions and reductions over one dim, several dims and negative dims,
    with and without keepdim."""
    out = [S(T(3, 4, low=low, high=high)), S(T(low=low, high=high))]
    if dims:
        out += [S(T(3, 4, 2, low=low, high=high), 1), S(T(3, 4, low=low, high=high), -1),
                S(T(4, 3, low=low, high=high, layout="transposed"), 0)]
        if keepdim:
            out += [S(T(3, 4, 2, low=low, high=high), (0, 2), keepdim=True),
                    S(T(3, 4, low=low, high=high), dim=1, keepdim=True)]
        if empty_dim:
            out.append(S(T(0, 3, low=low, high=high), 1))
    return out
