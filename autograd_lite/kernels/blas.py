"""The GEMM behind the kernels' products and the large 2-D ones: Intel MKL when its
wheel is installed (`pip install "autograd_lite[mkl]"`, x86-64 Linux) and the CPU is
Intel's, else NumPy's own BLAS.

A recurrent layer's time loop does one small matrix product per step. Called from
Python (`np.dot`), each costs a dispatch, and the loop cannot run inside one kernel.
Numba's own `np.dot` needs SciPy. Instead the kernels call a cblas gemm by address:
looked up once and passed to the kernels as an integer, so `cache=True` keeps working
(no address is baked into the cached code).

Which gemm (`provider()`):
- MKL's ILP64 `cblas_?gemm_64` from the `mkl` wheel's libmkl_rt, on its sequential
  layer (the callers split work over their own threads). On the small products of a
  recurrent step it is 1.4-1.5x as fast as OpenBLAS here (32 x 128 by 128 x 512: 28 us
  against 42), on large ones 1.1-1.2x; PyTorch uses MKL too. `matmul` sends 2-D
  products to it (kernels/workers.matmul, and so Linear, `@` and the recurrent layers).
  Only on Intel's CPUs: on an AMD EPYC (Zen 4) MKL's small products cost several
  times OpenBLAS's (576 x 25 by 25 x 6, a LeNet convolution's: 19 us against 5) and
  its large ones are no faster (93 GFLOP/s against 100), so LeNet's step took 1.2-1.3x
  as long on MKL.
- Otherwise the gemm NumPy itself links to, of the ILP64 builds NumPy's wheels ship
  (`scipy_cblas_sgemm64_`, `cblas_sgemm64_`, Accelerate's `$NEWLAPACK$ILP64`), found
  with dlsym through NumPy's extension module; `matmul` is then np.matmul.
With any other BLAS `address()` is 0 and the callers keep their NumPy path.
AUTOGRAD_LITE_BLAS=numpy ignores an installed MKL; AUTOGRAD_LITE_BLAS=mkl uses it on
any CPU. The caller limits BLAS to one thread (threads.one_blas_thread) so that each
call runs in the calling thread, also on the threads of kernels/workers.py.
"""
import ctypes
import functools
import os
import site
import sys
import threading

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic
from numba.np.numpy_support import from_dtype as numba_type

from ._numba import njit

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112

_SYMBOLS = {  # (float32, float64) entry points with 64-bit integers
    np.dtype(np.float32): ("scipy_cblas_sgemm64_", "cblas_sgemm64_", "cblas_sgemm$NEWLAPACK$ILP64"),
    np.dtype(np.float64): ("scipy_cblas_dgemm64_", "cblas_dgemm64_", "cblas_dgemm$NEWLAPACK$ILP64"),
}
_MKL_SYMBOLS = {np.dtype(np.float32): "cblas_sgemm_64", np.dtype(np.float64): "cblas_dgemm_64"}
_MKL_SEQUENTIAL = 1  # MKL_Set_Threading_Layer's code for the sequential layer
_found = {}
enabled = [True]  # tests switch the kernels' BLAS off to run the NumPy paths


def address(dtype):
    """The address of the provider's ILP64 cblas gemm for `dtype` (float32/float64), or 0."""
    if not enabled[0]:
        return 0
    dtype = np.dtype(dtype)
    if dtype not in _found:
        mkl = _mkl()
        if mkl is not None:
            _found[dtype] = _symbol(mkl, (_MKL_SYMBOLS[dtype],)) if dtype in _MKL_SYMBOLS else 0
        else:
            _found[dtype] = _numpy_gemm(dtype)
    return _found[dtype]


def provider():
    """'mkl' or 'numpy': whose gemm `address` and `matmul` use."""
    return "mkl" if _mkl() is not None else "numpy"


