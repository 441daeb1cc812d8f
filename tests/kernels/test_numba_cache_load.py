"""A warm start loads cached kernels and builds the ufuncs without Numba's typing and
lowering registries (kernels/_numba.py): a process that only loads from the cache
never imports them, its kernels give the same values as the process that compiled
them, and a compile later in that process (which needs the registries) still works.
Fresh processes, since the test session has the registries loaded."""
import contextlib
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from numba.core.errors import NumbaNotImplementedError

from autograd_lite.kernels import _numba, background


@pytest.fixture(autouse=True)
def _no_compile_in_flight():
    """These tests patch Numba's context: a kernel compiling meanwhile on the helper
    thread (kernels/background.py) would call the patched methods too."""
    background.wait_for_all()

SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    import autograd_lite as ag
    from autograd_lite import nn
    import numba
    from autograd_lite.kernels import sparse

    ag.manual_seed(0)
    conv, lstm = nn.Conv2d(2, 3, 3, padding=1), nn.LSTM(4, 5)
    x = ag.randn(2, 2, 6, 6, requires_grad=True)
    seq = ag.randn(7, 3, 4)
    loss = conv(x).relu().sum() + lstm(seq)[0].pow(2).sum()
    loss.backward()
    small = ag.randn(3, 5, dtype=ag.float64, requires_grad=True)  # the ufunc paths (kernels.ufunc)
    (small.tanh() + small.sigmoid() + ag.erf(small)).sum().backward()
    small32 = ag.randn(3, 5, requires_grad=True)
    (small32.tanh() * small32.sigmoid()).sum().backward()
    out = {"loss": loss.item(), "grad": x.grad.numpy().tolist(),
           "small": small.grad.numpy().tolist() + small32.grad.numpy().tolist(),
           "registries_loaded": "numba.np.arraymath" in sys.modules}
    rows = np.arange(6) % 3  # a threaded (prange) kernel
    sampled = np.empty(6)
    sparse._sampled_dot_parallel(rows, rows[::-1].copy(), np.ones((3, 4)), np.ones((3, 4)), sampled)
    out["sampled"] = sampled.tolist()
    out["hits"] = sum(sparse._sampled_dot_parallel.stats.cache_hits.values())
    out["registries_loaded"] |= "numba.np.arraymath" in sys.modules

    @numba.njit
    def compiled_now(x):  # a compile after the cache loads: the registries load here
        return np.tanh(x).sum()

    out["compiled_now"] = compiled_now(np.arange(3.0))
    out["registries_after_compile"] = "numba.np.arraymath" in sys.modules
    print(json.dumps(out))
""")


def _run(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    script = tmp_path / "warm_start.py"  # Numba caches only functions defined in files
    script.write_text(SCRIPT)
    run = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_a_warm_start_loads_kernels_without_the_registries(tmp_path):
    cold, warm = _run(tmp_path), _run(tmp_path)
    assert cold["registries_loaded"] and cold["hits"] == 0
    assert not warm["registries_loaded"] and warm["hits"] == 1
    for key in ("loss", "grad", "small", "sampled", "compiled_now"):
        assert warm[key] == cold[key], key
    assert warm["sampled"] == [4.0] * 6
    assert warm["registries_after_compile"]


def test_a_ufunc_wrapper_that_needs_more_lowering_loads_all_of_it(monkeypatch):
    """Should a loop wrapper need more than the lowering of numbers, the build loads
    the whole set of registries and runs again."""
    events = []
    context = _numba.cpu_target.target_context
    context.refresh()  # the registries loaded (and the one-shot wrapper of _numba spent) first
    numbas_refresh = context.refresh
    monkeypatch.setattr(context, "refresh", lambda: events.append(("refresh", numbas_refresh())), raising=False)

    class FailsOnce(_numba.UFuncBuilder):
        def build_ufunc(self):
            if ("failed", None) not in events:
                events.append(("failed", None))
                raise NumbaNotImplementedError("a lowering the partial set lacks")
            return super().build_ufunc()

    monkeypatch.setattr(_numba, "UFuncBuilder", FailsOnce)
    cube = _numba.ufunc(["float64(float64)"], lambda v: v * v * v)
    failed = events.index(("failed", None))
    assert ("refresh", None) in events[failed:]
    np.testing.assert_array_equal(cube(np.arange(4.0)), [0.0, 1.0, 8.0, 27.0])


def test_a_load_that_fails_without_the_registries_retries_with_them(monkeypatch):
    events = []
    context = _numba.cpu_target.target_context
    context.refresh()  # the registries loaded (and the one-shot wrapper of _numba spent) first
    numbas_refresh = context.refresh
    monkeypatch.setattr(context, "refresh", lambda: events.append(("refresh", numbas_refresh())), raising=False)

    class Cache:
        def _guard_against_spurious_io_errors(self):
            return contextlib.nullcontext()

        def _load_overload(self, sig, target_context):
            if not events:
                events.append(("failed", None))
                raise KeyError("something the registries set up")
            return "loaded"

    assert _numba._load_overload_without_registries(Cache(), None, context) == "loaded"
    assert events == [("failed", None), ("refresh", None)]
