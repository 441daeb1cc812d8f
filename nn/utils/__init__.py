"""nn.utils (filled by the nn/optim issue)."""
