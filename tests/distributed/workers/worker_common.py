"""Shared by the MPI test workers: start the group, report a result per rank."""
import json
import sys

import numpy as np

import autograd_lite as ag
import autograd_lite.distributed as dist


def start():
    dist.init_process_group("mpi")
    return dist.get_rank(), dist.get_world_size()


def report(result):
    sys.stdout.write(f"RESULT {dist.get_rank()} {json.dumps(result)}\n")  # one write: lines stay whole
    sys.stdout.flush()


def case():
    return sys.argv[1] if len(sys.argv) > 1 else "all"


def gathered(array):
    """Every rank's copy of `array` (a list indexed by rank)."""
    out = [None] * dist.get_world_size()
    dist.all_gather_object(out, np.asarray(array).tolist())
    return [np.asarray(a) for a in out]


def params_of(module):
    return [p.detach().numpy().copy() for p in module.parameters()]


def max_diff(a_list, b_list):
    return max(float(np.max(np.abs(a - b))) for a, b in zip(a_list, b_list))


__all__ = ["ag", "dist", "np", "start", "report", "case", "gathered", "params_of", "max_diff"]


def new_grad_arrays(module):
    """Zero the gradients by giving each `.grad` tensor a new array (`.grad.data = ...`):
    the same tensors, memory DDP did not hand out."""
    for p in module.parameters():
        if p.grad is not None:
            p.grad.data = ag.zeros_like(p.grad)
