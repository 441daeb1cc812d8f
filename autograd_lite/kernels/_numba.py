"""Lazy access to Numba, with the thread count the user asked for, a lighter start,
and `cache=True` that degrades gracefully.

Numba refuses `cache=True` outright ("cannot cache function ...: no locator
available") when neither the package's folder nor a user cache folder is writable (a
read-only install in a hardened container). The kernels then compile without a cache
(each process pays the compile time again) and a single warning says how to get the
cache back: point NUMBA_CACHE_DIR at a writable folder.

Numba loads its typing and lowering registries before the first compile and, by
default, before every cache lookup: 0.2 s of a warm first training step that
compiles nothing (benchmarks/cold_start.py). Loading a cached kernel doesn't need
them, since cached machine code links against Numba's runtime (NRT) and C helpers
only; so our kernels' caches (`njit`, `ufunc` below) initialise just the runtime,
and the registries load at the first real compile, where Numba's compiler loads them
itself. (A kernel that hashed, with a typed dict or a set, would also link the hash
secret that numba.cpython.hashing registers: keep such code out of the kernels.)
Building a ufunc lowers its loop wrappers in every process, which needs only the
lowering of numbers: `ufunc` installs just that part.

One registry (numba.np.arraymath) imports SciPy's linear algebra only to decide
whether `np.correlate`/`np.convolve` in jitted code call BLAS: 0.13 s of CPU. No
kernel uses them, so when SciPy's linalg isn't loaded yet the registries' first load
runs with it hidden; jitted `np.correlate` then loops in Numba (same values), and
`np.dot` or `np.linalg` in jitted code still import SciPy when they compile.
AUTOGRAD_LITE_NUMBA_SCIPY_PROBE=1 leaves Numba's probe alone.

Numba colours its error messages with colorama when that is installed, and builds
those messages for every typing attempt that fails while a kernel compiles, which
succeeds in the end: with colorama, 5% of a first step from an empty cache. Unless
the user set NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING, it is set before Numba loads.
"""
import importlib
import importlib.abc
import inspect
import os
import sys
import threading
import types
import warnings

if "numba" not in sys.modules:
    os.environ.setdefault("NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING", "1")

import numba  # noqa: E402  (after the variable above)
from numba import types as nbtypes
from numba.core import cgutils
from numba.core.base import builtin_registry
from numba.core.caching import FunctionCache
from numba.core.compiler_lock import global_compiler_lock
from numba.core.errors import NumbaError
from numba.core.extending import intrinsic
from numba.core.imputils import impl_ret_borrowed
from numba.core.registry import cpu_target
from numba.core.runtime.nrt import rtsys
from numba.np.ufunc.ufuncbuilder import UFuncBuilder

from ..threads import _apply_to_numba
from . import _malloc


class _HideScipyLinalg(importlib.abc.MetaPathFinder):
    """`import scipy.linalg...` fails while installed, in the thread that installed it
    (the rest of SciPy imports; other threads, such as a program's own while a kernel
    compiles on kernels/background.py's helper, import it as usual)."""

    def __init__(self):
        self.thread = threading.get_ident()

    def find_spec(self, name, path=None, target=None):
        if threading.get_ident() != self.thread:
            return None
        if name == "scipy.linalg" or name.startswith("scipy.linalg."):
            raise ImportError(f"{name} is hidden while autograd_lite loads Numba's registries")
        return None


def _hide_scipy_at_first_refresh(context):
    """The context's first `refresh()` (which imports numba.np.arraymath) runs with
    scipy.linalg hidden; later ones are Numba's own."""
    if ("scipy.linalg" in sys.modules or "numba.np.arraymath" in sys.modules
            or os.environ.get("AUTOGRAD_LITE_NUMBA_SCIPY_PROBE") == "1"):
        return
    numbas_refresh = context.refresh

    def refresh():
        del context.refresh  # back to the class's method
        hide = _HideScipyLinalg()
        sys.meta_path.insert(0, hide)
        try:
            numbas_refresh()
        finally:
            sys.meta_path.remove(hide)

    context.refresh = refresh


def _load_overload_without_registries(self, sig, target_context):
    """Numba's `Cache.load_overload` without its `target_context.refresh()`; should a
    load fail without the registries after all, with them (Numba's own way)."""
    rtsys.initialize(target_context)
    try:
        with self._guard_against_spurious_io_errors():
            return self._load_overload(sig, target_context)
    except Exception:  # noqa: BLE001 - retried below; a genuine error raises again there
        target_context.refresh()
        with self._guard_against_spurious_io_errors():
            return self._load_overload(sig, target_context)


def _load_without_registries(cache):
    """`cache` (a dispatcher's) loads without the registries (else Numba's own way)."""
    if (isinstance(cache, FunctionCache) and hasattr(cache, "_load_overload")
            and hasattr(cache, "_guard_against_spurious_io_errors")):
        cache.load_overload = types.MethodType(_load_overload_without_registries, cache)


def _lowering_of_numbers():
    """What lowering a ufunc's loop wrapper needs: Numba's number constants and casts,
    not the whole set of registries (17 ms against 0.2 s)."""
    if not _numbers_installed:
        importlib.import_module("numba.cpython.numbers")  # registers them in builtin_registry
        cpu_target.target_context.install_registry(builtin_registry)
        _numbers_installed.append(True)


