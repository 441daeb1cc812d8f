"""Side-by-side benchmarks of autograd_lite and PyTorch (see run.py)."""
