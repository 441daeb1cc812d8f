"""autograd_lite.optim: optimizers and LR schedulers (installed from the top-level
optim/ folder). They land with the nn/optim issue; see the README."""
