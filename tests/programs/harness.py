"""Run one corpus program on PyTorch and under autograd_lite's torch alias from the same
initial weights, and return both loss sequences.

Each program in this folder is a PyTorch script with `main(argv=None, init=None)`: it
parses `argv` with argparse, builds its models, calls `init({name: module})` once
before training, and returns its losses as floats. The PyTorch run records the initial
state_dicts there; the aliased run loads them."""
import runpy
from pathlib import Path

import numpy as np
import torch

import autograd_lite as ag
from autograd_lite.as_torch import aliased

PROGRAMS = Path(__file__).resolve().parent


def _record(store):
    def init(models):
        for name, module in models.items():
            store[name] = {k: v.detach().cpu().numpy().copy() for k, v in module.state_dict().items()}
    return init


def _load(store):
    def init(models):
        for name, module in models.items():
            module.load_state_dict({k: ag.from_numpy(v.copy()) for k, v in store[name].items()})
    return init


def run_torch(program, argv):
    """The program on PyTorch: (losses, initial state_dicts as arrays)."""
    store = {}
    default = torch.get_default_dtype()
    try:
        namespace = runpy.run_path(str(PROGRAMS / f"{program}.py"), run_name=f"torch_{program}")
        losses = namespace["main"](list(argv), init=_record(store))
    finally:
        torch.set_default_dtype(default)
    return [float(v) for v in losses], store


def run_aliased(program, argv, store=None):
    """The unchanged program with `import torch` meaning autograd_lite; `store` holds the
    initial weights to load (None: the program's own initialisation)."""
    default = ag.get_default_dtype()
    try:
        with aliased():
            namespace = runpy.run_path(str(PROGRAMS / f"{program}.py"), run_name=f"aliased_{program}")
            losses = namespace["main"](list(argv), init=None if store is None else _load(store))
    finally:
        ag.set_default_dtype(default)
    return [float(v) for v in losses]


def compare(program, argv):
    """Both runs from the same weights: (torch losses, autograd_lite losses, max relative difference)."""
    expected, store = run_torch(program, argv)
    actual = run_aliased(program, argv, store)
    assert len(actual) == len(expected), (program, len(actual), len(expected))
    expected_arr, actual_arr = np.asarray(expected), np.asarray(actual)
    rel = np.abs(actual_arr - expected_arr) / np.maximum(np.abs(expected_arr), 1e-12)
    return expected, actual, float(rel.max()) if rel.size else 0.0
