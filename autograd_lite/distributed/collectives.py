"""Collectives of `torch.distributed` on MPI (mpi4py): each works in place on the
memory of the tensors it is given, as PyTorch's do, and bumps their versions.

Tensors go to MPI as their NumPy arrays (no copy when C-contiguous); `async_op=True`
starts the non-blocking MPI call and returns a `Work` whose `wait()` completes it.
"""
import enum

import numpy as np

from ..extend import mark_dirty
from ..tensor import Tensor
from .process_group import check_group, mpi, world_comm


class RedOpType(enum.Enum):
    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"


class ReduceOp:
    """The reduction of `all_reduce` / `reduce`: `ReduceOp.SUM`, `AVG`, `PRODUCT`,
    `MIN`, `MAX`, `BAND`, `BOR`, `BXOR`. AVG is a sum divided by the world size."""

    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    RedOpType = RedOpType


_MPI_OPS = {RedOpType.SUM: "SUM", RedOpType.AVG: "SUM", RedOpType.PRODUCT: "PROD",
            RedOpType.MIN: "MIN", RedOpType.MAX: "MAX", RedOpType.BAND: "BAND",
            RedOpType.BOR: "BOR", RedOpType.BXOR: "BXOR"}


class Work:
    """The handle of an `async_op=True` collective: `wait()` blocks until it is done
    (and returns True), `is_completed()` asks without blocking and lets MPI make
    progress, `result()` gives the tensors it wrote."""

    def __init__(self, request, tensors, finish=None):
        self._request = request
        self._tensors = tensors
        self._finish = finish
        self._done = False

    def _complete(self):
        self._done = True
        self._request = None
        if self._finish is not None:
            self._finish()
            self._finish = None

    def wait(self, timeout=None):
        """Block until the collective has finished; returns True."""
        if not self._done:
            self._request.Wait()
            self._complete()
        return True

    def is_completed(self):
        """Whether the collective has finished, without blocking (lets MPI make progress)."""
        if not self._done and self._request.Test():
            self._complete()
        return self._done

    def is_success(self):
        """True once the collective has finished (a failure aborts the job instead)."""
        return self._done

    def result(self):
        """The tensors the collective wrote."""
        return list(self._tensors)

    def exception(self):
        """None: a failing collective aborts every rank rather than raising here."""
        return None

    def __repr__(self):
        return f"<Work {'completed' if self._done else 'pending'}>"


class _Buffer:
    """A tensor's memory as MPI sees it: its array, or a C-contiguous copy that is
    written back (`done`) for tensors that are strided views."""

    def __init__(self, tensor, op, index=None, readonly=False):
        what = "tensor" if index is None else f"tensor {index}"
        if not isinstance(tensor, Tensor):
            raise TypeError(f"{op}: expected a Tensor, got {type(tensor).__name__} for {what}")
        self.tensor = tensor
        self.array = tensor.detach().numpy()
        if not readonly and not self.array.flags.writeable:
            raise ValueError(
                f"{op}: {what} (shape {tuple(tensor.shape)}) is read-only memory, so the "
                f"result cannot be written into it; pass a tensor with its own memory"
            )
        self.contiguous = self.array.flags.c_contiguous
        self.mpi = self.array if self.contiguous else np.ascontiguousarray(self.array)

    def done(self, written=True):
        if not written:
            return
        if not self.contiguous:
            np.copyto(self.array, self.mpi)
        mark_dirty(self.tensor)


def _run(request, finish, tensors, async_op):
    """Finish a started non-blocking call now, or hand back its `Work`."""
    work = Work(request, tensors, finish)
    if async_op:
        return work
    work.wait()
    return None


def _mpi_op(op, array, name):
    MPI = mpi()
    if not isinstance(op, RedOpType):
        raise ValueError(f"{name}: op must be a dist.ReduceOp member, got {op!r}")
    if op is RedOpType.AVG and array.dtype.kind not in "fc":
        raise TypeError(f"{name}: ReduceOp.AVG needs a floating point tensor, got {array.dtype}")
    if op in (RedOpType.BAND, RedOpType.BOR, RedOpType.BXOR) and array.dtype.kind not in "iub":
        raise TypeError(f"{name}: {op} needs an integer or bool tensor, got {array.dtype}")
    return getattr(MPI, _MPI_OPS[op])


def _check_rank(rank, comm, name, what):
    size = comm.Get_size()
    if not isinstance(rank, (int, np.integer)) or not 0 <= rank < size:
        raise ValueError(f"{name}: invalid {what} rank {rank!r}; the world has ranks 0..{size - 1}")
    return int(rank)


