"""Lazy access to Numba, with the thread count the user asked for, a lighter start,
and `cache=True` that degrades gracefully.

Numba refuses `cache=True` outright ("cannot cache function ...: no locator
available") when neither the package's folder nor a user cache folder is writable (a
read-only install in a hardened container). The kernels then compile without a cache
(each process pays the compile time again) and a single warning says how to get the
cache back: point NUMBA_CACHE_DIR at a writable folder.

Numba loads its typing and lowering registries at the first compile or cache load.
One of them (numba.np.arraymath) imports SciPy's linear algebra only to decide
whether `np.correlate`/`np.convolve` in jitted code call BLAS: 0.13 s of CPU, a
quarter of a warm first training step (benchmarks/cold_start.py). No kernel uses
them, so when SciPy's linalg isn't loaded yet the registries load here with it
hidden; jitted `np.correlate` then loops in Numba (same values), and `np.dot` or
`np.linalg` in jitted code still import SciPy when they compile.
AUTOGRAD_LITE_NUMBA_SCIPY_PROBE=1 leaves Numba's probe alone.
"""
import importlib.abc
import os
import sys
import warnings

import numba
from numba.core.registry import cpu_target

from ..threads import _apply_to_numba
from . import _malloc


class _HideScipyLinalg(importlib.abc.MetaPathFinder):
    """`import scipy.linalg...` fails while installed (the rest of SciPy imports)."""

    def find_spec(self, name, path=None, target=None):
        if name == "scipy.linalg" or name.startswith("scipy.linalg."):
            raise ImportError(f"{name} is hidden while autograd_lite loads Numba's registries")
        return None


def _load_registries():
    if ("scipy.linalg" in sys.modules or "numba.np.arraymath" in sys.modules
            or os.environ.get("AUTOGRAD_LITE_NUMBA_SCIPY_PROBE") == "1"):
        return
    hide = _HideScipyLinalg()
    sys.meta_path.insert(0, hide)
    try:
        cpu_target.target_context.refresh()
    finally:
        sys.meta_path.remove(hide)


_load_registries()
_apply_to_numba(numba)
_malloc.tune()  # every kernel user allocates large temporaries per step: see _malloc

prange = numba.prange
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
    be honoured."""
    return lambda fn: _uncached_fallback(numba.njit, options, fn)


def vectorize(signatures, **options):
    """numba.vectorize, built uncached when `cache=True` can't be honoured."""
    return lambda fn: _uncached_fallback(lambda **kw: numba.vectorize(signatures, **kw), options, fn)
