"""`Size`: the type of `Tensor.shape` and `Tensor.size()`, a tuple of ints as
`torch.Size` (slices and sums stay a Size, `numel()` multiplies the dimensions)."""
import operator

_tuple_new = tuple.__new__


class Size(tuple):
    """A tuple of dimension lengths; `Size([2, 3])`."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        dims = []
        for i, s in enumerate(sizes):
            try:
                dims.append(operator.index(s))
            except TypeError:
                raise TypeError(f"Size() takes an iterable of 'int' (item {i} is "
                                f"'{type(s).__name__}')") from None
        return _tuple_new(cls, dims)

    def numel(self):
        """The number of elements a tensor of this shape holds (1 for `Size([])`)."""
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        return _tuple_new(Size, item) if isinstance(key, slice) else item

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return _tuple_new(Size, tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return _tuple_new(Size, tuple.__add__(other, self))

    def __mul__(self, times):
        return _tuple_new(Size, tuple.__mul__(self, times))

    __rmul__ = __mul__

    def __repr__(self):
        return f"autograd_lite.Size({list(self)})"

    __str__ = __repr__


def as_size(shape):
    """A NumPy shape (a tuple of ints) as a Size, without re-checking it."""
    return _tuple_new(Size, shape)
