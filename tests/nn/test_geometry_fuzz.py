"""Random geometries for every convolution, pooling, padding and interpolation op,
forward and backward, against PyTorch: stride, padding (incl. wider than the input),
dilation, output_padding, groups, ceil_mode, sizes down to 1. Where PyTorch refuses a
geometry, we must refuse it with a clear error too.

The normal run tries FUZZ_CASES geometries per op (default 25); set
AUTOGRAD_LITE_FUZZ_CASES for a longer run, e.g.

    AUTOGRAD_LITE_FUZZ_CASES=2000 python -m pytest tests/nn/test_geometry_fuzz.py

`test_fuzz_under_bounds_checking` reruns the fuzz in a subprocess with Numba's bounds
checks on and a fresh, private cache directory, so a kernel indexing out of bounds
fails there instead of corrupting memory."""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch

import autograd_lite as ag

FUZZ_CASES = int(os.environ.get("AUTOGRAD_LITE_FUZZ_CASES", "25"))
CLEAR_ERRORS = (ValueError, RuntimeError, TypeError, NotImplementedError, IndexError)


def _pair(rng, lo, hi):
    return tuple(int(v) for v in rng.integers(lo, hi + 1, 2))


def _conv(rng, nd, transposed):
    groups = int(rng.choice([1, 1, 2, 3]))
    cin, cout = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
    k = tuple(int(v) for v in rng.integers(1, 4, nd))
    s = tuple(int(v) for v in rng.integers(1, 4, nd))
    d = tuple(int(v) for v in rng.integers(1, 4, nd))
    p = tuple(int(v) for v in rng.integers(0, 4, nd))
    if rng.random() < 0.15:  # padding far wider than the input
        p = tuple(int(v) for v in rng.integers(5, 40 if nd < 3 else 12, nd))
    size = tuple(int(v) for v in rng.integers(1, 8 if nd < 3 else 6, nd))
    n = int(rng.integers(1, 3))
    x = rng.standard_normal((n, cin) + size)
    kw = dict(stride=s, dilation=d, groups=groups)
    if transposed:
        w = rng.standard_normal((cin, cout // groups) + k)
        kw["padding"] = p
        kw["output_padding"] = tuple(int(rng.integers(0, max(a, b) + (rng.random() < 0.1)))
                                     for a, b in zip(s, d))
    else:
        w = rng.standard_normal((cout, cin // groups) + k)
        choice = rng.random()
        kw["padding"] = "same" if choice < 0.1 else "valid" if choice < 0.2 else p
    bias = rng.standard_normal(cout) if rng.random() < 0.5 else None
    name = ("conv_transpose" if transposed else "conv") + f"{nd}d"
    return name, [x, w, bias], kw


def _max_pool(rng, nd):
    k = tuple(int(v) for v in rng.integers(1, 5, nd))
    p = tuple(int(rng.integers(0, kk // 2 + 1 + (rng.random() < 0.1))) for kk in k)
    kw = dict(kernel_size=k, stride=tuple(int(v) for v in rng.integers(1, 4, nd)), padding=p,
              dilation=tuple(int(v) for v in rng.integers(1, 4 if nd < 3 else 3, nd)),
              ceil_mode=bool(rng.random() < 0.5))
    low = 1 if nd < 3 else 3  # 3-D: each dim's refusals compound, so fewer tiny sizes
    x = rng.standard_normal((int(rng.integers(1, 3)), 2) + tuple(int(v) for v in rng.integers(low, 9, nd)))
    return f"max_pool{nd}d", [x], kw


def _avg_pool(rng, nd):
    k = tuple(int(v) for v in rng.integers(1, 5, nd))
    p = tuple(int(rng.integers(0, kk // 2 + 1 + (rng.random() < 0.1))) for kk in k)
    kw = dict(kernel_size=k, stride=tuple(int(v) for v in rng.integers(1, 4, nd)), padding=p,
              ceil_mode=bool(rng.random() < 0.5), count_include_pad=bool(rng.random() < 0.5))
    if nd >= 2 and rng.random() < 0.3:
        kw["divisor_override"] = int(rng.integers(1, 6))
    low = 1 if nd < 3 else 3
    x = rng.standard_normal((int(rng.integers(1, 3)), 2) + tuple(int(v) for v in rng.integers(low, 9, nd)))
    return f"avg_pool{nd}d", [x], kw


def _adaptive(rng, nd, kind="avg"):
    size = tuple(int(v) for v in rng.integers(1, 8, nd))
    out = tuple(int(v) for v in rng.integers(1, 9, nd))
    x = rng.standard_normal((int(rng.integers(1, 3)), 2) + size)
    return f"adaptive_{kind}_pool{nd}d", [x], dict(output_size=out if nd >= 2 else out[0])


def _pad(rng):
    mode = str(rng.choice(["constant", "reflect", "replicate", "circular"]))
    k = int(rng.integers(1, 4))
    nd = k + int(rng.integers(1, 3))
    shape = tuple(int(v) for v in rng.integers(1, 5, nd))
    if mode == "constant":
        pad = tuple(int(v) for v in rng.integers(-2, 5, 2 * k))
    else:
        dims = shape[::-1][:k]
        pad = tuple(int(rng.integers(0, n + 1 + (rng.random() < 0.1))) for n in dims for _ in (0, 1))
    kw = dict(pad=pad, mode=mode)
    if mode == "constant" and rng.random() < 0.5:
        kw["value"] = float(rng.standard_normal())
    return "pad", [rng.standard_normal(shape)], kw


def _interpolate(rng):
    mode = str(rng.choice(["nearest", "nearest-exact", "linear", "bilinear", "area"]))
    nd = 1 if mode == "linear" else 2 if mode == "bilinear" else int(rng.integers(1, 3))
    x = rng.standard_normal((int(rng.integers(1, 3)), 2) + tuple(int(v) for v in rng.integers(1, 7, nd)))
    kw = dict(mode=mode)
    if rng.random() < 0.5:
        kw["size"] = tuple(int(v) for v in rng.integers(1, 11, nd))
    else:
        kw["scale_factor"] = tuple(float(v) for v in rng.choice([0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0], nd))
    if mode in ("linear", "bilinear"):
        kw["align_corners"] = bool(rng.random() < 0.5)
    return "interpolate", [x], kw


GENERATORS = {
    "conv1d": lambda r: _conv(r, 1, False), "conv2d": lambda r: _conv(r, 2, False),
    "conv_transpose1d": lambda r: _conv(r, 1, True), "conv_transpose2d": lambda r: _conv(r, 2, True),
    "max_pool1d": lambda r: _max_pool(r, 1), "max_pool2d": lambda r: _max_pool(r, 2),
    "avg_pool1d": lambda r: _avg_pool(r, 1), "avg_pool2d": lambda r: _avg_pool(r, 2),
    "adaptive_avg_pool1d": lambda r: _adaptive(r, 1), "adaptive_avg_pool2d": lambda r: _adaptive(r, 2),
    "pad": _pad, "interpolate": _interpolate,
    "conv3d": lambda r: _conv(r, 3, False), "conv_transpose3d": lambda r: _conv(r, 3, True),
    "max_pool3d": lambda r: _max_pool(r, 3), "avg_pool3d": lambda r: _avg_pool(r, 3),
    "adaptive_avg_pool3d": lambda r: _adaptive(r, 3), "adaptive_max_pool3d": lambda r: _adaptive(r, 3, "max"),
}


def _run(lib, name, arrays, kw):
    tensors = [None if a is None else lib.tensor(a, requires_grad=True) for a in arrays]
    out = getattr(lib.nn.functional, name)(*tensors, **kw)
    if isinstance(out, tuple):  # (values, indices)
        out = out[0]
    weight = np.linspace(-1.0, 1.5, out.numel()).reshape(tuple(out.shape))
    (out * lib.tensor(weight)).sum().backward()
    grads = [None if t is None else t.grad for t in tensors]
    return out, grads


def _numpy(t):
    return None if t is None else t.detach().numpy()


def _empty_max_window(name, arrays, kw):
    """A max-pooling window holding no input pixel: torch's forward gives -inf and an
    index outside the input, and its backward then writes out of bounds (it aborted
    this process), so torch's backward must not run; we refuse such windows."""
    if not name.startswith("max_pool"):
        return False
    with torch.no_grad():
        out = getattr(torch.nn.functional, name)(torch.tensor(arrays[0]), **kw)
    return bool(torch.isinf(out).any())


def check_geometry(name, arrays, kw):
    try:
        if _empty_max_window(name, arrays, kw):
            with pytest.raises(ValueError, match="holds no pixel"):
                _run(ag, name, arrays, kw)
            return "empty window refused"
        theirs = _run(torch, name, arrays, kw)
    except Exception as e:  # torch refuses the geometry: so must we, clearly
        with pytest.raises(CLEAR_ERRORS):
            _run(ag, name, arrays, kw)
        return f"refused ({type(e).__name__})"
    ours = _run(ag, name, arrays, kw)
    np.testing.assert_allclose(_numpy(ours[0]), _numpy(theirs[0]), rtol=1e-9, atol=1e-10,
                               err_msg=f"{name} {kw}: forward")
    for i, (a, t) in enumerate(zip(ours[1], theirs[1])):
        if t is None and a is None:
            continue
        ga = None if a is None else _numpy(a)
        gt = np.zeros_like(ga) if t is None else _numpy(t)
        np.testing.assert_allclose(ga, gt, rtol=1e-9, atol=1e-10, err_msg=f"{name} {kw}: grad {i}")
    return "matched"


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_random_geometries_match_torch(name):
    rng = np.random.default_rng(sorted(GENERATORS).index(name) + 1000 * FUZZ_CASES)
    outcomes = []
    for _ in range(FUZZ_CASES):
        op, arrays, kw = GENERATORS[name](rng)
        outcomes.append(check_geometry(op, arrays, kw))
    # the generators aim at valid geometries about 2 times in 3 (max pooling's empty
    # windows are refused more often: 29 of 60 at one seed), so a third is the floor
    assert outcomes.count("matched") >= FUZZ_CASES // 3, outcomes


def test_transposed_conv_with_padding_past_the_output():
    """The fuzzer's find: output positions whose every tap falls in the padding made
    the patch-extraction kernel write past each row (and past the buffer's end in
    conv_transpose2d's backward); PyTorch returns zeros."""
    for pad in (2000, 2_000_000):
        args = dict(stride=(1, 2), padding=(0, pad), output_padding=(0, 2 * pad),
                    dilation=(1, 2 * pad + 1))
        outs = [_run(lib, "conv_transpose2d", [np.ones((1, 1, 1, 1)), np.ones((1, 1, 1, 1)), None], args)
                for lib in (ag, torch)]
        np.testing.assert_array_equal(_numpy(outs[0][0]), _numpy(outs[1][0]))
        np.testing.assert_array_equal(_numpy(outs[0][1][0]), _numpy(outs[1][1][0]))


def test_fuzz_under_bounds_checking():
    """This file's fuzz (a shorter run) in a subprocess with NUMBA_BOUNDSCHECK=1 and a
    fresh cache directory (Numba's cache key ignores the setting)."""
    with tempfile.TemporaryDirectory(prefix="autograd_lite_boundscheck_") as cache:
        env = dict(os.environ, NUMBA_BOUNDSCHECK="1", NUMBA_CACHE_DIR=cache,
                   AUTOGRAD_LITE_FUZZ_CASES=os.environ.get("AUTOGRAD_LITE_FUZZ_CASES_BOUNDSCHECK", "8"))
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", __file__,
             "-k", "not under_bounds_checking"],
            env=env, capture_output=True, text=True, timeout=900, cwd=Path(__file__).parents[2])
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
