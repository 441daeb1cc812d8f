"""Op flags (save_inputs, save_output, is_view, multi_output) are read once per class
into a recording plan; an op whose forward sets them per call must say so."""
import importlib
import inspect
import pkgutil
import re

import numpy as np

import autograd_lite as ag
import autograd_lite.ops
from autograd_lite.autograd.node import Op, _recording_plan
from autograd_lite.nn import functional

_SETS_FLAG = re.compile(r"\bctx\.(is_view|save_inputs|save_output|multi_output)\s*=")


def _all_op_classes():
    for package in (autograd_lite.ops, functional):
        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{info.name}")
    seen, stack = [], [Op]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            seen.append(sub)
            stack.append(sub)
    return seen


def test_every_op_that_sets_flags_in_forward_declares_it():
    ops = _all_op_classes()
    assert len(ops) > 100
    undeclared = [cls.__qualname__ for cls in ops
                  if _SETS_FLAG.search(inspect.getsource(cls.forward))
                  and not cls.flags_set_in_forward]
    assert undeclared == []


def test_plans_follow_the_class_flags():
    for cls in _all_op_classes():
        assert cls._plan == _recording_plan(cls), cls.__qualname__
        if cls.multi_output or cls.is_view or cls.flags_set_in_forward:
            assert cls._plan is None, cls.__qualname__


def test_an_op_with_per_call_flags_records_them():
    """Einsum saves all its inputs (set in forward); basic indexing is a view."""
    a = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = ag.tensor(np.ones((3, 2)), requires_grad=True)
    ag.einsum("ij,jk->ik", a, b).sum().backward()
    np.testing.assert_array_equal(a.grad._data, np.full((2, 3), 2.0))
    view = a[0]
    assert view._vc is a._vc
