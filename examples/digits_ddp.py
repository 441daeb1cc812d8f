"""Data-parallel training of the digits CNN on several processes (MPI):

    python -m autograd_lite.distributed.run --nproc 2 examples/digits_ddp.py --epochs 20
    mpiexec -n 2 python examples/digits_ddp.py --epochs 20

Each process trains a replica on its share of every batch (DistributedSampler);
DistributedDataParallel averages the gradients, so the replicas take the same
steps as digits_single.py does on the whole batch. Rank 0 evaluates, prints and
saves; BatchNorm keeps per-process batch statistics, as in PyTorch without
SyncBatchNorm.
"""
import time

import numpy as np

import autograd_lite as ag
import autograd_lite.distributed as dist
from autograd_lite.nn.parallel import DistributedDataParallel
from autograd_lite.utils.data import DataLoader, DistributedSampler
from digits_common import accuracy, load_data, make_training, parse_args, random_shift, snapshot


def main(argv=None):
    args = parse_args(__doc__.splitlines()[0], argv)
    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    if args.batch_size % world:
        raise SystemExit(f"--batch-size {args.batch_size} must divide evenly over {world} processes")
    train_ds, (x_va, y_va), (x_te, y_te) = load_data(args.seed)
    sampler = DistributedSampler(train_ds, num_replicas=world, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(train_ds, batch_size=args.batch_size // world, sampler=sampler)
    model, opt, sched, loss_fn = make_training(args, len(loader))
    ddp = DistributedDataParallel(model)
    rng = np.random.default_rng(args.seed + rank)
    best = (-1.0, None, 0)
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        sampler.set_epoch(epoch)
        total = ag.zeros(2, dtype=ag.float64)  # (sum of losses, samples) on this rank
        for xb, yb in loader:
            loss = loss_fn(ddp(random_shift(xb, rng)), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += ag.tensor([loss.item() * len(yb), len(yb)], dtype=ag.float64)
        dist.all_reduce(total)
        if rank == 0:
            val = accuracy(model, x_va, y_va)
            if val > best[0]:
                best = (val, snapshot(model), epoch)
            print(f"epoch {epoch:3d}  train loss {(total[0] / total[1]).item():.4f}  val acc {val:.3f}",
                  flush=True)
    seconds = time.perf_counter() - start
    if rank == 0:
        model.load_state_dict(best[1])
        test = accuracy(model, x_te, y_te)
        print(f"{world} processes: best epoch {best[2]} (val acc {best[0]:.3f}): test accuracy "
              f"{test:.4f} ({seconds:.1f} s training, {args.epochs * len(train_ds) / seconds:.0f} samples/s)")
        if args.save:
            ag.save(model.state_dict(), args.save)
    dist.barrier()  # the others wait until rank 0 has saved
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
