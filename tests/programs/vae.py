"""Variational autoencoder in the style of pytorch/examples vae/main.py (Linear, relu,
sigmoid, binary cross-entropy summed plus the KL divergence, Adam), on synthetic
28x28 images in [0, 1]. The reparameterisation noise is drawn with NumPy and passed in,
so runs on two libraries see the same numbers; sampling at the end uses torch.randn.

    python -m autograd_lite.as_torch tests/programs/vae.py --epochs 2
"""
import argparse

import numpy as np
import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F


class VAE(nn.Module):
    def __init__(self, hidden=64, latent=8):
        super(VAE, self).__init__()

        self.fc1 = nn.Linear(784, hidden)
        self.fc21 = nn.Linear(hidden, latent)
        self.fc22 = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar, eps=None):
        std = torch.exp(0.5 * logvar)
        if eps is None:
            eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x, eps=None):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar, eps)
        return self.decode(z), mu, logvar


# Reconstruction + KL divergence losses summed over all elements and batch
def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction='sum')

    # see Appendix B from VAE paper:
    # Kingma and Welling. Auto-Encoding Variational Bayes. ICLR, 2014
    # https://arxiv.org/abs/1312.6114
    # 0.5 * sum(1 + log(sigma^2) - mu^2 - sigma^2)
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())

    return BCE + KLD


def synthetic_images(n, seed):
    rng = np.random.default_rng(seed)
    base = rng.uniform(0, 1, (4, 1, 28, 28))
    mix = rng.dirichlet(np.ones(4), n)
    images = np.einsum("nk,kchw->nchw", mix, base)
    return torch.from_numpy(images.astype(np.float32)), torch.from_numpy(rng.integers(0, 10, n))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='VAE MNIST Example (synthetic images)')
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--epochs', type=int, default=2)
    parser.add_argument('--train-size', type=int, default=48)
    parser.add_argument('--latent', type=int, default=8)
    parser.add_argument('--dtype', default='float32')
    parser.add_argument('--no-cuda', action='store_true', default=False)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--log-interval', type=int, default=1)
    parser.add_argument('--verbose', action='store_true', default=False)
    return parser.parse_args(argv)


def main(argv=None, init=None):
    """Train; returns the loss of every batch and the test loss of every epoch."""
    args = parse_args(argv)
    args.cuda = not args.no_cuda and torch.cuda.is_available()
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if args.cuda else "cpu")
    dtype = getattr(torch, args.dtype)
    noise = np.random.default_rng(2)

    train_x, train_y = synthetic_images(args.train_size, 0)
    test_x, test_y = synthetic_images(32, 1)
    train_loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(train_x.to(dtype), train_y), batch_size=args.batch_size, shuffle=False)
    test_loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(test_x.to(dtype), test_y), batch_size=args.batch_size, shuffle=False)

    model = VAE(latent=args.latent).to(device).to(dtype)
    if init is not None:
        init({"model": model})
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    losses = []

    def draw(n):
        return torch.from_numpy(noise.standard_normal((n, args.latent))).to(dtype)

    def train(epoch):
        model.train()
        train_loss = 0
        for batch_idx, (data, _) in enumerate(train_loader):
            data = data.to(device)
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data, draw(len(data)))
            loss = loss_function(recon_batch, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
            losses.append(loss.item() / len(data))
            if batch_idx % args.log_interval == 0 and args.verbose:
                print('Train Epoch: {} [{}/{}]\tLoss: {:.6f}'.format(
                    epoch, batch_idx * len(data), len(train_loader.dataset), loss.item() / len(data)))
        if args.verbose:
            print('====> Epoch: {} Average loss: {:.4f}'.format(epoch, train_loss / len(train_loader.dataset)))

    def test(epoch):
        model.eval()
        test_loss = 0
        with torch.no_grad():
            for i, (data, _) in enumerate(test_loader):
                data = data.to(device)
                recon_batch, mu, logvar = model(data, draw(len(data)))
                test_loss += loss_function(recon_batch, data, mu, logvar).item()
                if i == 0:
                    n = min(data.size(0), 8)
                    comparison = torch.cat([data[:n], recon_batch.view(args.batch_size, 1, 28, 28)[:n]])
                    assert comparison.shape == (2 * n, 1, 28, 28)
        test_loss /= len(test_loader.dataset)
        losses.append(test_loss)
        if args.verbose:
            print('====> Test set loss: {:.4f}'.format(test_loss))

    for epoch in range(1, args.epochs + 1):
        train(epoch)
        test(epoch)
        with torch.no_grad():
            sample = torch.randn(16, args.latent, dtype=dtype).to(device)
            sample = model.decode(sample).cpu()
            assert sample.view(16, 1, 28, 28).shape == (16, 1, 28, 28)
    return losses


if __name__ == "__main__":
    print(main())
