"""The op table: every public op declared once, one module per family. Exports,
Tensor methods, in-place variants and the generic tests all read `ENTRIES`."""
from . import (activation, arithmetic, compare, conv, conversion, creation, dropout, elementwise,
               embedding, index, linalg, linear, loss, normalization, padding, pool, reduce,
               resample, rnn, shape, softmaxes)

ENTRIES = [
    *elementwise.ENTRIES,
    *arithmetic.ENTRIES,
    *compare.ENTRIES,
    *reduce.ENTRIES,
    *softmaxes.ENTRIES,
    *linalg.ENTRIES,
    *shape.ENTRIES,
    *index.ENTRIES,
    *creation.ENTRIES,
    *conversion.ENTRIES,
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
