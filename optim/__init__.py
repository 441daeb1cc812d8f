"""autograd_lite.optim: optimizers and learning-rate schedulers, as `torch.optim`
(installed from the top-level optim/ folder).

Optimizers: `SGD, Adam, AdamW, RMSprop, Adagrad`, on the `Optimizer` base
(`param_groups`, `state`, `zero_grad`, `step(closure)`, `add_param_group`,
`state_dict`/`load_state_dict` in PyTorch's format). Their updates are PyTorch's,
step by step: same formulas, order of operations and state keys ('momentum_buffer',
'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'step', 'square_avg', 'grad_avg',
'sum'). They run on the parameters' NumPy arrays (nothing is recorded for
autograd), one fused Numba kernel per parameter (autograd_lite/kernels/optim.py),
or an in-place NumPy path for layouts and dtypes the kernels don't take.

Differences from PyTorch:
- `foreach`, `fused`, `capturable` and `differentiable` pick PyTorch
  implementations autograd_lite doesn't have (multi-tensor, fused, CUDA-graph and
  differentiable updates). Their defaults (None / False) are accepted and mean the
  one CPU path; any other value raises ValueError. No sparse or complex gradients.
- `lr` and the other options are Python numbers (a 1-element Tensor is read with
  float()); PyTorch's tensor learning rates are not special-cased.
- `load_state_dict` copies the loaded state (PyTorch may alias it) and checks each
  parameter-shaped buffer's shape; it accepts NumPy arrays (and anything with
  __array__, such as PyTorch tensors) as state values.

Schedulers (`optim.lr_scheduler`): `LRScheduler, StepLR, MultiStepLR,
ExponentialLR, CosineAnnealingLR, LambdaLR, LinearLR, OneCycleLR, ReduceLROnPlateau`.
"""
from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]
