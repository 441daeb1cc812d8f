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


WORKLOADS = {}


def register(name, description, target=None):
    def deco(setup):
        WORKLOADS[name] = Workload(name, description, setup, target)
        return setup

    return deco


# registration order is the report order: core, MLP, CNN, recurrent, attention
from . import core, mlp, cnn, rnn, transformer  # noqa: E402,F401,I001
