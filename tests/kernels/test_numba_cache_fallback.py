"""Without a writable cache location (a read-only install), Numba refuses cache=True;
the kernels then compile uncached, with one warning, instead of every layer failing."""
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import warnings
    from numba.core import caching
    caching.CacheImpl._locator_classes = []  # as on a read-only install: no cache anywhere
    warnings.simplefilter("always")
    with warnings.catch_warnings(record=True) as caught:
        import numpy as np
        import autograd_lite as ag
        from autograd_lite import nn, optim
        ag.manual_seed(0)
        x = ag.randn(2, 1, 8, 8)
        model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Tanh(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(18, 3), nn.Sigmoid())
        opt = optim.Adam(model.parameters())
        model(x).sum().backward()
        opt.step()
        optim.SGD(model.parameters(), lr=0.1, momentum=0.9).step()
        lstm = nn.LSTM(3, 4)
        lstm(ag.randn(5, 2, 3))[0].sum().backward()
    mine = [w for w in caught if "Numba can't write its cache" in str(w.message)]
    assert len(mine) == 1, [str(w.message) for w in caught]
    assert "NUMBA_CACHE_DIR" in str(mine[0].message)
    print("ok")
""")


def test_kernels_compile_uncached_without_a_cache_location():
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "ok" in run.stdout
