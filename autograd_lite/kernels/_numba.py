"""Lazy access to Numba, with the thread count the user asked for, and `cache=True`
that degrades gracefully.

Numba refuses `cache=True` outright ("cannot cache function ...: no locator
available") when neither the package's folder nor a user cache folder is writable (a
read-only install in a hardened container). The kernels then compile without a cache
(each process pays the compile time again) and a single warning says how to get the
cache back: point NUMBA_CACHE_DIR at a writable folder.
"""
import warnings

import numba

from ..threads import _apply_to_numba
from . import _malloc

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
