"""Pieces every training-step workload uses, the same for both libraries."""


def sgd(lib, params):
    return lib.optim.SGD(params, lr=0.01, momentum=0.9)


def adam(lib, params):
    return lib.optim.Adam(params, lr=1e-3)


def training_step(opt, compute_loss):
    """One timed iteration: zero the grads, `compute_loss()`, backward, update."""
    def step():
        opt.zero_grad()
        compute_loss().backward()
        opt.step()

    return step
