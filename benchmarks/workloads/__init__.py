"""Benchmark workloads: each module registers `Workload`s whose `setup()` returns
one-iteration callables keyed 'autograd_lite', 'torch' (and optionally 'numpy')."""
from dataclasses import dataclass
from typing import Callable, Optional


@dataclass
class Workload:
    name: str
    description: str
    setup: Callable[[], dict]
    target: Optional[float] = None  # the target for autograd_lite / torch
    scaling_target: Optional[float] = None  # for autograd_lite's time on all cores / on 1 thread


WORKLOADS = {}


def register(name, description, target=None, scaling_target=None):
    def deco(setup):
        WORKLOADS[name] = Workload(name, description, setup, target, scaling_target)
        return setup

    return deco


# registration order is the report order: core, MLP, CNN, recurrent, attention
from . import core, mlp, cnn, rnn, transformer  # noqa: E402,F401,I001
