"""Table entries of the tensor factories (ops/creation.py). Most take no tensor, so the
samples are the calls themselves; `Dtype` arguments become each library's dtype. The
random factories (and `empty`) compare shapes and dtypes only."""
import numpy as np

from .. import creation as ops
from ..opinfo import BF16, FLOATS, INTS, Dtype, OpInfo, S, T, onnx_identity

ONCE = ("float64",)  # the samples hold no tensor whose dtype the run would set
ALL = FLOATS + BF16 + INTS + ("bool",)


def _factory(name, fn, samples, **kw):
    return OpInfo(name, fn, samples, methods=(), dtypes=ONCE, differentiable=False, **kw)


def _sizes():
    """The size forms every shape-taking factory accepts."""
    return [S(2, 3), S((2, 3)), S([4]), S(()), S(0, 3), S(5), S(size=(2, 1)), S(2, dtype=Dtype("float64")),
            S(2, 2, dtype=Dtype("int64")), S((2, 2), dtype=Dtype("bool")), S(3, dtype=Dtype("int32")),
            S(3, requires_grad=True), S(2, 1, dtype=Dtype("float32"), requires_grad=True)]


def _like(extra=()):
    """A tensor to copy the shape and dtype of, and dtype overrides."""
    return [S(T(2, 3), *extra), S(T(), *extra), S(T(0, 3), *extra),
            S(T(4, 3, layout="transposed"), *extra), S(T(2, 3), *extra, dtype=Dtype("float64")),
            S(T(3), *extra, dtype=Dtype("float32"), requires_grad=True)]


