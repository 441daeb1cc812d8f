"""Autoencoders: dense, denoising, variational and convolutional, each with
`encode` / `decode`.

Every model is built from plain layers inside `encoder` / `decoder` Sequentials, so
its state_dict keys are those of the same PyTorch `nn.Sequential`s
("encoder.0.weight", "decoder.2.bias", ...) and weights move both ways.
"""
import autograd_lite as ag

from .container import Sequential
from .conv import Conv2d, ConvTranspose2d
from .functional import binary_cross_entropy, mse_loss
from .linear import Linear
from .models import MLP, _activation
from .module import Module

__all__ = ["Autoencoder", "ConvAutoencoder", "DenoisingAutoencoder", "VAE"]


def _decoder(sizes, activation, dropout, batch_norm, output_activation):
    """An MLP from `sizes`, then the output activation (None for a linear output)."""
    mlp = MLP(sizes, activation=activation, dropout=dropout, batch_norm=batch_norm)
    layers = list(mlp)
    if output_activation is not None:
        layers.append(_activation(output_activation))
    return Sequential(*layers)


class Autoencoder(Module):
    """A dense autoencoder `sizes[0] -> ... -> sizes[-1] (code) -> ... -> sizes[0]`.

    The encoder is `nn.MLP(sizes)` (a linear code layer); the decoder mirrors it and
    ends in `output_activation` ("sigmoid" suits data in [0, 1]; None is linear).
    """

    def __init__(self, sizes, activation="relu", output_activation="sigmoid", dropout=0.0,
                 batch_norm=False):
        super().__init__()
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2:
            raise ValueError(f"{type(self).__name__}: sizes must list at least the input and "
                             f"code widths, got {sizes}")
        self.sizes = sizes
        self.encoder = MLP(sizes, activation=activation, dropout=dropout, batch_norm=batch_norm)
        self.decoder = _decoder(sizes[::-1], activation, dropout, batch_norm, output_activation)

    def encode(self, x):
        """The code of `x`: (N, sizes[0]) -> (N, sizes[-1])."""
        return self.encoder(x)

    def decode(self, z):
        """The reconstruction from a code: (N, sizes[-1]) -> (N, sizes[0])."""
        return self.decoder(z)

    def forward(self, x):
        """`decode(encode(x))`: (N, sizes[0]) -> (N, sizes[0])."""
        return self.decode(self.encode(x))


class DenoisingAutoencoder(Autoencoder):
    """An autoencoder trained to undo corruption: in training mode the input gets
    Gaussian noise of std `noise_std` and a random fraction `mask_prob` of its
    entries set to zero before encoding; in eval mode it is left as it is. The loss
    compares the reconstruction with the clean input."""

    def __init__(self, sizes, noise_std=0.2, mask_prob=0.0, **kwargs):
        if noise_std < 0:
            raise ValueError(f"DenoisingAutoencoder: noise_std must be >= 0, got {noise_std}")
        if not 0.0 <= mask_prob < 1.0:
            raise ValueError(f"DenoisingAutoencoder: mask_prob must be in [0, 1), got {mask_prob}")
        super().__init__(sizes, **kwargs)
        self.noise_std = float(noise_std)
        self.mask_prob = float(mask_prob)

    def corrupt(self, x):
        """The noisy input the encoder sees in training mode."""
        if self.noise_std > 0:
            x = x + ag.randn_like(x) * self.noise_std
        if self.mask_prob > 0:
            keep = ag.rand_like(x) >= self.mask_prob
            x = x * keep.to(x.dtype)
        return x

    def forward(self, x):
        """Corrupt `x` (training mode only), then `decode(encode(x))`."""
        if self.training:
            x = self.corrupt(x)
        return self.decode(self.encode(x))

    def extra_repr(self):
        return f"noise_std={self.noise_std}, mask_prob={self.mask_prob}"


