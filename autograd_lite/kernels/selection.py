"""Selection kernels that break ties exactly as PyTorch's CPU ops do.

PyTorch's topk runs C++'s std::partial_sort (when k * 64 <= n) or std::nth_element
followed by std::sort of the first k - 1 elements, on (value, index) pairs compared by
value only; kthvalue runs Sedgewick's median-of-three quickselect. Neither is stable,
so which of several equal values comes first depends on those algorithms' exact
sequence of swaps. These kernels follow the same sequences (GNU libstdc++'s
introselect, introsort with a final insertion sort, and heap selection), so the
indices of tied values match PyTorch's. Rows are the last dim of a C-contiguous 2-D
array; NaN counts as larger than every number, as PyTorch's comparators have it.
"""
import numpy as np

from ._numba import njit

_THRESHOLD = 16  # libstdc++'s _S_threshold: below it, insertion sort


@njit(cache=True)
def _before(a, b, largest):
    """PyTorch's comparator: a comes before b (NaN counts as the largest value)."""
    if largest:
        return (a != a and b == b) or a > b
    return (a == a and b != b) or a < b


@njit(cache=True)
def _swap(v, ix, i, j):
    v[i], v[j] = v[j], v[i]
    ix[i], ix[j] = ix[j], ix[i]


@njit(cache=True)
def _lg(n):
    r = 0
    while n > 1:
        n >>= 1
        r += 1
    return r


@njit(cache=True)
def _linear_insert(v, ix, last, largest):
    """Move the element at `last` down until its predecessor doesn't come after it."""
    val, vi = v[last], ix[last]
    nxt = last - 1
    while _before(val, v[nxt], largest):
        v[last], ix[last] = v[nxt], ix[nxt]
        last = nxt
        nxt -= 1
    v[last], ix[last] = val, vi


@njit(cache=True)
def _insertion_sort(v, ix, first, last, largest):
    if first == last:
        return
    for i in range(first + 1, last):
        if _before(v[i], v[first], largest):
            val, vi = v[i], ix[i]
            for j in range(i, first, -1):
                v[j], ix[j] = v[j - 1], ix[j - 1]
            v[first], ix[first] = val, vi
        else:
            _linear_insert(v, ix, i, largest)


@njit(cache=True)
def _median_to_first(v, ix, result, a, b, c, largest):
    if _before(v[a], v[b], largest):
        if _before(v[b], v[c], largest):
            _swap(v, ix, result, b)
        elif _before(v[a], v[c], largest):
            _swap(v, ix, result, c)
        else:
            _swap(v, ix, result, a)
    elif _before(v[a], v[c], largest):
        _swap(v, ix, result, a)
    elif _before(v[b], v[c], largest):
        _swap(v, ix, result, c)
    else:
        _swap(v, ix, result, b)


@njit(cache=True)
def _partition_pivot(v, ix, first, last, largest):
    """Median of three moved to `first`, then Hoare's partition of [first+1, last)."""
    mid = first + (last - first) // 2
    _median_to_first(v, ix, first, first + 1, mid, last - 1, largest)
    lo, hi, pivot = first + 1, last, first
    while True:
        while _before(v[lo], v[pivot], largest):
            lo += 1
        hi -= 1
        while _before(v[pivot], v[hi], largest):
            hi -= 1
        if not lo < hi:
            return lo
        _swap(v, ix, lo, hi)
        lo += 1


