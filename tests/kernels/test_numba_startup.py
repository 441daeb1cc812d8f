"""kernels/_numba.py loads Numba's registries without SciPy's linalg (a quarter of a
warm first step), and Numba works as usual afterwards: SciPy imports, a jitted
np.dot imports SciPy's BLAS when it compiles, a jitted np.correlate gives NumPy's
values. Run in a fresh process, since the test session may have SciPy loaded."""
import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    from autograd_lite.kernels import _numba
    from numba import njit

    @njit
    def correlate(a, b):
        return np.correlate(a, b)

    a, b = np.arange(7.0), np.array([1.0, -2.0, 0.5])
    assert np.array_equal(correlate(a, b), np.correlate(a, b))
    print("linalg_loaded", "scipy.linalg" in sys.modules)  # by Numba's registries
    try:
        import scipy.linalg
    except ImportError:
        print("no scipy")
        raise SystemExit
    assert scipy.linalg.norm([3.0, 4.0]) == 5.0

    @njit
    def dot(x, y):
        return np.dot(x, y)

    x = np.arange(6.0).reshape(2, 3)
    assert np.array_equal(dot(x, x.T), x @ x.T)
    print("ok")
""")


@pytest.mark.parametrize("probe", ["", "1"])
def test_numba_works_after_a_start_without_scipy_linalg(probe, tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), AUTOGRAD_LITE_NUMBA_SCIPY_PROBE=probe)
    run = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    has_scipy = "no scipy" not in run.stdout
    assert ("linalg_loaded True" in run.stdout) == (probe == "1" and has_scipy), run.stdout
    assert "ok" in run.stdout or not has_scipy


HIGHLIGHT = textwrap.dedent("""
    import os
    from autograd_lite.kernels import _numba
    from numba.core import errors
    print(repr(os.environ.get("NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING")), type(errors.termcolor()).__name__)
""")


@pytest.mark.parametrize("users", [None, ""])
def test_error_highlighting_is_off_unless_the_user_chose(users):
    """Numba builds coloured messages for the typing attempts that fail inside every
    successful compile; off by default, the user's own setting wins."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING"}
    if users is not None:
        env["NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING"] = users
    run = subprocess.run([sys.executable, "-c", HIGHLIGHT], env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    value, scheme = run.stdout.split()
    if users is None:
        assert (value, scheme) == ("'1'", "NOPColorScheme")
    else:
        assert value == "''"