class VAE(Module):
    """A variational autoencoder (Kingma and Welling): the encoder gives the mean and
    log-variance of a Gaussian code, `reparameterize` samples it as
    `mu + exp(logvar / 2) * eps` with `eps = randn_like(mu)` so the sample stays
    differentiable, and `loss_function` is the negative ELBO per sample.

    sizes = [input, hidden..., latent]; the decoder mirrors the hidden widths. In
    eval mode `forward` decodes the mean (no sampling).
    """

    def __init__(self, sizes, activation="relu", output_activation="sigmoid"):
        super().__init__()
        sizes = [int(s) for s in sizes]
        if len(sizes) < 3:
            raise ValueError(f"VAE: sizes must be [input, hidden..., latent] with at least one "
                             f"hidden width, got {sizes}")
        self.sizes = sizes
        body = MLP(sizes[:-1], activation=activation)
        self.encoder = Sequential(*body, _activation(activation))
        self.fc_mu = Linear(sizes[-2], sizes[-1])
        self.fc_logvar = Linear(sizes[-2], sizes[-1])
        self.decoder = _decoder(sizes[::-1], activation, 0.0, False, output_activation)
        self.reconstruction = "bce" if output_activation == "sigmoid" else "mse"

    def encode(self, x):
        """(mu, logvar) of the code's Gaussian."""
        h = self.encoder(x)
        return self.fc_mu(h), self.fc_logvar(h)

    def reparameterize(self, mu, logvar, eps=None):
        """mu + sigma * eps; `eps` defaults to fresh standard normal noise."""
        if eps is None:
            eps = ag.randn_like(mu)
        return mu + ag.exp(logvar * 0.5) * eps

    def decode(self, z):
        """The reconstruction from a latent sample: (N, sizes[-1]) -> (N, sizes[0])."""
        return self.decoder(z)

    def forward(self, x, eps=None):
        """(reconstruction, mu, logvar)."""
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar, eps) if self.training else mu
        return self.decode(z), mu, logvar

    def loss_function(self, recon, x, mu, logvar, beta=1.0):
        """Negative ELBO averaged over the batch: the reconstruction term (binary
        cross-entropy for a sigmoid output, squared error otherwise, summed over
        features) plus `beta` times KL(q(z|x) || N(0, I)). Returns (loss, recon, kl)."""
        n = x.shape[0] if x.ndim > 1 else 1
        if self.reconstruction == "bce":
            rec = binary_cross_entropy(recon, x, reduction="sum") / n
        else:
            rec = mse_loss(recon, x, reduction="sum") / n
        kl = (1 + logvar - mu * mu - ag.exp(logvar)).sum() * (-0.5 / n)
        return rec + kl * beta, rec, kl

    def sample(self, n):
        """Decode `n` codes drawn from the prior N(0, I)."""
        z = ag.randn(n, self.sizes[-1], dtype=self.fc_mu.weight.dtype)
        return self.decode(z)


class ConvAutoencoder(Module):
    """A convolutional autoencoder: stride-2 3x3 convolutions halve the image per
    entry of `channels`, stride-2 transposed convolutions double it back, so height
    and width must be divisible by 2 ** len(channels). The output ends in
    `output_activation`."""

    def __init__(self, in_channels=1, channels=(16, 32), activation="relu",
                 output_activation="sigmoid"):
        super().__init__()
        channels = [int(c) for c in channels]
        if not channels or any(c <= 0 for c in channels):
            raise ValueError(f"ConvAutoencoder: channels must be positive widths, got {channels}")
        self.in_channels = int(in_channels)
        self.channels = channels
        widths = [self.in_channels] + channels
        down = []
        for c_in, c_out in zip(widths[:-1], widths[1:]):
            down += [Conv2d(c_in, c_out, 3, stride=2, padding=1), _activation(activation)]
        up = []
        back = widths[::-1]
        for i, (c_in, c_out) in enumerate(zip(back[:-1], back[1:])):
            up.append(ConvTranspose2d(c_in, c_out, 3, stride=2, padding=1, output_padding=1))
            if i < len(back) - 2:
                up.append(_activation(activation))
        if output_activation is not None:
            up.append(_activation(output_activation))
        self.encoder = Sequential(*down)
        self.decoder = Sequential(*up)

    def encode(self, x):
        """(N, in_channels, H, W) -> (N, channels[-1], H / 2^k, W / 2^k), k = len(channels).

        Raises ValueError when the input is not 4-D with `in_channels` channels and H, W
        divisible by 2^k."""
        factor = 2 ** len(self.channels)
        if x.ndim != 4 or x.shape[1] != self.in_channels or x.shape[2] % factor or x.shape[3] % factor:
            raise ValueError(
                f"ConvAutoencoder: expected input (N, {self.in_channels}, H, W) with H and W "
                f"divisible by {factor}, got shape {tuple(x.shape)}"
            )
        return self.encoder(x)

    def decode(self, z):
        """The reconstruction from a code: (N, channels[-1], h, w) ->
        (N, in_channels, h * 2^k, w * 2^k)."""
        return self.decoder(z)

    def forward(self, x):
        """`decode(encode(x))`: the shape of `x`."""
        return self.decode(self.encode(x))