_numbers_installed = []


_hide_scipy_at_first_refresh(cpu_target.target_context)
_apply_to_numba(numba)
_malloc.tune()  # every kernel user allocates large temporaries per step: see _malloc

prange = numba.prange


@intrinsic
def flat(typingctx, array):
    """In a kernel: the 1-D view of a C-contiguous array, as `array.reshape(-1)`, built
    directly instead of through Numba's reshape, whose code took 0.05-0.15 s of CPU to
    compile into every kernel that used it (a fifth of a small kernel's compile)."""
    if not isinstance(array, nbtypes.Array) or array.layout != "C":
        return None
    vector = array.copy(ndim=1)

    def codegen(context, builder, signature, args):
        src = context.make_array(array)(context, builder, args[0])
        dst = context.make_array(vector)(context, builder)
        dst.meminfo, dst.parent, dst.data = src.meminfo, src.parent, src.data
        dst.nitems, dst.itemsize = src.nitems, src.itemsize
        dst.shape = cgutils.pack_array(builder, [src.nitems])
        dst.strides = cgutils.pack_array(builder, [src.itemsize])
        return impl_ret_borrowed(context, builder, vector, dst._getvalue())

    return vector(array), codegen
_warned = False


def _uncached_fallback(make, kwargs, fn):
    """make(**kwargs)(fn), or the same without caching when no cache can be written."""
    global _warned
    try:
        return make(**kwargs)(fn)
    except RuntimeError as e:
        if not kwargs.get("cache") or "no locator available" not in str(e):
            raise
        if not _warned:
            _warned = True
            warnings.warn(
                f"autograd_lite: Numba can't write its cache here ({e}); kernels compile without "
                f"a cache in every process. Set NUMBA_CACHE_DIR to a writable folder to cache them.",
                RuntimeWarning, stacklevel=4)
        return make(**{**kwargs, "cache": False})(fn)


def njit(**options):
    """numba.njit(**options) as a decorator, compiled uncached when `cache=True` can't
    be honoured. Without the C-callable wrapper Numba builds for passing a function
    as a first-class value, which no kernel is (a tenth of a small kernel's compile)."""
    options.setdefault("no_cfunc_wrapper", True)

    def decorate(fn):
        dispatcher = _uncached_fallback(numba.njit, options, fn)
        _load_without_registries(getattr(dispatcher, "_cache", None))
        return dispatcher

    return decorate


class Specialised:
    """A kernel compiled once per value of its flags: `factory(*flags)` returns the
    kernel's Python function, which reads the flags as constants (closure cells), and
    `for_flags(*flags)` compiles it (`njit(**options)`) the first time those values
    come. Called directly, `kernel(*args, *flags)` runs the one for the trailing flags.

    Why: runtime flags inside a vectorised loop make LLVM keep a version of the loop
    for each combination that decides a store, and compile all of them (Adam: 0.34 s
    of a first step from an empty cache, against ~0.1 s for the one version a program
    uses). Numba's cache keys a closure on its cells' values, so every combination
    caches separately and `cache=True` keeps working."""

    def __init__(self, factory, options):
        self.factory = factory
        self.flags = tuple(inspect.signature(factory).parameters)
        self.n_flags = len(self.flags)
        self.__name__ = factory.__name__
        self.__doc__ = factory.__doc__
        self._options = options
        self._kernels = {}
        self._lock = threading.Lock()  # one compile per combination, also from threads

    @property
    def parameters(self):
        """The parameter names of a call: the kernel's, then the flags."""
        kernel = self.factory(*[0] * self.n_flags)
        return tuple(inspect.signature(kernel).parameters) + self.flags

    def for_flags(self, *flags):
        kernel = self._kernels.get(flags)
        if kernel is None:
            with self._lock:
                kernel = self._kernels.get(flags)
                if kernel is None:
                    kernel = njit(**self._options)(self.factory(*flags))
                    self._kernels[flags] = kernel
        return kernel

    def __call__(self, *args):
        n = len(args) - self.n_flags
        return self.for_flags(*args[n:])(*args[:n])


def specialised(**options):
    """Decorator: `Specialised(factory, options)` (see there)."""
    return lambda factory: Specialised(factory, options)


def ufunc(signatures, fn):
    """A NumPy ufunc of the scalar function `fn` for `signatures` (what numba.vectorize
    builds for the CPU), its loops compiled with `cache=True` (uncached when no cache
    can be written) and loaded without the registries. Numba lowers each loop's
    wrapper in every process; that needs only the lowering of numbers. Should a
    wrapper need more, the whole set loads and the build runs again."""
    return _uncached_fallback(lambda cache: lambda f: _build_ufunc(signatures, f, cache), {"cache": True}, fn)


def _build_ufunc(signatures, fn, cache):
    builder = UFuncBuilder(fn, cache=cache)
    _load_without_registries(getattr(builder.nb_func, "cache", None))
    with global_compiler_lock:
        for signature in signatures:
            builder.add(signature)
        _lowering_of_numbers()
        try:
            return builder.build_ufunc()
        except NumbaError:
            cpu_target.target_context.refresh()
            return builder.build_ufunc()
