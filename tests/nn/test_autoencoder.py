"""Autoencoders: shapes, PyTorch-compatible weights, the VAE's loss against a PyTorch
VAE, and training on digits (each variant halves its reconstruction error)."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn, optim
from nn_helpers import assert_state_dict_like, close, load_from_torch
from helpers import torch_dtype


def _torch_mlp(sizes, out_act=None):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    if out_act:
        layers.append(torch.nn.Sigmoid())
    return torch.nn.Sequential(*layers)


class _TorchAE(torch.nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.encoder = _torch_mlp(sizes)
        self.decoder = _torch_mlp(sizes[::-1], out_act=True)

    def forward(self, x):
        return self.decoder(self.encoder(x))


class _TorchVAE(torch.nn.Module):
    """The textbook PyTorch VAE, laid out as ours."""

    def __init__(self, sizes):
        super().__init__()
        body = list(_torch_mlp(sizes[:-1]))
        self.encoder = torch.nn.Sequential(*body, torch.nn.ReLU())
        self.fc_mu = torch.nn.Linear(sizes[-2], sizes[-1])
        self.fc_logvar = torch.nn.Linear(sizes[-2], sizes[-1])
        self.decoder = _torch_mlp(sizes[::-1], out_act=True)

    def forward(self, x, eps):
        h = self.encoder(x)
        mu, logvar = self.fc_mu(h), self.fc_logvar(h)
        z = mu + torch.exp(0.5 * logvar) * eps
        recon = self.decoder(z)
        n = x.shape[0]
        rec = torch.nn.functional.binary_cross_entropy(recon, x, reduction="sum") / n
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / n
        return rec + kl, rec, kl


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dense_autoencoder_matches_torch(dtype):
    sizes = [12, 8, 3]
    torch.manual_seed(0)
    theirs = _TorchAE(sizes).to(torch_dtype(dtype))
    ours = nn.Autoencoder(sizes).to(dtype)
    assert_state_dict_like(ours, theirs)
    load_from_torch(ours, theirs)
    x = np.random.default_rng(0).random((5, 12)).astype(dtype)
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    z = ours.encode(xa)
    assert z.shape == (5, 3) and ours.decode(z).shape == (5, 12)
    out_a, out_t = ours(xa), theirs(xt)
    close(out_a, out_t, dtype, "reconstruction")
    out_a.sum().backward()
    out_t.sum().backward()
    close(xa.grad, xt.grad, dtype, "input grad")
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        close(p.grad, q.grad, dtype, f"grad of {name}")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_vae_loss_and_gradients_match_torch(dtype):
    sizes = [10, 7, 2]
    torch.manual_seed(1)
    theirs = _TorchVAE(sizes).to(torch_dtype(dtype))
    ours = nn.VAE(sizes).to(dtype)
    assert_state_dict_like(ours, theirs)
    load_from_torch(ours, theirs)
    rng = np.random.default_rng(1)
    x = rng.random((6, 10)).astype(dtype)
    eps = rng.standard_normal((6, 2)).astype(dtype)
    recon, mu, logvar = ours(ag.tensor(x), eps=ag.tensor(eps))
    assert recon.shape == (6, 10) and mu.shape == logvar.shape == (6, 2)
    loss_a, rec_a, kl_a = ours.loss_function(recon, ag.tensor(x), mu, logvar)
    loss_t, rec_t, kl_t = theirs(torch.tensor(x), torch.tensor(eps))
    for a, t, what in ((loss_a, loss_t, "loss"), (rec_a, rec_t, "reconstruction"), (kl_a, kl_t, "kl")):
        close(a, t, dtype, what)
    loss_a.backward()
    loss_t.backward()
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        close(p.grad, q.grad, dtype, f"grad of {name}")


class _TorchConvAE(torch.nn.Module):
    def __init__(self):
        super().__init__()
        T = torch.nn
        self.encoder = T.Sequential(T.Conv2d(1, 4, 3, 2, 1), T.ReLU(), T.Conv2d(4, 6, 3, 2, 1), T.ReLU())
        self.decoder = T.Sequential(T.ConvTranspose2d(6, 4, 3, 2, 1, output_padding=1), T.ReLU(),
                                    T.ConvTranspose2d(4, 1, 3, 2, 1, output_padding=1), T.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv_autoencoder_matches_torch(dtype):
    torch.manual_seed(2)
    theirs = _TorchConvAE().to(torch_dtype(dtype))
    ours = nn.ConvAutoencoder(1, channels=(4, 6)).to(dtype)
    assert_state_dict_like(ours, theirs)
    load_from_torch(ours, theirs)
    x = np.random.default_rng(2).random((3, 1, 8, 12)).astype(dtype)
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    assert ours.encode(xa).shape == (3, 6, 2, 3)
    out_a, out_t = ours(xa), theirs(xt)
    close(out_a, out_t, dtype, "reconstruction")
    w = np.random.default_rng(3).standard_normal(x.shape).astype(dtype)
    (out_a * ag.tensor(w)).sum().backward()
    (out_t * torch.tensor(w)).sum().backward()
    close(xa.grad, xt.grad, dtype, "input grad")
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        close(p.grad, q.grad, dtype, f"grad of {name}")


def test_conv_autoencoder_input_checks():
    model = nn.ConvAutoencoder(1, channels=(4, 6))
    with pytest.raises(ValueError, match=r"divisible by 4, got shape \(2, 1, 6, 8\)"):
        model(ag.rand(2, 1, 6, 8))
    with pytest.raises(ValueError, match=r"\(N, 1, H, W\)"):
        model(ag.rand(2, 3, 8, 8))
    with pytest.raises(ValueError, match="channels"):
        nn.ConvAutoencoder(1, channels=())


def test_vae_sampling_modes():
    ag.manual_seed(0)
    vae = nn.VAE([10, 6, 3])
    x = ag.rand(4, 10)
    with ag.no_grad():
        a, mu, _ = vae(x)
        b, _, _ = vae(x)
        assert not np.allclose(a.numpy(), b.numpy())  # training mode samples the code
        vae.eval()
        c, _, _ = vae(x)
        np.testing.assert_allclose(c.numpy(), vae.decode(mu).numpy(), rtol=1e-6)
    assert vae.sample(5).shape == (5, 10)


def test_denoising_corrupts_only_in_training():
    ag.manual_seed(0)
    dae = nn.DenoisingAutoencoder([16, 4], noise_std=0.5, mask_prob=0.3)
    x = ag.rand(8, 16)
    noisy = dae.corrupt(x)
    assert noisy.shape == x.shape and not np.allclose(noisy.numpy(), x.numpy())
    assert not np.allclose(dae(x).detach().numpy(), dae(x).detach().numpy())
    dae.eval()
    np.testing.assert_array_equal(dae(x).detach().numpy(), dae.decode(dae.encode(x)).detach().numpy())
    with pytest.raises(ValueError, match="mask_prob"):
        nn.DenoisingAutoencoder([4, 2], mask_prob=1.0)


def test_bad_sizes():
    with pytest.raises(ValueError, match="Autoencoder: sizes"):
        nn.Autoencoder([4])
    with pytest.raises(ValueError, match="VAE: sizes"):
        nn.VAE([4, 2])


# ---- training on digits ----------------------------------------------------------------
def _digits():
    sklearn = pytest.importorskip("sklearn.datasets")
    d = sklearn.load_digits()
    x = (d.data / 16.0).astype(np.float32)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(x))
    return x[order[:1400]], x[order[1400:]]


def _recon_error(model, x):
    model.eval()
    with ag.no_grad():
        out = model(x)
        out = out[0] if isinstance(out, tuple) else out
        err = ((out - x) ** 2).mean().item()
    model.train()
    return err


def _train(model, x, loss_of, epochs, lr=3e-3):
    opt = optim.Adam(model.parameters(), lr=lr)
    loader = ag.utils.data.DataLoader(ag.utils.data.TensorDataset(x), batch_size=64, shuffle=True)
    for _ in range(epochs):
        for (xb,) in loader:
            loss = loss_of(model, xb)
            opt.zero_grad()
            loss.backward()
            opt.step()


class _Images(nn.Module):
    """Runs an image model on flat 64-pixel rows (as 1x8x8 images)."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x.reshape(-1, 1, 8, 8)).reshape(-1, 64)


def _mse(model, xb):
    return nn.functional.mse_loss(model(xb), xb)


def _vae_loss(model, xb):
    recon, mu, logvar = model(xb)
    return model.loss_function(recon, xb, mu, logvar)[0]


@pytest.mark.parametrize("make, loss_of, epochs", [
    (lambda: nn.Autoencoder([64, 32, 8]), _mse, 15),
    (lambda: nn.DenoisingAutoencoder([64, 32, 8], noise_std=0.2), _mse, 15),
    (lambda: nn.VAE([64, 32, 8]), _vae_loss, 15),
    (lambda: _Images(nn.ConvAutoencoder(1, channels=(16, 8))), _mse, 15),
], ids=["dense", "denoising", "vae", "conv"])
def test_dense_variants_halve_reconstruction_error_on_digits(make, loss_of, epochs):
    train, test = _digits()
    x_tr, x_te = ag.tensor(train), ag.tensor(test)
    ag.manual_seed(0)
    model = make()
    before = _recon_error(model, x_te)
    _train(model, x_tr, loss_of, epochs)
    after = _recon_error(model, x_te)
    assert after < before / 2, f"test reconstruction MSE {before:.4f} -> {after:.4f}"
