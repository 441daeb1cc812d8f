"""Every public name has a docstring, so `help(...)` and the API reference say what it does.

Public names: what the public modules export (their `__all__`, else every name without a
leading underscore), the public methods and properties of the classes among them, and
every public method of `Tensor`. A class needs its own docstring (not its base's); a
method may take its base's (an overridden `forward` of a documented `Module.forward`).

The ops declared in the op table (and the op functions of `autograd_lite/ops/`'s family
files) have their own docstring or take the text of their table entry's `doc` field, for
the function, its aliases, its Tensor methods and in-place variants alike; they are
counted apart from the other names only so that a failure says where the text belongs."""
import importlib
import inspect
import types

import pytest

import autograd_lite as ag
from autograd_lite.extend import document_from_table
from autograd_lite.ops.methods import _MARKDOWN_LINE_START as MARKDOWN_LINE_START
from autograd_lite.ops.methods import _wrapped
from autograd_lite.ops.opinfo import OpInfo, S, T
from autograd_lite.ops.table import ENTRIES

MODULES = [
    "autograd_lite", "autograd_lite.autograd", "autograd_lite.extend", "autograd_lite.nn",
    "autograd_lite.nn.functional", "autograd_lite.nn.init", "autograd_lite.nn.utils",
    "autograd_lite.nn.utils.rnn", "autograd_lite.nn.utils.prune", "autograd_lite.nn.utils.fusion",
    "autograd_lite.nn.utils.stateless", "autograd_lite.nn.parallel", "autograd_lite.optim",
    "autograd_lite.optim.lr_scheduler", "autograd_lite.optim.swa_utils", "autograd_lite.printing",
    "autograd_lite.utils.data", "autograd_lite.utils.data.sampler",
    "autograd_lite.utils.data.dataloader", "autograd_lite.utils.data.dataset", "autograd_lite.utils.checkpoint",
    "autograd_lite.autograd.functional", "autograd_lite.testing", "autograd_lite.utils.tensorboard",
    "autograd_lite.serialization", "autograd_lite.viz", "autograd_lite.distributed", "autograd_lite.amp",
    "autograd_lite.cuda", "autograd_lite.cpu", "autograd_lite.mps", "autograd_lite.accelerator",
    "autograd_lite.backends", "autograd_lite.linalg", "autograd_lite.special", "autograd_lite.as_torch",
    "autograd_lite.func", "autograd_lite.compiler", "autograd_lite.nn.parameter", "autograd_lite.nn.modules.lazy",
    "autograd_lite.onnx", "autograd_lite.profiler", "autograd_lite.autograd.profiler",
    "autograd_lite.autograd.graph",
    "autograd_lite.distributions", "autograd_lite.distributions.constraints",
    "autograd_lite.distributions.transforms", "autograd_lite.distributions.kl",
    "autograd_lite.distributions.utils", "autograd_lite.distributions.constraint_registry",
]

pytest.importorskip("mpi4py")  # autograd_lite.distributed (and nn.parallel) import it
pytest.importorskip("onnx")  # autograd_lite.onnx imports it


def _unwrap(attr):
    if isinstance(attr, (staticmethod, classmethod)):
        return attr.__func__
    if isinstance(attr, property):
        return attr.fget if attr.__doc__ is None else attr
    return attr


def _own_doc(obj):
    if inspect.isclass(obj):
        return obj.__dict__.get("__doc__")
    return getattr(obj, "__doc__", None)


def _member_doc(cls, name):
    """The member's docstring, or that of the same member in a base class."""
    for klass in cls.__mro__:
        if name in vars(klass):
            doc = _own_doc(_unwrap(vars(klass)[name]))
            if doc:
                return doc
    return None


def _public(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
    for name in names:
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType) or not callable(obj):
            continue
        yield name, obj


def _resolve(entry):
    if isinstance(entry.fn, str):
        module, _, name = ("autograd_lite." + entry.fn).rpartition(".")
        return getattr(importlib.import_module(module), name)
    return entry.fn


def _op_functions():
    """The function objects that the op table declares, or that live in ops/ family files."""
    ids = set()
    for entry in ENTRIES:
        fn = _resolve(entry)
        ids.update(id(f) for f in (fn, entry.method_fn, entry.inplace_fn) if f is not None)
    return ids


OP_IDS = _op_functions()