def _check_list(tensors, n, shape, dtype, name, what):
    if not isinstance(tensors, (list, tuple)) or len(tensors) != n:
        got = len(tensors) if isinstance(tensors, (list, tuple)) else type(tensors).__name__
        raise ValueError(f"{name}: {what} must be a list of {n} tensors (one per rank), got {got}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor) or tuple(t.shape) != shape or t.dtype != dtype:
            desc = (f"a {t.dtype} tensor of shape {tuple(t.shape)}" if isinstance(t, Tensor)
                    else type(t).__name__)
            raise ValueError(f"{name}: {what}[{i}] is {desc}; expected {dtype} of shape {shape}")


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce `tensor` over all ranks; every rank gets the result in `tensor`."""
    check_group(group, "all_reduce")
    comm = world_comm("all_reduce")
    buf = _Buffer(tensor, "all_reduce")
    MPI = mpi()
    request = comm.Iallreduce(MPI.IN_PLACE, buf.mpi, op=_mpi_op(op, buf.mpi, "all_reduce"))

    def finish():
        if op is RedOpType.AVG:
            np.divide(buf.mpi, comm.Get_size(), out=buf.mpi, casting="unsafe")
        buf.done()

    return _run(request, finish, [tensor], async_op)


def broadcast(tensor, src=0, group=None, async_op=False, group_src=None):
    """Copy rank `src`'s `tensor` into `tensor` on every rank."""
    check_group(group, "broadcast")
    comm = world_comm("broadcast")
    src = _check_rank(src if group_src is None else group_src, comm, "broadcast", "source")
    buf = _Buffer(tensor, "broadcast", readonly=comm.Get_rank() == src)
    request = comm.Ibcast(buf.mpi, root=src)
    return _run(request, lambda: buf.done(comm.Get_rank() != src), [tensor], async_op)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """`tensor_list[i]` becomes rank i's `tensor`, on every rank."""
    check_group(group, "all_gather")
    comm = world_comm("all_gather")
    buf = _Buffer(tensor, "all_gather", readonly=True)
    n = comm.Get_size()
    _check_list(tensor_list, n, tuple(tensor.shape), tensor.dtype, "all_gather", "tensor_list")
    outs = [_Buffer(t, "all_gather", i) for i, t in enumerate(tensor_list)]
    recv = np.empty((n,) + buf.mpi.shape, buf.mpi.dtype)
    request = comm.Iallgather(buf.mpi, recv)

    def finish():
        for i, out in enumerate(outs):
            np.copyto(out.mpi, recv[i])
            out.done()

    return _run(request, finish, list(tensor_list), async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """`output_tensor` (world_size * input's first dim, or a new leading dim of
    world_size) becomes the ranks' `input_tensor`s, concatenated in rank order."""
    check_group(group, "all_gather_into_tensor")
    comm = world_comm("all_gather_into_tensor")
    n = comm.Get_size()
    src = _Buffer(input_tensor, "all_gather_into_tensor", readonly=True)
    out = _Buffer(output_tensor, "all_gather_into_tensor")
    if out.mpi.size != n * src.mpi.size or out.mpi.dtype != src.mpi.dtype:
        raise ValueError(
            f"all_gather_into_tensor: output is {out.mpi.dtype} of shape {out.mpi.shape}; "
            f"expected {src.mpi.dtype} with {n} x {src.mpi.size} elements"
        )
    request = comm.Iallgather(src.mpi, out.mpi)
    return _run(request, out.done, [output_tensor], async_op)


def reduce(tensor, dst=0, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce `tensor` over all ranks into rank `dst`'s `tensor` (the others keep theirs)."""
    check_group(group, "reduce")
    comm = world_comm("reduce")
    dst = _check_rank(dst if group_dst is None else group_dst, comm, "reduce", "destination")
    root = comm.Get_rank() == dst
    buf = _Buffer(tensor, "reduce", readonly=not root)
    MPI = mpi()
    mpi_op = _mpi_op(op, buf.mpi, "reduce")
    if root:
        request = comm.Ireduce(MPI.IN_PLACE, buf.mpi, op=mpi_op, root=dst)
    else:
        request = comm.Ireduce(buf.mpi, None, op=mpi_op, root=dst)

    def finish():
        if root:
            if op is RedOpType.AVG:
                np.divide(buf.mpi, comm.Get_size(), out=buf.mpi, casting="unsafe")
            buf.done()

    return _run(request, finish, [tensor], async_op)


def gather(tensor, gather_list=None, dst=0, group=None, async_op=False, group_dst=None):
    """Rank `dst`'s `gather_list[i]` becomes rank i's `tensor` (other ranks pass None)."""
    check_group(group, "gather")
    comm = world_comm("gather")
    dst = _check_rank(dst if group_dst is None else group_dst, comm, "gather", "destination")
    buf = _Buffer(tensor, "gather", readonly=True)
    n = comm.Get_size()
    recv = outs = None
    if comm.Get_rank() == dst:
        _check_list(gather_list, n, tuple(tensor.shape), tensor.dtype, "gather", "gather_list")
        outs = [_Buffer(t, "gather", i) for i, t in enumerate(gather_list)]
        recv = np.empty((n,) + buf.mpi.shape, buf.mpi.dtype)
    elif gather_list:
        raise ValueError(f"gather: gather_list must be None (or empty) on rank {comm.Get_rank()}, "
                         f"which is not the destination {dst}")
    request = comm.Igather(buf.mpi, recv, root=dst)

    def finish():
        for i, out in enumerate(outs or ()):
            np.copyto(out.mpi, recv[i])
            out.done()

    return _run(request, finish, list(gather_list or []), async_op)


def scatter(tensor, scatter_list=None, src=0, group=None, async_op=False, group_src=None):
    """Each rank i's `tensor` becomes rank `src`'s `scatter_list[i]`."""
    check_group(group, "scatter")
    comm = world_comm("scatter")
    src = _check_rank(src if group_src is None else group_src, comm, "scatter", "source")
    buf = _Buffer(tensor, "scatter")
    n = comm.Get_size()
    send = None
    if comm.Get_rank() == src:
        _check_list(scatter_list, n, tuple(tensor.shape), tensor.dtype, "scatter", "scatter_list")
        send = np.stack([t.detach().numpy() for t in scatter_list])
    elif scatter_list:
        raise ValueError(f"scatter: scatter_list must be None (or empty) on rank {comm.Get_rank()}, "
                         f"which is not the source {src}")
    request = comm.Iscatter(send, buf.mpi, root=src)
    return _run(request, buf.done, [tensor], async_op)


def barrier(group=None, async_op=False, device_ids=None):
    """Return once every rank has called `barrier`."""
    check_group(group, "barrier")
    request = world_comm("barrier").Ibarrier()
    return _run(request, None, [], async_op)


def all_gather_object(object_list, obj, group=None):
    """`object_list[i]` becomes rank i's `obj` (any picklable object)."""
    check_group(group, "all_gather_object")
    comm = world_comm("all_gather_object")
    if not isinstance(object_list, list) or len(object_list) != comm.Get_size():
        raise ValueError(
            f"all_gather_object: object_list must be a list of world size "
            f"({comm.Get_size()}) entries, got {object_list!r}"
        )
    object_list[:] = comm.allgather(obj)


def broadcast_object_list(object_list, src=0, group=None, device=None, group_src=None):
    """Rank `src`'s `object_list` entries replace every rank's (same length on all)."""
    check_group(group, "broadcast_object_list")
    comm = world_comm("broadcast_object_list")
    src = _check_rank(src if group_src is None else group_src, comm, "broadcast_object_list", "source")
    if not isinstance(object_list, list):
        raise TypeError(f"broadcast_object_list: object_list must be a list, got {type(object_list).__name__}")
    received = comm.bcast(object_list if comm.Get_rank() == src else None, root=src)
    if len(received) != len(object_list):
        raise ValueError(
            f"broadcast_object_list: rank {src} sent {len(received)} objects but this rank's "
            f"list has {len(object_list)}; the lists must have the same length on every rank"
        )
    object_list[:] = received


def gather_object(obj, object_gather_list=None, dst=0, group=None, group_dst=None):
    """Rank `dst`'s `object_gather_list[i]` becomes rank i's `obj`."""
    check_group(group, "gather_object")
    comm = world_comm("gather_object")
    dst = _check_rank(dst if group_dst is None else group_dst, comm, "gather_object", "destination")
    gathered = comm.gather(obj, root=dst)
    if comm.Get_rank() == dst:
        if not isinstance(object_gather_list, list) or len(object_gather_list) != comm.Get_size():
            raise ValueError(f"gather_object: object_gather_list on rank {dst} must be a list of "
                             f"{comm.Get_size()} entries")
        object_gather_list[:] = gathered


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=0,
                        group=None, group_src=None):
    """`scatter_object_output_list[0]` becomes rank `src`'s `scatter_object_input_list[rank]`."""
    check_group(group, "scatter_object_list")
    comm = world_comm("scatter_object_list")
    src = _check_rank(src if group_src is None else group_src, comm, "scatter_object_list", "source")
    if not isinstance(scatter_object_output_list, list) or not scatter_object_output_list:
        raise ValueError("scatter_object_list: scatter_object_output_list must be a non-empty list")
    scatter_object_output_list[0] = comm.scatter(
        scatter_object_input_list if comm.Get_rank() == src else None, root=src)
