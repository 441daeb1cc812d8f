"""Every public function of nn.functional (and the recurrent cells of
nn.functional.rnn) is declared in the op table, so the generic tests
(tests/ops/test_op_table.py) run on it."""
import inspect

import autograd_lite.nn.functional as F
from autograd_lite.nn.functional import rnn
from autograd_lite.ops.table import ENTRIES


def test_every_functional_is_declared_in_the_op_table():
    declared = {e.fn for e in ENTRIES if e.namespace == "nn.functional"}
    public = [f"nn.functional.{n}" for n, f in vars(F).items()
              if not n.startswith("_") and inspect.isfunction(f)]
    public += [f"nn.functional.rnn.{n}" for n in rnn.__all__]
    assert len(public) > 40
    missing = [name for name in public if name not in declared]
    assert not missing, f"not in the op table: {missing}"