ENTRIES = [
    # ---- from data ----
    OpInfo("tensor", ops.tensor, [
        # dtype inference from Python and NumPy data
        S(1.5), S(3), S(True), S([1.0, 2.0]), S([1, 2, 3]), S([True, False]), S([1, 2.5]),
        S([[1, 2], [3, 4]]), S([[1.0], [2.0]]), S([]), S([[]]), S([True, 2]), S((1.0, 2.0)),
        S(((1, 2), (3, 4))), S(np.float64(1.0)), S(np.float32(2.0)), S(np.int32(3)), S(np.int64(4)),
        S(np.bool_(True)), S([np.float64(1.0), np.float64(2.0)]), S([np.float32(1.0)]),
        # arrays keep their dtype
        *[S(np.arange(6).reshape(2, 3).astype(dt) % 2) for dt in
          (np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.bool_)],
        S(np.arange(12.0).reshape(3, 4)[:, ::2]),
        # dtype= and requires_grad=
        S([1, 2], dtype=Dtype("float32")), S([1.7, -2.2], dtype=Dtype("int64")), S([0, 2], dtype=Dtype("bool")),
        S(np.ones(2, np.float32), dtype=Dtype("float64")), S(3, dtype=Dtype("float64")),
        S([1.0], requires_grad=True),
        # from a tensor: a detached copy
        S(T(2, 3)), S(T(2, 3), dtype=Dtype("float64")), S(T(4, 3, layout="transposed")),
    ], methods=(), dtypes=ALL, differentiable=False),
    OpInfo("as_tensor", ops.as_tensor, [
        S([1.0, 2.0]), S([[1, 2]]), S(T(2, 3)), S(T(2, 3), dtype=Dtype("float64")),
        S([1, 2], dtype=Dtype("float32")), S(np.arange(3, dtype=np.int16)), S(2.5),
    ], methods=(), dtypes=ALL, differentiable=False),
    _factory("from_numpy", ops.from_numpy, [
        S(np.arange(6.0).reshape(2, 3)), S(np.arange(4, dtype=np.int32)), S(np.array([True, False])),
        S(np.zeros((0, 3), np.float32)), S(np.array(2.5)), S(np.arange(12.0).reshape(3, 4)[:, ::2]),
        *[S(np.arange(6).reshape(2, 3).astype(dt)) for dt in
          (np.float16, np.int8, np.int16, np.int64, np.uint8)],
    ]),
    # ---- constant factories ----
    _factory("zeros", ops.zeros, _sizes()),
    _factory("ones", ops.ones, _sizes()),
    _factory("empty", ops.empty, _sizes(), random=True),
    _factory("empty_strided", ops.empty_strided, [
        S((2, 3), (3, 1)), S((2, 3), (1, 2)), S([4], [2]), S((), ()), S((0, 3), (3, 1)),
        S((2, 2), (0, 1), dtype=Dtype("int64")), S((3,), (1,), requires_grad=True)], random=True,
        note="strides are compared in tests/ops/test_strided.py"),
    _factory("frombuffer", ops.frombuffer, [
        S(bytearray(np.arange(6, dtype=np.float32).tobytes()), dtype=Dtype("float32")),
        S(bytearray(np.arange(6, dtype=np.float64).tobytes()), dtype=Dtype("float64"), count=3, offset=8),
        S(bytearray(np.arange(5, dtype=np.int64).tobytes()), dtype=Dtype("int64"), offset=16),
        S(bytearray(b"\x01\x00\x01"), dtype=Dtype("bool")),
        S(bytearray(np.arange(4, dtype=np.int32).tobytes()), dtype=Dtype("int32"), requires_grad=False)]),
    _factory("from_dlpack", ops.from_dlpack, [
        S(np.arange(6.0).reshape(2, 3)), S(np.arange(4, dtype=np.int32)), S(np.array([True, False])),
        S(np.zeros((0, 3), np.float32)), S(np.array(2.5)), S(np.arange(12.0).reshape(3, 4)[:, ::2])]),
    _factory("full", ops.full, [
        S((2, 3), 1.5), S((2,), 7), S((3,), True), S([], 2.0), S((2, 2), -0.25), S((0, 2), 1.0),
        S(size=(2, 2), fill_value=3), S((2,), 3, dtype=Dtype("float64")),
        S((2,), 2.0, dtype=Dtype("int32")), S((2,), 1, dtype=Dtype("bool")),
        S((2,), 0.5, requires_grad=True), S((2, 2), T(values=1.5)),
    ]),
    _factory("eye", ops.eye, [
        S(3), S(2, 4), S(4, 2), S(0), S(1, 1), S(n=2, m=3), S(3, dtype=Dtype("int64")),
        S(2, dtype=Dtype("bool")), S(2, dtype=Dtype("float64"), requires_grad=True),
    ]),
    # ---- ranges ----
    _factory("arange", ops.arange, [
        S(5), S(0), S(2, 8), S(2, 9, 2), S(5, 0, -1), S(10, 1, -3), S(-3, 3), S(0.5, 2), S(5.0),
        S(0, 1, 0.1), S(0, 1, 0.25), S(1, 2.5, 0.5), S(-1, 1, 0.3), S(0, 1.0001, 0.5),
        S(np.int64(4)), S(np.int32(2), 6), S(0, 6, 2, dtype=Dtype("float32")),
        S(start=1, end=4, step=0.5), S(end=3), S(5, dtype=Dtype("int32")), S(True),
        S(T(kind="index", values=4)), S(T(values=0.5), T(values=2.5), 0.5),
        S(0, 7, 1.5, dtype=Dtype("int64")), S(-2.7, 3.9, 1.9, dtype=Dtype("int64")),
        S(-2.7, 3.9, 1.9, dtype=Dtype("int32")), S(0, 3, 0.5, dtype=Dtype("int16")),
        S(5, 0.5, -1.5, dtype=Dtype("int64")), S(-3, 3, dtype=Dtype("uint8")),
        S(0, 3, dtype=Dtype("float64"), requires_grad=True),
    ]),
    _factory("linspace", ops.linspace, [
        S(0, 1, 5), S(-2.5, 3, 7), S(1, 0, 4), S(0, 1, 1), S(0, 1, 0), S(3, 3, 3), S(0, 10, 4),
        S(0, 1, 11, dtype=Dtype("float64")), S(start=-1, end=1, steps=5),
        S(0, 10, 5, dtype=Dtype("int64")), S(0, 1, 3, requires_grad=True),
    ]),
    _factory("logspace", ops.logspace, [
        S(0, 2, 3), S(-1, 1, 5, base=2.0), S(0, 1, 0), S(1, 1, 1), S(2, 0, 4),
        S(start=0, end=3, steps=4, base=10.0, dtype=Dtype("float64")), S(0, 3, 4, dtype=Dtype("int64")),
        S(0, 1, 3, 2.0), S(0, 1, 2, requires_grad=True),
    ]),
    # ---- random ----
    _factory("rand", ops.rand, _sizes()[:7] + [S(2, requires_grad=True)], random=True),
    _factory("randn", ops.randn, _sizes()[:7] + [S(2, dtype=Dtype("float32"))], random=True),
    _factory("randint", ops.randint, [
        S(10, (3,)), S(3, 10, (2, 4)), S(5, size=(6,)), S(-3, 3, (0,)), S(0, 2, (2,), dtype=Dtype("int32")),
        S(low=1, high=4, size=(2, 2)), S(4, (2,), dtype=Dtype("float64")),
    ], random=True),
    _factory("randperm", ops.randperm, [S(5), S(0), S(1), S(n=3), S(4, dtype=Dtype("int32")),
                                         S(3, dtype=Dtype("float64"))], random=True),
    _factory("normal", ops.normal, [
        S(0.0, 1.0, (2, 3)), S(2.0, 0.5, size=(4,)), S(0.0, 1.0, (0,)),
        S(mean=1.0, std=2.0, size=(3,), dtype=Dtype("float64")), S(T(2, 3), T(2, 3, low=0.1)),
        S(0.5, T(3, low=0.1)), S(mean=T(2, 1), std=T(3, low=0.1)),
    ], random=True),
    # ---- from a tensor ----
    OpInfo("zeros_like", ops.zeros_like, _like(), methods=(), dtypes=ALL, differentiable=False),
    OpInfo("ones_like", ops.ones_like, _like(), methods=(), dtypes=ALL, differentiable=False),
    OpInfo("empty_like", ops.empty_like, _like(), methods=(), dtypes=ALL, differentiable=False, random=True),
    OpInfo("full_like", ops.full_like, _like((2.5,)) + [S(T(2, 3), 7), S(T(2, 3), fill_value=True),
                                                      S(T(2, 3), 1.5, dtype=Dtype("int64"))],
           methods=(), dtypes=ALL, differentiable=False),
    OpInfo("rand_like", ops.rand_like, _like(), methods=(), differentiable=False, random=True),
    OpInfo("randn_like", ops.randn_like, _like(), methods=(), differentiable=False, random=True),
    OpInfo("randint_like", ops.randint_like, _like((5,)) + [S(T(2, 3), 2, 6), S(T(2, 3), high=4),
                                                            S(T(2, 3), low=1, high=4)],
           methods=(), dtypes=FLOATS + BF16 + INTS, differentiable=False, random=True),
    OpInfo("clone", ops.clone, [S(T(2, 3)), S(T()), S(T(0, 3)), S(T(4, 3, layout="transposed")),
                                S(T(2, 3, layout="strided"))], dtypes=ALL, onnx={"Clone": onnx_identity}),
]
