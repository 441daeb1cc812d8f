"""The kernel tests again under NUMBA_BOUNDSCHECK=1 (float64 only, to keep it cheap).

Numba's cache key ignores the bounds-check setting, so the subprocess gets a cache
directory of its own (kept between runs under the temp dir: only bounds-checked
code is ever written there)."""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = Path(tempfile.gettempdir()) / "autograd_lite_numba_boundscheck"


def test_kernel_tests_pass_with_bounds_checking():
    env = dict(os.environ, NUMBA_BOUNDSCHECK="1", NUMBA_CACHE_DIR=str(CACHE))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--noconftest", "-rs",
         "-k", "float64 or refuse or bounds_checking_is_on",
         str(HERE / "test_conv_kernels.py"), str(HERE / "test_pool_kernels.py"), str(HERE / "test_pool3d_kernels.py"),
         str(HERE / "test_selection.py"), str(HERE / "test_norm_ctc_kernels.py"),
         str(HERE / "test_attention_kernels.py"), str(HERE / "test_grid_sample_kernels.py")],
        env=env, capture_output=True, text=True, timeout=600, cwd=HERE.parent.parent)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "skipped" not in run.stdout, run.stdout[-3000:]  # the probe below really ran
