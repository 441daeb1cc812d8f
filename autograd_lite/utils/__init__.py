"""Utilities: `autograd_lite.utils.data` (datasets, samplers, DataLoader) and
`autograd_lite.utils.checkpoint` (activation checkpointing)."""
from . import checkpoint, data  # noqa: F401
