"""One epoch of a shuffled DataLoader over a TensorDataset (60000 x 784 float32 and
int64 labels, batch 256): autograd_lite's batch-gather fast path, the same loader
forced onto the item-by-item path, and PyTorch's DataLoader.

    python -m benchmarks.dataloader
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import timeit  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.utils.data as tdata  # noqa: E402

import autograd_lite as ag  # noqa: E402
from autograd_lite.utils.data import DataLoader, TensorDataset, default_collate  # noqa: E402

N, D, BATCH = 60000, 784, 256


def _epoch(loader):
    for _ in loader:
        pass


def main():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, D), dtype=np.float32)
    y = rng.integers(0, 10, N)
    ds = TensorDataset(ag.from_numpy(x), ag.from_numpy(y))
    loaders = {
        "autograd_lite (batch gather)": DataLoader(ds, batch_size=BATCH, shuffle=True),
        "autograd_lite (item by item)": DataLoader(ds, batch_size=BATCH, shuffle=True,
                                                   collate_fn=lambda b: default_collate(b)),
        "torch": tdata.DataLoader(tdata.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
                                  batch_size=BATCH, shuffle=True),
    }
    for name, loader in loaders.items():
        best = min(timeit.repeat(lambda: _epoch(loader), number=1, repeat=3))
        print(f"{name:30s} {best * 1000:8.1f} ms/epoch")


if __name__ == "__main__":
    main()
