"""Learning-rate schedulers, as PyTorch's `torch.optim.lr_scheduler`: every scheduler
it has, importable as `autograd_lite.optim.lr_scheduler.<Name>`, with PyTorch's rate
sequences, `get_last_lr()`, `state_dict()` and argument errors.

- base.py: `LRScheduler` (and its old name `_LRScheduler`)
- decay.py: `LambdaLR, MultiplicativeLR, StepLR, MultiStepLR, ConstantLR, LinearLR,
  ExponentialLR, PolynomialLR`
- cosine.py: `CosineAnnealingLR, CosineAnnealingWarmRestarts`
- cyclic.py: `CyclicLR, OneCycleLR`
- composite.py: `SequentialLR, ChainedScheduler`
- plateau.py: `ReduceLROnPlateau`
"""
from .base import EPOCH_DEPRECATION_WARNING, LRScheduler, _LRScheduler
from .composite import ChainedScheduler, SequentialLR
from .cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from .cyclic import CyclicLR, OneCycleLR
from .decay import (ConstantLR, ExponentialLR, LambdaLR, LinearLR, MultiplicativeLR, MultiStepLR, PolynomialLR,
                    StepLR)
from .plateau import ReduceLROnPlateau

__all__ = ["LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
           "SequentialLR", "CosineAnnealingLR", "ChainedScheduler", "ReduceLROnPlateau", "CyclicLR",
           "CosineAnnealingWarmRestarts", "OneCycleLR", "PolynomialLR", "LRScheduler"]
