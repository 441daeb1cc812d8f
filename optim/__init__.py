"""autograd_lite.optim: optimizers and learning-rate schedulers, as `torch.optim`
(installed from the top-level optim/ folder).

Optimizers: `SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam,
ASGD, Rprop, Adafactor, LBFGS`, on the `Optimizer` base (`param_groups`, `state`,
`zero_grad`, `step(closure)`, `add_param_group`, `state_dict`/`load_state_dict` in
PyTorch's format). Their updates are PyTorch's, step by step: same formulas, order
of operations, state names, shapes and dtypes. They run on the parameters' NumPy
arrays (nothing is recorded for autograd). The elementwise ones go through one
dispatcher (fused_update.py): a fused Numba kernel per parameter
(autograd_lite/kernels/optim.py, optim_variants.py), or an in-place NumPy reference
for layouts and dtypes the kernels don't take. Adafactor (row/column reductions) and
LBFGS (the parameters as one flat vector, several closure calls per step) run in NumPy.

Differences from PyTorch:
- `foreach`, `fused`, `capturable` and `differentiable` pick PyTorch
  implementations autograd_lite doesn't have (multi-tensor, fused, CUDA-graph and
  differentiable updates). Their defaults (None / False) are accepted and mean the
  one CPU path; any other value raises ValueError. No sparse or complex gradients.
- `lr` and the other options are Python numbers (a 1-element Tensor is read with
  float()); PyTorch's tensor learning rates are not special-cased.
- `load_state_dict` copies the loaded state (PyTorch may alias it) and checks the
  shape of each parameter-shaped buffer; it accepts NumPy arrays (and anything with
  __array__, such as PyTorch tensors) as state values.
- LBFGS follows PyTorch's arithmetic, but its dot products and sums are NumPy's, not
  MKL's: trajectories agree to rounding, which a long run on an ill-conditioned
  problem amplifies.

Schedulers (`optim.lr_scheduler`): every one of `torch.optim.lr_scheduler`, on the
`LRScheduler` base. `optim.swa_utils`: weight averaging (`AveragedModel`, `SWALR`,
`update_bn`), loaded on first use (it imports nn).
"""
import importlib

from . import lr_scheduler
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam",
           "ASGD", "Rprop", "Adafactor", "LBFGS", "lr_scheduler", "swa_utils"]


def __getattr__(name):
    # swa_utils imports nn: loaded on first use, so importing optim doesn't load nn
    if name == "swa_utils":
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