@functools.lru_cache(maxsize=1)
def _mkl():
    """The `mkl` wheel's libmkl_rt, set to its sequential layer, or None (not installed,
    not loadable, without the ILP64 gemm, not an Intel CPU, AUTOGRAD_LITE_BLAS=numpy, or
    another part of the process already started MKL on a threaded layer)."""
    choice = os.environ.get("AUTOGRAD_LITE_BLAS", "").strip().lower()
    if choice == "numpy" or (choice != "mkl" and not intel_cpu()):
        return None
    for path in _mkl_candidates():
        try:
            lib = ctypes.CDLL(path)
            if (all(hasattr(lib, name) for name in _MKL_SYMBOLS.values())
                    and lib.MKL_Set_Threading_Layer(_MKL_SEQUENTIAL) == _MKL_SEQUENTIAL):
                return lib
        except (OSError, AttributeError):
            continue
    return None


@functools.lru_cache(maxsize=1)
def intel_cpu():
    """Whether the CPU is Intel's (Linux's /proc/cpuinfo says GenuineIntel): where MKL
    pays (see the module docstring). False where that can't be read."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("vendor_id"):
                    return line.split(":", 1)[1].strip() == "GenuineIntel"
    except OSError:
        pass
    return False


def _mkl_candidates():
    """Where pip (or conda) puts libmkl_rt: the lib folder of the environment, or of
    the user's site (`pip install --user`). Looked up by path, not through package
    metadata, whose import alone takes ~30 ms."""
    folders = [os.path.join(sys.prefix, "lib")]
    if site.ENABLE_USER_SITE:
        folders.append(os.path.join(site.getuserbase(), "lib"))
    return [os.path.join(folder, name) for folder in folders for name in ("libmkl_rt.so.3", "libmkl_rt.so.2")
            if os.path.exists(os.path.join(folder, name))]


def _numpy_gemm(dtype):
    try:
        lib = ctypes.CDLL(np._core._multiarray_umath.__file__)
    except (OSError, AttributeError):  # pragma: no cover - unusual NumPy builds
        return 0
    return _symbol(lib, _SYMBOLS.get(dtype, ()))


def _symbol(lib, names):
    for name in names:
        try:
            return ctypes.cast(getattr(lib, name), ctypes.c_void_p).value or 0
        except AttributeError:
            continue
    return 0


@intrinsic
def _cblas_gemm(typingctx, fn, trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc):
    """cblas_?gemm(RowMajor, trans_a, trans_b, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
    through the function at address `fn`; a, b, c are data addresses, beta's type
    (float32/float64) picks sgemm or dgemm."""
    sig = types.void(fn, trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc)

    def codegen(context, builder, signature, args):
        fn, trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc = args
        i32, i64 = ir.IntType(32), ir.IntType(64)
        real = context.get_value_type(signature.args[10])
        ptr = real.as_pointer()
        fnty = ir.FunctionType(ir.VoidType(), [i32, i32, i32, i64, i64, i64, real, ptr, i64, ptr, i64,
                                               real, ptr, i64])
        ints = [context.cast(builder, v, t, types.int64) for v, t in
                zip((m, n, k, lda, ldb, ldc), (signature.args[i] for i in (3, 4, 5, 7, 9, 12)))]
        flags = [builder.trunc(context.cast(builder, v, signature.args[i], types.int64), i32)
                 for v, i in ((trans_a, 1), (trans_b, 2))]
        call_args = [ir.Constant(i32, ROW_MAJOR), flags[0], flags[1],
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
    _cblas_gemm(fn, NO_TRANS, TRANS if trans_b else NO_TRANS, m, n, k, a.ctypes.data + ia * size, lda,
                b.ctypes.data + ib * size, ldb, c.dtype.type(beta), c.ctypes.data + ic * size, ldc)


# ---- 2-D products through the provider ------------------------------------------------------------
def _matmul_kernel(fn, a, b, c, trans_a, lda, trans_b, ldb, beta):
    """c = a @ b + beta * c with a, b given by their first element and a row-major
    layout each."""
    m, n = c.shape
    k = a.shape[1]
    _cblas_gemm(fn, TRANS if trans_a else NO_TRANS, TRANS if trans_b else NO_TRANS, m, n, k,
                a.ctypes.data, lda, b.ctypes.data, ldb, c.dtype.type(beta), c.ctypes.data, c.strides[0] // c.itemsize)


_kernels = {}
_kernels_lock = threading.Lock()


def _matmul_kernel_for(dtype):
    """`_matmul_kernel` for `dtype` and any layout ('A' arrays): compiled (or loaded
    from the cache) at the first product of that dtype, by one thread (the worker
    pool's threads may ask at once)."""
    kernel = _kernels.get(dtype)
    if kernel is None:
        with _kernels_lock:
            kernel = _kernels.get(dtype)
            if kernel is None:
                kernel = _kernels[dtype] = _make_matmul_kernel(dtype)
    return kernel


def _make_matmul_kernel(dtype):
    arr = types.Array(numba_type(dtype), 2, "A")
    sig = types.void(types.int64, arr, arr, arr, types.boolean, types.int64, types.boolean, types.int64,
                     types.float64)
    kernel = njit(cache=True, nogil=True)(_matmul_kernel)
    kernel.compile(sig)  # as njit([sig]) would, after `njit` set up the kernel's cache loading
    kernel.disable_compile()
    # C- and F-ordered arrays are converted to the 'A' arrays compiled for. Numba
    # registers such a conversion at the first call with those types, in a table that
    # is not thread-safe: two pool threads making that first call at once (a product
    # split by workers.matmul in a first step on two threads) failed an assertion in
    # Numba now and then. Registered here, in the thread that compiles.
    for layout in ("C", "F"):
        kernel.typingctx.install_possible_conversions([types.Array(numba_type(dtype), 2, layout)], [arr])
    return kernel


def _operand(x):
    """(x or a copy, transposed?, leading dimension): a 2-D operand as cblas reads it,
    row-major with one unit stride."""
    rows, cols = x.shape
    s0, s1 = x.strides
    size = x.itemsize
    if s1 == size and s0 % size == 0 and s0 >= max(1, cols) * size:
        return x, False, s0 // size
    if s0 == size and s1 % size == 0 and s1 >= max(1, rows) * size:
        return x, True, s1 // size
    return np.ascontiguousarray(x), False, max(1, cols)


# multiply-adds up to which np.matmul stays faster (OpenBLAS's small-matrix kernels, and
# ~2 us less call overhead): 32 x 64 x 128 took 4.7 us there, 7.0 through MKL
SMALL_PRODUCT = 1 << 18


def matmul(a, b, out=None, like_kernels=False):
    """np.matmul(a, b, out=out), through MKL's gemm (see `provider`) when both are 2-D
    arrays of one float32/float64 dtype and the product is not small (or
    `like_kernels`: for the same bits as the kernels' products of the same shapes);
    else np.matmul."""
    if a.ndim != 2 or b.ndim != 2 or a.dtype != b.dtype:
        return np.matmul(a, b, out=out)
    (m, k), (k2, n) = a.shape, b.shape
    if ((m * n * k <= SMALL_PRODUCT and not like_kernels) or k != k2 or min(m, n, k) == 0
            or (out is not None and (out.shape != (m, n) or out.dtype != a.dtype
                                     or np.may_share_memory(out, a) or np.may_share_memory(out, b)))):
        return np.matmul(a, b, out=out)  # small products; its errors, empty products, casts, overlaps
    fn = _mkl_address(a.dtype)
    if not fn:
        return np.matmul(a, b, out=out)
    c = out
    if c is None or c.strides[1] != c.itemsize or c.strides[0] < n * c.itemsize or c.strides[0] % c.itemsize:
        c = np.empty((m, n), a.dtype)
    (a, trans_a, lda), (b, trans_b, ldb) = _operand(a), _operand(b)
    _matmul_kernel_for(a.dtype)(fn, a, b, c, trans_a, lda, trans_b, ldb, 0.0)
    if out is not None and c is not out:
        out[...] = c
        return out
    return c


TRANSPOSED_MIN = 1 << 16  # multiply-adds from which small_transposed calls MKL


def small_transposed(a, b):
    """a @ b for a small product (from TRANSPOSED_MIN multiply-adds) of a C-contiguous
    `a` and a transposed C-contiguous `b` (Linear's x @ w.T), through MKL's gemm called
    directly, or None without MKL (or for other layouts and dtypes). OpenBLAS's
    small-matrix path is slow for this layout: 32 x 64 by 64 x 128 took 8.4 us in
    np.matmul, 4.7 here, with warm caches (inside mlp_small's step: 11.1 and 10.4 us;
    32 x 128 by 128 x 64, 9.3 and 8.2; but 32 x 64 by 64 x 10, 2.7 and 3.8)."""
    (m, k), n = a.shape, b.shape[1]
    dtype = a.dtype
    if (m * n * k < TRANSPOSED_MIN or k != b.shape[0] or dtype is not b.dtype or not a.flags.c_contiguous
            or not b.flags.f_contiguous):
        return None
    fn = _mkl_address(dtype)
    if not fn:
        return None
    c = np.empty((m, n), dtype)
    _matmul_kernel_for(dtype)(fn, a, b.T, c, False, k, True, k, 0.0)
    return c


def matmul_add(a, b, out):
    """out += a @ b: for 2-D float arrays of one dtype, `out` C-contiguous, as the
    kernels' gemm with beta 1 does it (kernels/conv_fused.py's weight-gradient sums),
    so the two give the same bits; else (stacks, a BLAS the kernels can't call) NumPy's
    add of a product."""
    fn = (address(a.dtype) if a.ndim == b.ndim == 2 and a.dtype == b.dtype == out.dtype
          and out.flags.c_contiguous else 0)
    if not fn or min(out.shape + a.shape[1:]) == 0:
        out += np.matmul(a, b)
        return out
    (a, trans_a, lda), (b, trans_b, ldb) = _operand(a), _operand(b)
    _matmul_kernel_for(a.dtype)(fn, a, b, out, trans_a, lda, trans_b, ldb, 1.0)
    return out


def step_product(b, out):
    """A function a -> (out = a @ b), for a loop's per-step products with one right
    operand and one destination (a recurrent time loop): the gemm and b's layout are
    worked out once, not per step (~2 us a call). An `a` that isn't C-contiguous of
    shape (rows of out, rows of b) goes to np.dot; so does everything when MKL isn't
    the provider or the product is small."""
    (m, n), k = out.shape, b.shape[0]
    fn = 0
    if (b.ndim == 2 and b.dtype == out.dtype and out.flags.c_contiguous and b.shape[1] == n
            and m * n * k > SMALL_PRODUCT and not np.may_share_memory(b, out)):
        fn = _mkl_address(b.dtype)
    if not fn or min(m, n, k) == 0:
        return lambda a: np.dot(a, b, out=out)
    b, trans_b, ldb = _operand(b)
    kernel = _matmul_kernel_for(b.dtype)

    def product(a):
        if a.shape == (m, k) and a.flags.c_contiguous and a.dtype == b.dtype and not np.may_share_memory(a, out):
            kernel(fn, a, b, out, False, k, trans_b, ldb, 0.0)
        else:
            np.dot(a, b, out=out)

    return product


def _mkl_address(dtype):
    """MKL's gemm for `dtype` when MKL is the provider (NumPy's own matmul is as fast
    as a call through its own BLAS), else 0."""
    return address(dtype) if dtype in _MKL_SYMBOLS and _mkl() is not None else 0