@njit(cache=True)
def _adjust_heap(v, ix, first, hole, length, val, vi, largest):
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if _before(v[first + child], v[first + child - 1], largest):
            child -= 1
        v[first + hole], ix[first + hole] = v[first + child], ix[first + child]
        hole = child
    if (length & 1) == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        v[first + hole], ix[first + hole] = v[first + child - 1], ix[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and _before(v[first + parent], val, largest):
        v[first + hole], ix[first + hole] = v[first + parent], ix[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    v[first + hole], ix[first + hole] = val, vi


@njit(cache=True)
def _make_heap(v, ix, first, last, largest):
    length = last - first
    if length < 2:
        return
    parent = (length - 2) // 2
    while True:
        _adjust_heap(v, ix, first, parent, length, v[first + parent], ix[first + parent], largest)
        if parent == 0:
            return
        parent -= 1


@njit(cache=True)
def _pop_heap(v, ix, first, last, result, largest):
    val, vi = v[result], ix[result]
    v[result], ix[result] = v[first], ix[first]
    _adjust_heap(v, ix, first, 0, last - first, val, vi, largest)


@njit(cache=True)
def _heap_select(v, ix, first, middle, last, largest):
    _make_heap(v, ix, first, middle, largest)
    for i in range(middle, last):
        if _before(v[i], v[first], largest):
            _pop_heap(v, ix, first, middle, i, largest)


@njit(cache=True)
def _sort_heap(v, ix, first, last, largest):
    while last - first > 1:
        last -= 1
        _pop_heap(v, ix, first, last, last, largest)


@njit(cache=True)
def _partial_sort(v, ix, first, middle, last, largest):
    _heap_select(v, ix, first, middle, last, largest)
    _sort_heap(v, ix, first, middle, largest)


@njit(cache=True)
def _sort(v, ix, first, last, largest):
    """std::sort: introsort down to runs of 16, then one insertion sort pass."""
    if first == last:
        return
    # introsort's recursion as a stack: the ranges are disjoint, so the order in which
    # they are done doesn't change the result
    stack = [(first, last, 2 * _lg(last - first))]
    while stack:
        lo, hi, depth = stack.pop()
        while hi - lo > _THRESHOLD:
            if depth == 0:
                _partial_sort(v, ix, lo, hi, hi, largest)
                break
            depth -= 1
            cut = _partition_pivot(v, ix, lo, hi, largest)
            stack.append((cut, hi, depth))
            hi = cut
    if last - first > _THRESHOLD:
        _insertion_sort(v, ix, first, first + _THRESHOLD, largest)
        for i in range(first + _THRESHOLD, last):
            _linear_insert(v, ix, i, largest)
    else:
        _insertion_sort(v, ix, first, last, largest)


@njit(cache=True)
def _nth_element(v, ix, first, nth, last, largest):
    """std::nth_element: introselect, insertion sort for the last few elements."""
    if first == last or nth == last:
        return
    depth = 2 * _lg(last - first)
    while last - first > 3:
        if depth == 0:
            _heap_select(v, ix, first, nth + 1, last, largest)
            _swap(v, ix, first, nth)
            return
        depth -= 1
        cut = _partition_pivot(v, ix, first, last, largest)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(v, ix, first, last, largest)


@njit(cache=True)
def topk(x, k, largest, sorted_):
    """Top k of each row of a 2-D array: (values, int64 indices), each (rows, k)."""
    rows, n = x.shape
    values = np.empty((rows, k), x.dtype)
    indices = np.empty((rows, k), np.int64)
    if k == 0:
        return values, indices
    v = np.empty(n, x.dtype)
    ix = np.empty(n, np.int64)
    for r in range(rows):
        for j in range(n):
            v[j] = x[r, j]
            ix[j] = j
        if k * 64 <= n:
            _partial_sort(v, ix, 0, k, n, largest)
        else:
            _nth_element(v, ix, 0, k - 1, n, largest)
            if sorted_:
                _sort(v, ix, 0, k - 1, largest)
        for j in range(k):
            values[r, j] = v[j]
            indices[r, j] = ix[j]
    return values, indices


@njit(cache=True)
def kthvalue(x, k):
    """The k-th smallest (k from 1) of each row by PyTorch's quickselect: (values,
    int64 indices), each (rows,)."""
    rows, n = x.shape
    values = np.empty(rows, x.dtype)
    indices = np.empty(rows, np.int64)
    v = np.empty(n, x.dtype)
    ix = np.empty(n, np.int64)
    target = k - 1
    for r in range(rows):
        for j in range(n):
            v[j] = x[r, j]
            ix[j] = j
        lo, hi = 0, n - 1
        while True:
            if hi <= lo:
                break
            if hi == lo + 1:
                if _before(v[lo], v[hi], True):  # v[lo] > v[hi] (or NaN)
                    _swap(v, ix, lo, hi)
                break
            _swap(v, ix, (lo + hi) >> 1, lo + 1)
            if _before(v[lo + 1], v[hi], True):
                _swap(v, ix, lo + 1, hi)
            if _before(v[lo], v[hi], True):
                _swap(v, ix, lo, hi)
            if _before(v[lo + 1], v[lo], True):
                _swap(v, ix, lo + 1, lo)
            i, j = lo + 1, hi
            pivot = v[lo]
            while True:
                i += 1
                while _before(pivot, v[i], True):
                    i += 1
                j -= 1
                while _before(v[j], pivot, True):
                    j -= 1
                if j < i:
                    break
                _swap(v, ix, i, j)
            _swap(v, ix, lo, j)
            if j <= target:
                lo = i
            if j >= target:
                hi = j - 1
        values[r] = v[target]
        indices[r] = ix[target]
    return values, indices


@njit(cache=True)
def sort_indices(x, descending):
    """std::sort of each row of a 2-D array (PyTorch's unstable CPU sort for the dtypes
    its SIMD sort doesn't take): the int64 permutation, (rows, n)."""
    rows, n = x.shape
    indices = np.empty((rows, n), np.int64)
    v = np.empty(n, x.dtype)
    ix = np.empty(n, np.int64)
    for r in range(rows):
        for j in range(n):
            v[j] = x[r, j]
            ix[j] = j
        _sort(v, ix, 0, n, descending)
        for j in range(n):
            indices[r, j] = ix[j]
    return indices
