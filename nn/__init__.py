"""autograd_lite.nn: modules, layers and losses (installed from the top-level nn/
folder). The module system lands with the nn/optim issue; see the README."""