# Files of ops/ that hold no table ops: their names are strict like the rest.
NOT_OPS = ("autograd_lite.ops.methods", "autograd_lite.ops.creation")


def _is_op(fn):
    fn = _unwrap(fn)
    module = getattr(fn, "__module__", "") or ""
    return id(fn) in OP_IDS or (module.startswith("autograd_lite.ops.") and module not in NOT_OPS)


def _census():
    """(strict, ops): the public names without a docstring, as dotted names."""
    strict, ops = [], []
    classes = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name, obj in _public(module):
            where = ops if _is_op(obj) else strict
            if not _own_doc(obj):
                where.append(f"{module_name}.{name}")
            if inspect.isclass(obj) and obj.__module__.startswith("autograd_lite"):
                classes.setdefault(obj, f"{module_name}.{name}")
    classes[ag.Tensor] = "autograd_lite.Tensor"
    for cls, qualname in classes.items():
        if issubclass(cls, BaseException):
            continue
        for name, attr in vars(cls).items():
            if name.startswith("_"):
                continue
            if not (inspect.isfunction(_unwrap(attr)) or isinstance(attr, property)):
                continue
            if not _member_doc(cls, name):
                (ops if _is_op(attr) else strict).append(f"{qualname}.{name}")
    return sorted(set(strict)), sorted(set(ops))


STRICT, OPS = _census()


def test_every_public_name_outside_the_op_table_has_a_docstring():
    assert not STRICT, f"{len(STRICT)} public names without a docstring: {', '.join(STRICT)}"


def test_every_op_function_and_method_has_a_docstring():
    """An op without text gets it from its table entry: `doc=` in autograd_lite/ops/table/."""
    assert not OPS, (f"{len(OPS)} op functions and methods without a docstring (fill their "
                     f"table entries' `doc=`): {', '.join(OPS)}")


def test_the_census_finds_what_it_should():
    """The census sees a method without a docstring and a class that only inherits one."""
    class Documented:
        """A class."""

        def method(self):
            """A method."""

    class Bare(Documented):
        def method(self):  # inherits its base's text
            pass

        def other(self):
            pass

    assert _member_doc(Bare, "method") == "A method."
    assert _member_doc(Bare, "other") is None
    assert _own_doc(Bare) is None


def test_a_table_doc_reaches_a_function_without_one():
    def undocumented(input):
        return input

    def documented(input):
        """Its own text."""
        return input

    entries = [OpInfo("undocumented", undocumented, [S(T(2))], doc="Returns `input`."),
               OpInfo("documented", documented, [S(T(2))], doc="Table text.")]
    ENTRIES.extend(entries)
    try:
        document_from_table("autograd_lite", {"undocumented": undocumented, "documented": documented})
        document_from_table("nn.functional", {"undocumented": undocumented})  # another module's
    finally:
        del ENTRIES[-2:]
    assert undocumented.__doc__ == "Returns `input`."
    assert documented.__doc__ == "Its own text."


def test_table_docs_are_wrapped_as_markdown_paragraphs():
    """A table text is wrapped for help() without a line that Markdown would start a list,
    quote or heading with (the API reference renders docstrings as Markdown)."""
    for entry in ENTRIES:
        if not entry.doc or _resolve(entry).__doc__ == entry.doc:
            continue
        lines = _resolve(entry).__doc__.splitlines()
        assert " ".join(lines) == " ".join(entry.doc.split()), entry
        for line in lines[1:]:
            assert not MARKDOWN_LINE_START.match(line + " "), (entry, line)


def test_the_wrapping_keeps_markdown_markers_inside_lines():
    assert _wrapped("aaaa bbbb - cccc", width=9) == "aaaa bbbb -\ncccc"
    assert _wrapped("aaaa bbbb 1. cccc > dddd", width=9) == "aaaa bbbb 1.\ncccc >\ndddd"
    assert _wrapped("aaaa bbbb cccc", width=9) == "aaaa bbbb\ncccc"


def test_table_docs_are_installed():
    """Every entry's `doc` is what help() shows, unless the function has its own."""
    for entry in ENTRIES:
        if not entry.doc:
            continue
        fn = _resolve(entry)
        assert fn.__doc__, entry
        if entry.namespace == "autograd_lite":
            for name in entry.public_names:
                assert getattr(ag, name).__doc__ == fn.__doc__
