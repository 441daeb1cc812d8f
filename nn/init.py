"""nn.init: in-place initialisers (filled by the nn/optim issue)."""
