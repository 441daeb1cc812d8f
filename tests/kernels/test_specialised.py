"""kernels/_numba.Specialised: a kernel compiled once per value of its flags, the
flags constants in its code; Numba's cache must keep the combinations apart."""
import json
import os
import subprocess
import sys
import textwrap
import threading

import numpy as np

from autograd_lite.kernels import lazy
from autograd_lite.kernels._numba import specialised


@specialised(error_model="numpy")
def _scale(negate, mode):
    def scale(x, a):
        for i in range(x.size):
            v = x[i]
            if negate:
                v = -v
            if mode == 1:
                v = v * a
            elif mode == 2:
                v = v + a
            x[i] = v
    return scale


def test_each_combination_compiles_once_and_runs_its_flags():
    k = _scale.for_flags(False, 1)
    assert _scale.for_flags(False, 1) is k
    assert _scale.for_flags(True, 1) is not k
    for negate, mode, want in [(False, 0, [1, 2]), (True, 1, [-3, -6]), (False, 2, [4, 5]), (True, 2, [2, 1])]:
        x = np.array([1.0, 2.0])
        _scale(x, 3.0, negate, mode)  # the call form: arguments, then the flags
        np.testing.assert_array_equal(x, want)
    assert _scale.parameters == ("x", "a", "negate", "mode")
    assert _scale.n_flags == 2


def test_concurrent_first_calls_compile_one_kernel():
    @specialised()
    def add(one):
        def kernel(x):
            x[0] += one
        return kernel

    got = []
    barrier = threading.Barrier(4)

    def first_call():
        barrier.wait()
        got.append(add.for_flags(1))

    threads = [threading.Thread(target=first_call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 4 and all(k is got[0] for k in got)


def test_optimizer_kernels_are_specialised_on_their_flags():
    """Adam's kernel takes arrays and scalars; maximize, the weight-decay mode, amsgrad
    and the lerp side are its flags (one compiled loop per combination in use)."""
    adam = lazy.optim.adam_serial
    assert adam.flags == ("maximize", "wd_mode", "amsgrad", "hi")
    assert adam.parameters[:5] == ("p", "g", "m", "v", "vmax")


_MODULE = '''
from autograd_lite.kernels._numba import specialised

@specialised(cache=True)
def shift(up):
    def kernel(x):
        for i in range(x.size):
            x[i] = x[i] + 1.0 if up else x[i] - 1.0
    return kernel
'''

_RUN = '''
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from cached_kernels import shift
out = {}
for up in (True, False):
    x = np.zeros(3)
    shift(x, up)
    k = shift.for_flags(up)
    out[str(up)] = [x.tolist(), sum(k.stats.cache_hits.values())]
print(json.dumps(out))
'''


def test_the_cache_keeps_combinations_apart(tmp_path):
    """A second process loads every combination from the cache, each with its own flags
    (a cache keyed only on the function would hand one combination the other's code)."""
    (tmp_path / "cached_kernels.py").write_text(_MODULE)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    runs = []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", textwrap.dedent(_RUN), str(tmp_path)], env=env,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-3000:]
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    first, second = runs
    for flag, value in (("True", 1.0), ("False", -1.0)):
        assert first[flag] == [[value] * 3, 0]
        assert second[flag] == [[value] * 3, 1]  # loaded, not compiled, and its own code
