"""The single-process baseline of digits_ddp.py: the same model, data, optimizer and
global batch, on one process (and one BLAS thread, as each rank of the DDP run).

    python examples/digits_single.py --epochs 20
"""
import time

import numpy as np

import autograd_lite as ag
from autograd_lite.utils.data import DataLoader
from autograd_lite.examples.cnn_digits import blas_threads
from digits_common import accuracy, load_data, make_training, parse_args, random_shift, snapshot


def main(argv=None):
    args = parse_args(__doc__.splitlines()[0], argv)
    with blas_threads(1):
        return train(args)


def train(args):
    train_ds, (x_va, y_va), (x_te, y_te) = load_data(args.seed)
    loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True,
                        generator=np.random.default_rng(args.seed))
    model, opt, sched, loss_fn = make_training(args, len(loader))
    rng = np.random.default_rng(args.seed)
    best = (-1.0, None, 0)
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        total = 0.0
        for xb, yb in loader:
            loss = loss_fn(model(random_shift(xb, rng)), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(yb)
        val = accuracy(model, x_va, y_va)
        if val > best[0]:
            best = (val, snapshot(model), epoch)
        print(f"epoch {epoch:3d}  train loss {total / len(train_ds):.4f}  val acc {val:.3f}", flush=True)
    seconds = time.perf_counter() - start
    model.load_state_dict(best[1])
    test = accuracy(model, x_te, y_te)
    print(f"1 process: best epoch {best[2]} (val acc {best[0]:.3f}): test accuracy {test:.4f} "
          f"({seconds:.1f} s training, {args.epochs * len(train_ds) / seconds:.0f} samples/s)")
    if args.save:
        ag.save(model.state_dict(), args.save)
    return test


if __name__ == "__main__":
    main()
