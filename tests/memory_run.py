"""Training steps with the resident set size (RSS) measured around them, run as a
script in a child process (see tests/test_memory.py): a small MLP (batch norm,
dropout, AdamW, a scheduler, gradient clipping), a CNN (conv, batch norm, max pool,
SGD with momentum) and an LSTM (Adam, truncated backpropagation through time with
the hidden state carried over, detached). After `--warmup` steps (allocator pools,
Numba kernels and optimizer state settle) the RSS and the count of live tensors are
read, then `--steps` more steps run and they are read again.

    python tests/memory_run.py --steps 1000 [--warmup 200] [--models mlp,cnn,lstm]

prints one JSON line per model: its RSS before and after and the growth in KiB, and
the growth in live tensors (0 when nothing accumulates).
"""
import argparse
import gc
import json
import time

import numpy as np

import autograd_lite as ag
from autograd_lite import nn, optim
import autograd_lite.nn.functional as F


def rss_kib():
    """The current resident set size in KiB (Linux: /proc/self/status)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def live_tensors():
    gc.collect()
    return sum(isinstance(o, ag.Tensor) for o in gc.get_objects())


def mlp_step_fn(rng):
    model = nn.Sequential(nn.Linear(32, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 10))
    opt = optim.AdamW(model.parameters(), lr=1e-3)
    sched = optim.lr_scheduler.StepLR(opt, step_size=100, gamma=0.9)
    x = ag.tensor(rng.standard_normal((16, 32)).astype(np.float32))
    y = ag.tensor(rng.integers(0, 10, 16))

    def step():
        loss = F.cross_entropy(model(x), y, label_smoothing=0.1)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        return loss.item()

    return step


def cnn_step_fn(rng):
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 2 * 2, 10))
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = ag.tensor(rng.standard_normal((8, 1, 8, 8)).astype(np.float32))
    y = ag.tensor(rng.integers(0, 10, 8))

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def lstm_step_fn(rng):
    lstm = nn.LSTM(6, 12, batch_first=True)
    head = nn.Linear(12, 6)
    opt = optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=1e-3)
    x = ag.tensor(rng.standard_normal((4, 5, 6)).astype(np.float32))
    target = ag.tensor(rng.standard_normal((4, 5, 6)).astype(np.float32))
    state = [None]

    def step():
        out, (h, c) = lstm(x, state[0])
        state[0] = (h.detach(), c.detach())  # carried over, cut from the graph
        loss = F.mse_loss(head(out), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return step


MODELS = {"mlp": mlp_step_fn, "cnn": cnn_step_fn, "lstm": lstm_step_fn}


def measure(name, steps, warmup, seed=0):
    step = MODELS[name](np.random.default_rng(seed))
    for _ in range(warmup):
        step()
    tensors_before, rss_before = live_tensors(), rss_kib()
    start = time.perf_counter()
    for _ in range(steps):
        loss = step()
    seconds = time.perf_counter() - start
    gc.collect()
    rss_after, tensors_after = rss_kib(), live_tensors()
    return dict(model=name, steps=steps, rss_before_kib=rss_before, rss_after_kib=rss_after,
                growth_kib=rss_after - rss_before, tensor_growth=tensors_after - tensors_before,
                seconds=round(seconds, 2), final_loss=loss)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--models", default=",".join(MODELS))
    args = parser.parse_args()
    for name in args.models.split(","):
        print(json.dumps(measure(name, args.steps, args.warmup)), flush=True)


if __name__ == "__main__":
    main()
