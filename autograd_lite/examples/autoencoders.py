"""Autoencoders on digits: `python -m autograd_lite.examples.autoencoders`.

Trains the dense, denoising, variational and convolutional autoencoders of
`autograd_lite.nn` on scikit-learn's bundled 8x8 digits, reports each one's test
reconstruction error against the same model untrained, and shows reconstructions:
a PNG grid when matplotlib is installed (`--out`), and one digit drawn in text.
"""
import argparse
import time
from pathlib import Path

import numpy as np

import autograd_lite as ag
from autograd_lite import nn, optim
from autograd_lite.utils.data import DataLoader, TensorDataset

SHADES = " .:-=+*#%@"


def load_digits_pixels(seed=0):
    """Digits scaled to [0, 1]: (train (1400, 64), test (397, 64)) float32 tensors."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise SystemExit("this example needs scikit-learn for its digits: pip install -e '.[demo]'") from e
    x = (load_digits().data / 16.0).astype(np.float32)
    x = x[np.random.default_rng(seed).permutation(len(x))]
    return ag.tensor(x[:1400]), ag.tensor(x[1400:])


def _mse_loss(model, xb):
    return nn.functional.mse_loss(model(xb), xb)


def _vae_loss(model, xb):
    recon, mu, logvar = model(xb)
    return model.loss_function(recon, xb, mu, logvar)[0]


def _flat(x):
    return x


def _images(x):
    return x.reshape(-1, 1, 8, 8)




# name: (builder, training loss, input transform, description)
VARIANTS = {
    "dense": (lambda: nn.Autoencoder([64, 32, 8]), _mse_loss, _flat, "Autoencoder 64-32-8"),
    "denoising": (lambda: nn.DenoisingAutoencoder([64, 32, 8], noise_std=0.3, mask_prob=0.1),
                  _mse_loss, _flat, "DenoisingAutoencoder 64-32-8 (noise 0.3, masking 0.1)"),
    "vae": (lambda: nn.VAE([64, 32, 8]), _vae_loss, _flat, "VAE 64-32-8 (Bernoulli decoder)"),
    "conv": (lambda: nn.ConvAutoencoder(1, channels=(16, 8)), _mse_loss, _images,
             "ConvAutoencoder 1x8x8 -> 16x4x4 -> 8x2x2 (stride-2 convs, ConvTranspose2d up)"),
}


def reconstruct(model, x):
    """The model's reconstruction in eval mode (a VAE decodes its mean)."""
    model.eval()
    with ag.no_grad():
        out = model(x)
    model.train()
    return out[0] if isinstance(out, tuple) else out


def reconstruction_error(model, x, transform=_flat):
    out = reconstruct(model, transform(x))
    return ((out.reshape(x.shape) - x) ** 2).mean().item()


def train_variant(name, epochs=20, lr=3e-3, batch_size=64, seed=0, data=None):
    """Train one variant; returns (model, error before, error after, seconds)."""
    build, loss_of, transform, _ = VARIANTS[name]
    x_tr, x_te = data or load_digits_pixels(seed)
    ag.manual_seed(seed)
    model = build()
    before = reconstruction_error(model, x_te, transform)
    opt = optim.Adam(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(transform(x_tr)), batch_size=batch_size, shuffle=True)
    start = time.perf_counter()
    for _ in range(epochs):
        for (xb,) in loader:
            loss = loss_of(model, xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - start
    return model, before, reconstruction_error(model, x_te, transform), seconds


def ascii_digit(pixels):
    """An 8x8 image in [0, 1] as 8 lines of text."""
    levels = np.clip((np.asarray(pixels).reshape(8, 8) * (len(SHADES) - 1)).round(), 0, len(SHADES) - 1)
    return ["".join(SHADES[int(v)] * 2 for v in row) for row in levels]


def save_grid(originals, rows, path):
    """Originals on top, one row of reconstructions per model (needs matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = originals.shape[0]
    fig, axes = plt.subplots(len(rows) + 1, n, figsize=(n * 0.9, (len(rows) + 1) * 1.0))
    for j in range(n):
        for i, (label, imgs) in enumerate([("input", originals)] + rows):
            ax = axes[i, j]
            ax.imshow(imgs[j].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if j == 0:
                ax.set_ylabel(label, fontsize=7, rotation=0, ha="right", va="center")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="demo_output", help="folder for the reconstructions PNG")
    args = p.parse_args(argv)

    data = load_digits_pixels(args.seed)
    x_te = data[1]
    shown = x_te[:10]
    rows, results = [], {}
    for name in args.models:
        model, before, after, secs = train_variant(name, args.epochs, seed=args.seed, data=data)
        results[name] = (before, after)
        print(f"{VARIANTS[name][3]}: test reconstruction MSE {before:.4f} untrained -> {after:.4f} "
              f"after {args.epochs} epochs ({secs:.1f} s)")
        recon = reconstruct(model, VARIANTS[name][2](shown)).numpy().reshape(len(shown), 64)
        rows.append((name, recon))
        side = zip(ascii_digit(shown[0].numpy()), ascii_digit(recon[0]))
        print("  input            reconstruction")
        for left, right in side:
            print(f"  {left}  {right}")
    try:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        path = save_grid(shown.numpy(), rows, out / "autoencoder_reconstructions.png")
        print(f"saved reconstructions of 10 test digits to {path}")
    except ImportError:
        print("matplotlib is not installed: no reconstruction picture (pip install matplotlib)")
    return results


if __name__ == "__main__":
    main()
