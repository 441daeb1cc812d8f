"""Layouts and memory formats, as PyTorch names them. Tensors here are always dense
(`strided`); other layouts are refused. Memory formats only change strides in PyTorch,
never values, so every one is accepted as a hint and tensors stay row-major."""


class layout:
    """A tensor layout (`ag.strided` is the only one tensors can have here)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"autograd_lite.{self.name}"

    def __reduce__(self):
        return self.name


class memory_format:
    """A memory format hint (`contiguous_format`, `channels_last`, ...)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"autograd_lite.{self.name}"

    def __reduce__(self):
        return self.name


strided = layout("strided")
sparse_coo = layout("sparse_coo")
sparse_csr = layout("sparse_csr")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


def check_layout(value, what):
    """None or `strided` pass; a sparse layout is a clear error."""
    if value is not None and value is not strided:
        raise NotImplementedError(f"{what}: layout={value!r} is not supported; autograd_lite "
                                  f"tensors are dense (layout=ag.strided)")


_RANKS = {"channels_last": 4, "channels_last_3d": 5}


def check_memory_format(value, what, ndim=None):
    """None or a memory format; the channels-last ones need a tensor of rank 4 (or 5 for
    channels_last_3d) when `ndim` is known, as PyTorch."""
    if value is None:
        return
    if not isinstance(value, memory_format):
        raise TypeError(f"{what}: memory_format must be an ag memory format such as "
                        f"ag.contiguous_format, got {value!r}")
    rank = _RANKS.get(value.name)
    if rank is not None and ndim is not None and ndim != rank:
        raise RuntimeError(f"{what}: required rank {rank} tensor to use {value.name} format, "
                           f"got rank {ndim}")
