"""Docstrings are Markdown: `code` in backticks, `- ` lists, indented code examples,
and text such as `*args` or `|x|` that reStructuredText would misread. This extension
renders each docstring autodoc collects with MyST, as the Markdown pages are: it wraps
the lines in a `myst-docstring` directive whose content is parsed as Markdown."""
import inspect
import sys

from docutils.parsers.rst import Directive
from myst_parser.parsers.sphinx_ import MystParser
from sphinx.util.docutils import new_document


class MystDocstring(Directive):
    has_content = True

    def run(self):
        document = self.state.document
        sub = new_document(document["source"], document.settings)
        MystParser().parse("\n".join(self.content), sub)
        return list(sub.children)


def _wrap(app, what, name, obj, options, lines):
    if not any(line.strip() for line in lines):
        return
    body = ["   " + line if line.strip() else "" for line in lines]
    lines[:] = [".. myst-docstring::", ""] + body + [""]


def _owner(function):
    """The class that defines `function`, from its qualified name (None for functions
    defined elsewhere and attached to a class, as Tensor's op methods are)."""
    owner_name, _, _ = getattr(function, "__qualname__", "").rpartition(".")
    if not owner_name or "<locals>" in owner_name:
        return None
    owner = sys.modules.get(getattr(function, "__module__", None) or "")
    for part in owner_name.split("."):
        owner = getattr(owner, part, None)
    return owner if inspect.isclass(owner) else None


def _skip_inherited_text(app, what, name, obj, skip, options):
    """A method that only overrides a documented one (each layer's `forward`, each
    scheduler's `get_lr`) would repeat its base's text on every class: leave it out;
    the class's own docstring says what it does."""
    if what != "class" or skip:
        return None
    function = getattr(obj, "__func__", obj)
    if not callable(function) or getattr(function, "__doc__", None):
        return None
    owner = _owner(function)
    if owner is None:
        return None
    for base in owner.__mro__[1:]:
        if getattr(vars(base).get(name), "__doc__", None):
            return True
    return None


def setup(app):
    app.add_directive("myst-docstring", MystDocstring)
    app.connect("autodoc-process-docstring", _wrap)
    app.connect("autodoc-skip-member", _skip_inherited_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
