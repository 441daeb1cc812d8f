"""The op table: every public op declared once, one module per family. Exports,
Tensor methods, in-place variants and the generic tests all read `ENTRIES`."""
from . import arithmetic, compare, elementwise, linalg, reduce, softmaxes

ENTRIES = [*elementwise.ENTRIES, *arithmetic.ENTRIES, *compare.ENTRIES, *reduce.ENTRIES, *softmaxes.ENTRIES,
           *linalg.ENTRIES]
