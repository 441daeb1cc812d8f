"""Forward-forward training in the style of pytorch/examples mnist_forward_forward:
layers that subclass nn.Linear (and override `train` with their own signature), each
with its own Adam optimizer and a layer-local loss on positive and negative data,
the direction normalisation `x / (x.norm(2, 1, keepdim=True) + 1e-4)`, labels overlaid
on the input with advanced indexing, goodness-based prediction. Synthetic flattened
digits; the negative labels come from a NumPy permutation so both libraries see the same.

    python -m autograd_lite.as_torch tests/programs/forward_forward.py --epochs 20
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
from torch.optim import Adam


def overlay_y_on_x(x, y):
    """Replace the first 10 pixels of data [x] with one-hot-encoded label [y]."""
    x_ = x.clone()
    x_[:, :10] *= 0.0
    x_[range(x.shape[0]), y] = x.max()
    return x_


class Net(torch.nn.Module):
    def __init__(self, dims, epochs, lr, device):
        super().__init__()
        self.layers = []
        for d in range(len(dims) - 1):
            self.layers += [Layer(dims[d], dims[d + 1], epochs=epochs, lr=lr).to(device)]

    def predict(self, x):
        goodness_per_label = []
        for label in range(10):
            h = overlay_y_on_x(x, label)
            goodness = []
            for layer in self.layers:
                h = layer(h)
                goodness += [h.pow(2).mean(1)]
            goodness_per_label += [sum(goodness).unsqueeze(1)]
        goodness_per_label = torch.cat(goodness_per_label, 1)
        return goodness_per_label.argmax(1)

    def train(self, x_pos, x_neg, losses):
        h_pos, h_neg = x_pos, x_neg
        for i, layer in enumerate(self.layers):
            h_pos, h_neg = layer.train(h_pos, h_neg, losses)


class Layer(nn.Linear):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None, epochs=1000, lr=0.03):
        super().__init__(in_features, out_features, bias, device, dtype)
        self.relu = torch.nn.ReLU()
        self.opt = Adam(self.parameters(), lr=lr)
        self.threshold = 2.0
        self.num_epochs = epochs

    def forward(self, x):
        x_direction = x / (x.norm(2, 1, keepdim=True) + 1e-4)
        return self.relu(torch.mm(x_direction, self.weight.T) + self.bias.unsqueeze(0))

    def train(self, x_pos, x_neg, losses):
        for i in range(self.num_epochs):
            g_pos = self.forward(x_pos).pow(2).mean(1)
            g_neg = self.forward(x_neg).pow(2).mean(1)
            # The following loss pushes pos (neg) samples to values larger (smaller) than the self.threshold.
            loss = torch.log(1 + torch.exp(torch.cat([-g_pos + self.threshold, g_neg - self.threshold]))).mean()
            self.opt.zero_grad()
            # this backward just compute the derivative and hence is not considered backpropagation.
            loss.backward()
            self.opt.step()
            losses.append(loss.item())
        return self.forward(x_pos).detach(), self.forward(x_neg).detach()


def synthetic_digits(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    x = rng.uniform(0, 0.2, (n, 784))
    for i, label in enumerate(y):
        x[i, 100 + 60 * label:160 + 60 * label] += 1.0
    return torch.from_numpy(x), torch.from_numpy(y)


def main(argv=None, init=None):
    """Train; returns every layer's loss of every epoch, then the train and test errors."""
    parser = argparse.ArgumentParser(description="forward-forward (synthetic digits)")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--lr", type=float, default=0.03)
    parser.add_argument("--train-size", type=int, default=64)
    parser.add_argument("--dims", type=int, nargs="+", default=[784, 32, 32])
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--verbose", action="store_true", default=False)
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = getattr(torch, args.dtype)

    x, y = synthetic_digits(args.train_size, 0)
    x, y = x.to(device=device, dtype=dtype), y.to(device)
    net = Net(args.dims, args.epochs, args.lr, device)
    for layer in net.layers:
        layer.to(dtype)
    if init is not None:
        init({f"layer{i}": layer for i, layer in enumerate(net.layers)})
    x_pos = overlay_y_on_x(x, y)
    rnd = torch.from_numpy(np.random.default_rng(1).permutation(x.size(0)))
    x_neg = overlay_y_on_x(x, y[rnd])
    losses = []
    net.train(x_pos, x_neg, losses)

    train_error = 1.0 - net.predict(x).eq(y).float().mean().item()
    x_te, y_te = synthetic_digits(32, 1)
    x_te, y_te = x_te.to(device=device, dtype=dtype), y_te.to(device)
    test_error = 1.0 - net.predict(x_te).eq(y_te).float().mean().item()
    if args.verbose:
        print("train error:", train_error)
        print("test error:", test_error)
    return losses + [train_error, test_error]


if __name__ == "__main__":
    print(main())
