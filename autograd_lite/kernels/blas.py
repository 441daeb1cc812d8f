"""NumPy's own BLAS, called from inside Numba kernels.

A recurrent layer's time loop does one small matrix product per step. Called from
Python (`np.dot`), each costs a dispatch, and the loop cannot run inside one kernel.
Numba's own `np.dot` needs SciPy. Instead the kernels call the `cblas_sgemm` /
`cblas_dgemm` that NumPy itself links to: its address is looked up once in NumPy's
extension module (dlsym searches its dependencies), and passed to the kernels as an
integer, so `cache=True` keeps working (no address is baked into the cached code).

Only interfaces whose integer width is certain are used: the ILP64 builds NumPy's
wheels ship (`scipy_cblas_sgemm64_`, `cblas_sgemm64_`, Accelerate's
`$NEWLAPACK$ILP64`). With any other BLAS `address()` is 0 and the callers keep their
NumPy path. The caller limits BLAS to one thread (threads.one_blas_thread) so that
each call runs in the calling thread, also on the threads of kernels/workers.py.
"""
import ctypes

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from ._numba import njit

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112

_SYMBOLS = {  # (float32, float64) entry points with 64-bit integers
    np.dtype(np.float32): ("scipy_cblas_sgemm64_", "cblas_sgemm64_", "cblas_sgemm$NEWLAPACK$ILP64"),
    np.dtype(np.float64): ("scipy_cblas_dgemm64_", "cblas_dgemm64_", "cblas_dgemm$NEWLAPACK$ILP64"),
}
_found = {}
enabled = [True]  # tests switch the kernels' BLAS off to run the NumPy paths


def address(dtype):
    """The address of NumPy's ILP64 cblas gemm for `dtype` (float32/float64), or 0."""
    if not enabled[0]:
        return 0
    dtype = np.dtype(dtype)
    if dtype not in _found:
        _found[dtype] = _lookup(_SYMBOLS.get(dtype, ()))
    return _found[dtype]


def _lookup(names):
    try:
        lib = ctypes.CDLL(np._core._multiarray_umath.__file__)
    except (OSError, AttributeError):  # pragma: no cover - unusual NumPy builds
        return 0
    for name in names:
        try:
            return ctypes.cast(getattr(lib, name), ctypes.c_void_p).value or 0
        except AttributeError:
            continue
    return 0


@intrinsic
def _cblas_gemm(typingctx, fn, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc):
    """cblas_?gemm(RowMajor, NoTrans, trans_b, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
    through the function at address `fn`; a, b, c are data addresses, beta's type
    (float32/float64) picks sgemm or dgemm."""
    sig = types.void(fn, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc)

    def codegen(context, builder, signature, args):
        fn, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc = args
        i32, i64 = ir.IntType(32), ir.IntType(64)
        real = context.get_value_type(signature.args[9])
        ptr = real.as_pointer()
        fnty = ir.FunctionType(ir.VoidType(), [i32, i32, i32, i64, i64, i64, real, ptr, i64, ptr, i64,
                                               real, ptr, i64])
        ints = [context.cast(builder, v, t, types.int64) for v, t in
                zip((m, n, k, lda, ldb, ldc), (signature.args[i] for i in (2, 3, 4, 6, 8, 11)))]
        call_args = [ir.Constant(i32, ROW_MAJOR), ir.Constant(i32, NO_TRANS),
                     builder.trunc(context.cast(builder, trans_b, signature.args[1], types.int64), i32),
                     ints[0], ints[1], ints[2], ir.Constant(real, 1.0), builder.inttoptr(a, ptr), ints[3],
                     builder.inttoptr(b, ptr), ints[4], beta, builder.inttoptr(c, ptr), ints[5]]
        builder.call(builder.inttoptr(fn, fnty.as_pointer()), call_args)
        return context.get_dummy_value()

    return sig, codegen


@njit(cache=True, inline="always")
def gemm(fn, m, n, k, a, ia, lda, b, ib, ldb, trans_b, beta, c, ic, ldc):
    """C = A @ op(B) + beta * C on the flat buffers of three arrays of one dtype, row
    major: A starts at element `ia` of `a` (m x k, leading dimension lda), B at `ib`
    (k x n, or n x k when trans_b), C at `ic` (m x n). The caller checks every extent."""
    size = a.itemsize
    _cblas_gemm(fn, TRANS if trans_b else NO_TRANS, m, n, k, a.ctypes.data + ia * size, lda,
                b.ctypes.data + ib * size, ldb, c.dtype.type(beta), c.ctypes.data + ic * size, ldc)
