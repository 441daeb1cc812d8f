"""The op table: every public op declared once, one module per family. Exports,
Tensor methods, in-place variants and the generic tests all read `ENTRIES`."""
from . import (activation, conv, creation, dropout, elementwise, embedding, index, linear, loss,
               normalization, padding, pool, resample, rnn, shape)

ENTRIES = [
    *elementwise.ENTRIES,
    *shape.ENTRIES,
    *index.ENTRIES,
    *creation.ENTRIES,
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
