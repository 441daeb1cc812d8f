"""Numba kernels: plain arrays in, arrays out; no Tensor, no autograd.

Numba is imported only when a kernel module is first used, so `import autograd_lite`
stays fast. Every kernel is compiled with `cache=True` for float32 and float64.
"""


class _LazyKernels:
    """`lazy.scatter`, `lazy.activations`...: kernel modules imported (with Numba) on
    first attribute access, then bound as plain attributes (no cost after)."""

    def __getattr__(self, name):
        import importlib

        module = importlib.import_module(f"{__name__}.{name}")
        setattr(self, name, module)
        return module


lazy = _LazyKernels()
