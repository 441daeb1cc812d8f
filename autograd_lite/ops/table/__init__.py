"""The op table: every public op declared once, one module per family. Exports,
Tensor methods, in-place variants and the generic tests all read `ENTRIES`."""
from . import (activation, conv, dropout, elementwise, embedding, linear, loss, normalization,
               padding, pool, resample, rnn)

ENTRIES = [
    *elementwise.ENTRIES,
    *activation.ENTRIES,
    *conv.ENTRIES,
    *pool.ENTRIES,
    *padding.ENTRIES,
    *resample.ENTRIES,
    *normalization.ENTRIES,
    *linear.ENTRIES,
    *embedding.ENTRIES,
    *dropout.ENTRIES,
    *loss.ENTRIES,
    *rnn.ENTRIES,
]
