"""The allocator setting: applied once on glibc, and left alone when asked."""
import os
import platform
import subprocess
import sys

from autograd_lite.kernels import _malloc


def test_tune_is_idempotent_and_reports():
    first = _malloc.tune()
    assert _malloc.tune() is first
    if platform.libc_ver()[0] == "glibc" and os.environ.get("AUTOGRAD_LITE_MALLOC_TUNING", "1") != "0":
        assert first is True


def test_opt_out_by_environment():
    code = "from autograd_lite.kernels import _malloc; print(_malloc.tune())"
    env = dict(os.environ, AUTOGRAD_LITE_MALLOC_TUNING="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
