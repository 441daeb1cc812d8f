"""Every collective on every rank: values, in-place writes, versions, async work,
strided tensors, argument errors, and the group's life cycle."""
import pytest
from worker_common import ag, dist, np, report, start

rank, n = start()
R = dist.ReduceOp
ranks = np.arange(n, dtype=np.float64)


def mine(values, dtype=ag.float64):
    return ag.tensor(np.asarray(values), dtype=dtype)


# all_reduce: in place on the tensor's own memory, version bumped, every op
for op, expect in [(R.SUM, ranks.sum() + n), (R.AVG, ranks.mean() + 1), (R.MAX, n),
                   (R.MIN, 1), (R.PRODUCT, np.prod(ranks + 1))]:
    for dtype in (ag.float64, ag.float32):
        t = mine([rank + 1.0, 2 * (rank + 1.0)], dtype)
        array, version = t.numpy(), t._version
        assert dist.all_reduce(t, op=op) is None
        assert t.numpy() is array and t._version > version and t.dtype == dtype
        np.testing.assert_allclose(t.numpy(), [expect, 2 * expect if op is not R.PRODUCT
                                                else expect * 2.0 ** n], rtol=1e-6)
i = ag.tensor([rank, -rank], dtype=ag.int64)
dist.all_reduce(i, op=R.MAX)
assert i.tolist() == [n - 1, 0] and i.dtype == ag.int64
bits = ag.tensor([1 << rank], dtype=ag.int32)
dist.all_reduce(bits, op=R.BOR)
assert bits.item() == (1 << n) - 1

# a leaf that requires grad, and a strided view (written back into its base)
w = ag.ones(3, requires_grad=True)
dist.all_reduce(w)
assert w.requires_grad and w.detach().tolist() == [n] * 3
base = ag.tensor(np.arange(6.0).reshape(2, 3) + rank)
view = base.t()
dist.all_reduce(view)
np.testing.assert_allclose(base.numpy(), n * np.arange(6.0).reshape(2, 3) + ranks.sum())

# async: a Work that completes on wait()
t = mine([rank])
work = dist.all_reduce(t, op=R.SUM, async_op=True)
assert work.wait() is True and work.is_completed() and work.is_success()
assert work.result()[0] is t and t.item() == ranks.sum()
b = mine([rank * 10.0, 1.0])
dist.broadcast(b, src=n - 1, async_op=True).wait()
assert b.tolist() == [(n - 1) * 10.0, 1.0]
dist.barrier(async_op=True).wait()

# broadcast, all_gather, gather, scatter, reduce
b = ag.full((2, 2), float(rank))
dist.broadcast(b, src=1 % n)
assert (b.numpy() == 1 % n).all()
outs = [ag.zeros(2, dtype=ag.float64) for _ in range(n)]
dist.all_gather(outs, mine([rank, rank + 0.5]))
assert [o.tolist() for o in outs] == [[r, r + 0.5] for r in range(n)]
flat = ag.zeros(2 * n, dtype=ag.float64)
dist.all_gather_into_tensor(flat, mine([rank, -rank]))
assert flat.tolist() == [v for r in range(n) for v in (r, -r)]
g = [ag.zeros(1, dtype=ag.float64) for _ in range(n)] if rank == 0 else None
dist.gather(mine([rank * 2.0]), g, dst=0)
if rank == 0:
    assert [x.item() for x in g] == [r * 2.0 for r in range(n)]
s = ag.zeros(2, dtype=ag.float64)
src = n - 1
dist.scatter(s, [mine([r, r]) for r in range(n)] if rank == src else None, src=src)
assert s.tolist() == [rank, rank]
red = mine([rank + 1.0])
dist.reduce(red, dst=n - 1, op=R.SUM)
assert red.item() == (ranks.sum() + n if rank == n - 1 else rank + 1.0)

# objects
objs = [None] * n
dist.all_gather_object(objs, {"rank": rank, "name": f"r{rank}"})
assert objs == [{"rank": r, "name": f"r{r}"} for r in range(n)]
lst = [rank, "x"] if rank == 0 else [None, None]
dist.broadcast_object_list(lst, src=0)
assert lst == [0, "x"]

# argument errors name the op and what was wrong
with pytest.raises(ValueError, match=r"broadcast: invalid source rank"):
    dist.broadcast(mine([1.0]), src=n)
with pytest.raises(ValueError, match=r"all_gather: tensor_list must be a list of"):
    dist.all_gather([ag.zeros(1)], ag.zeros(1))
with pytest.raises(TypeError, match=r"AVG needs a floating point"):
    dist.all_reduce(ag.tensor([1, 2]), op=R.AVG)
with pytest.raises(TypeError, match=r"all_reduce: expected a Tensor"):
    dist.all_reduce(np.ones(2))
with pytest.raises(ValueError, match=r"only the default group"):
    dist.get_rank(group="pipeline")
with pytest.raises(ValueError, match=r"twice"):
    dist.init_process_group("mpi")
dist.barrier()

# life cycle: destroy, then the calls say the group is gone; init again works
dist.destroy_process_group()
assert not dist.is_initialized()
with pytest.raises(ValueError, match=r"Default process group has not been initialized"):
    dist.get_rank()
dist.init_process_group("gloo")  # carried over MPI too
assert dist.get_backend() == "mpi" and dist.get_world_size() == n
report({"ok": True})
