"""The op table: every public op declared once, one module per family. Exports,
Tensor methods, in-place variants and the generic tests all read `ENTRIES`."""
from . import activation, conv, elementwise, padding, pool, resample

ENTRIES = [*elementwise.ENTRIES, *activation.ENTRIES, *conv.ENTRIES, *pool.ENTRIES, *padding.ENTRIES, *resample.ENTRIES]
