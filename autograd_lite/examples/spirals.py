"""Backpropagation with bare tensors: `python -m autograd_lite.examples.spirals`.

Fits a two-layer network to a noisy two-spiral classification problem with plain
Tensor ops and hand-written SGD with momentum, so every step of backpropagation is
visible: forward pass, `loss.backward()`, parameter update under `no_grad`.
"""
import argparse
import time

import numpy as np

import autograd_lite as ag


def make_spirals(n_per_class=200, noise=0.2, seed=0):
    """Two interleaved spirals in 2-D: not linearly separable."""
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.random(n_per_class)) * 3 * np.pi
    arms = []
    for sign in (1, -1):
        x = sign * np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (3 * np.pi)
        arms.append(x + noise * rng.standard_normal(x.shape) / 3)
    x = np.concatenate(arms).astype(np.float32)
    y = np.concatenate([np.zeros(n_per_class), np.ones(n_per_class)]).astype(np.int64)
    order = rng.permutation(len(y))
    return x[order], y[order]


def init_params(sizes, seed=0):
    """He-uniform weights, zero biases, as tensors that require grad."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = np.sqrt(6.0 / fan_in)
        w = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32)
        params += [ag.tensor(w, requires_grad=True), ag.zeros(fan_out, requires_grad=True)]
    return params


def forward(params, x):
    h = x
    for i in range(0, len(params) - 2, 2):
        h = ag.tanh(h @ params[i] + params[i + 1])
    return h @ params[-2] + params[-1]  # logits


def cross_entropy(logits, y):
    """Mean negative log-likelihood of the right class, through log_softmax."""
    logp = ag.log_softmax(logits, dim=1)
    return -logp[ag.arange(len(y)), y].mean()


def accuracy(logits, y):
    return float((logits.argmax(1).numpy() == y).mean())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=300)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--hidden", type=int, default=32)
    args = p.parse_args(argv)

    ag.manual_seed(0)
    x, y = make_spirals()
    n_train = int(0.8 * len(y))
    x_tr, y_tr, x_te, y_te = ag.tensor(x[:n_train]), y[:n_train], ag.tensor(x[n_train:]), y[n_train:]
    params = init_params([2, args.hidden, args.hidden, 2])
    velocity = [np.zeros_like(p._data) for p in params]
    print(f"autograd_lite {ag.__version__}: two spirals, {n_train} train / {len(y_te)} test points, "
          f"MLP 2-{args.hidden}-{args.hidden}-2 (tanh), full-batch SGD momentum 0.9")
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        logits = forward(params, x_tr)
        loss = cross_entropy(logits, ag.tensor(y_tr))
        for p_ in params:
            p_.grad = None
        loss.backward()
        with ag.no_grad():
            for p_, v in zip(params, velocity):
                v *= 0.9
                v += p_.grad._data
                p_ -= args.lr * ag.from_numpy(v)
        if epoch == 1 or epoch % 50 == 0:
            print(f"epoch {epoch:4d}  loss {loss.item():.4f}  train acc {accuracy(logits, y_tr):.3f}")
    with ag.no_grad():
        test_acc = accuracy(forward(params, x_te), y_te)
    print(f"test accuracy {test_acc:.3f}  ({time.perf_counter() - start:.1f} s)")
    return test_acc


if __name__ == "__main__":
    main()
