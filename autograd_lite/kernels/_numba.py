"""Lazy access to Numba, with the thread count the user asked for."""
import numba

from ..threads import _apply_to_numba

_apply_to_numba(numba)

njit = numba.njit
prange = numba.prange
vectorize = numba.vectorize
