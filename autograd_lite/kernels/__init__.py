"""Numba kernels: plain arrays in, arrays out; no Tensor, no autograd.

Numba is imported only when a kernel module is first used, so `import autograd_lite`
stays fast. Every kernel is compiled with `cache=True` for float32 and float64.
"""
