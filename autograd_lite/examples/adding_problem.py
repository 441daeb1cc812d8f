"""Long-range BPTT: an LSTM solves the adding problem.
`python -m autograd_lite.examples.adding_problem`

Each sequence has `seq_len` steps of two inputs: a random value in [0, 1) and a marker
that is 1 at exactly two steps (one in each half) and 0 elsewhere. The target is the
sum of the two marked values, read from the last step's hidden state, so the network
has to carry information across up to `seq_len` steps: the gradient that teaches it
to do so flows back through the whole sequence (BPTT). Predicting the mean (1.0)
scores an MSE of 1/6 = 0.167; a model that has learnt the task scores near 0.
Gradients are clipped by norm (`nn.utils.clip_grad_norm_`): exploding gradients are
the classic failure of BPTT.
"""
import argparse
import time

import numpy as np

import autograd_lite as ag
from autograd_lite import nn, optim

BASELINE_MSE = 1 / 6  # var(u1 + u2) for two independent U(0, 1): the score of predicting 1.0


def adding_batch(rng, batch, seq_len):
    """(x (batch, seq_len, 2) float32, y (batch, 1) float32)."""
    values = rng.random((batch, seq_len)).astype(np.float32)
    markers = np.zeros((batch, seq_len), np.float32)
    half = seq_len // 2
    rows = np.arange(batch)
    first = rng.integers(0, half, batch)
    second = rng.integers(half, seq_len, batch)
    markers[rows, first] = 1
    markers[rows, second] = 1
    y = (values[rows, first] + values[rows, second])[:, None]
    return np.stack([values, markers], axis=2), y


class AddingModel(nn.Module):
    """LSTM over the sequence, a linear head on the last step's output."""

    def __init__(self, hidden=64):
        super().__init__()
        self.lstm = nn.LSTM(2, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def train(seq_len=50, hidden=64, batch=64, lr=3e-3, steps=3000, target=0.01, eval_every=100,
          clip=1.0, seed=0, log=print, time_limit=60.0):
    """Train until the validation MSE is below `target` (or `steps`/`time_limit` run
    out). Returns (validation MSE, steps taken, seconds)."""
    ag.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = AddingModel(hidden)
    opt = optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    x_val, y_val = (ag.tensor(a) for a in adding_batch(np.random.default_rng(seed + 1), 1000, seq_len))
    log(f"adding problem: sequence length {seq_len}, LSTM hidden {hidden}, batch {batch}, Adam lr {lr}, "
        f"clip_grad_norm_ {clip}; predicting the mean scores MSE {BASELINE_MSE:.3f}")
    t0 = time.perf_counter()
    val = BASELINE_MSE
    step = 0
    for step in range(1, steps + 1):
        x, y = (ag.tensor(a) for a in adding_batch(rng, batch, seq_len))
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        if step % eval_every == 0 or step == steps:
            with ag.no_grad():
                val = loss_fn(model(x_val), y_val).item()
            elapsed = time.perf_counter() - t0
            log(f"step {step:5d}  train MSE {loss.item():.4f}  val MSE {val:.4f}  "
                f"grad norm {float(norm):.3f}  ({elapsed:.1f} s)")
            if val < target or elapsed > time_limit:
                break
    elapsed = time.perf_counter() - t0
    solved = "solved" if val < target else "not solved"
    log(f"{solved}: validation MSE {val:.4f} (baseline {BASELINE_MSE:.3f}) after {step} steps, "
        f"{elapsed:.1f} s")
    return val, step, elapsed


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seq-len", type=int, default=50)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--target", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    return train(args.seq_len, args.hidden, args.batch, args.lr, args.steps, args.target, seed=args.seed)


if __name__ == "__main__":
    main()
