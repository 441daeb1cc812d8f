"""The harness behind the generic op tests: builds an OpInfo sample in autograd_lite and
in PyTorch from one seed, calls both, and compares what comes out."""
import importlib
import warnings

import numpy as np
import torch

import autograd_lite as ag
from autograd_lite.ops.opinfo import Dtype, T
from autograd_lite.ops.table import ENTRIES
from helpers import assert_same, numpy_dtype, to_torch


def entry_id(entry):
    prefixes = {"autograd_lite": "", "Tensor": "Tensor.", "linalg": "linalg.", "sparse": "sparse.",
                "special": "special."}
    prefix = prefixes.get(entry.namespace, "F.")
    return prefix + entry.name


def resolve(entry, lib):
    """The entry's function in autograd_lite or its reference in PyTorch."""
    if lib is torch:
        target = torch
        for part in entry.torch.split(".")[1:]:
            target = getattr(target, part)
        return target
    if isinstance(entry.fn, str):
        module, _, name = ("autograd_lite." + entry.fn).rpartition(".")
        return getattr(importlib.import_module(module), name)
    return entry.fn


def _specs(sample):
    found = []

    def walk(v):
        if isinstance(v, T):
            found.append(v)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)
    for v in list(sample.args) + list(sample.kwargs.values()):
        walk(v)
    return found


class Case:
    """One (entry, sample, dtype): base arrays made once; `call(lib)` builds fresh
    tensors (leaves) in that library and runs the op on them."""

    def __init__(self, entry, sample, dtype, seed=0):
        self.entry, self.sample, self.dtype = entry, sample, np.dtype(dtype)
        self.seed = seed
        rng = np.random.default_rng(seed)
        self.specs = _specs(sample)
        self.arrays = [s.make(rng, dtype) for s in self.specs]

    def wants_grad(self, spec, arr):
        return self.entry.differentiable and spec.grad and (arr.dtype.kind == "f" or arr.dtype == ag.bfloat16)

    def leaves(self, lib, grad=True):
        out = []
        for spec, arr in zip(self.specs, self.arrays):
            t = lib.tensor(arr.copy()) if lib is ag else to_torch(arr.copy())
            if grad and self.wants_grad(spec, arr):
                t.requires_grad_(True)
            out.append(t)
        return out

    def arguments(self, leaves, lib=None):
        """args, kwargs with each T replaced by its leaf seen through its layout, and
        each Dtype by the library's dtype (`lib`, else the leaves' library: a factory's
        sample has no leaves to tell)."""
        it = iter(zip(self.specs, leaves))
        in_torch = lib is torch if lib is not None else any(isinstance(t, torch.Tensor) for t in leaves)

        def sub(v):
            if isinstance(v, T):
                spec, leaf = next(it)
                return spec.view(leaf, torch if in_torch else ag)
            if isinstance(v, Dtype):
                return getattr(torch, v.name) if in_torch else np.dtype(v.name)
            if isinstance(v, list):
                return [sub(x) for x in v]
            if isinstance(v, tuple):
                return tuple(sub(x) for x in v)
            return v
        args = [sub(a) for a in self.sample.args]
        kwargs = {k: sub(v) for k, v in self.sample.kwargs.items()}
        return args, kwargs

    def call(self, lib, leaves, method=None):
        fn = resolve(self.entry, lib)
        args, kwargs = self.arguments(leaves, lib)
        if self.entry.random:  # the same draws on every call: gradcheck and reruns agree
            lib.manual_seed(self.seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            if method is not None:
                return getattr(args[0], method)(*args[1:], **kwargs)
            if self.entry.wrapper is not None:
                return self.entry.wrapper(fn, *args, **kwargs)
            return fn(*args, **kwargs)

    def tol(self):
        """The entry's tolerance for this run's dtype, else None: each output is then
        compared with the default tolerance of its own dtype (a float32 result of a
        float64 run, a factory's float32 output)."""
        return (self.entry.tol or {}).get(self.dtype.name)


def flatten(out):
    if isinstance(out, (tuple, list)):
        items = []
        for o in out:
            items.extend(flatten(o))
        return items
    return [out]


def compare_outputs(case, out_a, out_t, what="output"):
    flat_a, flat_t = flatten(out_a), flatten(out_t)
    assert len(flat_a) == len(flat_t), f"{len(flat_a)} outputs, torch gives {len(flat_t)}"
    for i, (a, t) in enumerate(zip(flat_a, flat_t)):
        name = f"{what} {i} ({case.dtype})"
        if case.entry.random and isinstance(t, torch.Tensor):
            assert isinstance(a, ag.Tensor), name
            assert tuple(a.shape) == tuple(t.shape), f"{name}: shape {a.shape} != {tuple(t.shape)}"
            assert a.dtype == numpy_dtype(t.dtype), f"{name}: dtype {a.dtype}"
        else:
            assert_same(a, t, case.tol(), what=name)
    return flat_a, flat_t


def dense(o):
    """A sparse output as its dense form (differentiable in both libraries)."""
    return o.to_dense() if getattr(o, "is_sparse", False) else o


def weighted_sum(lib, outs, rng):
    """sum_i <out_i, w_i> over the float outputs that carry a gradient (None if none);
    sparse outputs count through their dense form."""
    total = None
    for o in map(dense, outs):
        if isinstance(o, (ag.Tensor, torch.Tensor)) and o.requires_grad and o.numel():
            w = rng.standard_normal(tuple(o.shape)).astype(str(o.dtype).replace("torch.", ""))
            term = (o * (ag.tensor(w) if lib is ag else to_torch(w))).sum()
            total = term if total is None else total + term
    return total


def entries():
    return list(ENTRIES)
