"""The op table: every public op declared once, one module per family. Exports,
Tensor methods, in-place variants and the generic tests all read `ENTRIES`."""
from . import creation
from . import elementwise
from . import index
from . import shape

ENTRIES = [*elementwise.ENTRIES, *shape.ENTRIES, *index.ENTRIES, *creation.ENTRIES]
