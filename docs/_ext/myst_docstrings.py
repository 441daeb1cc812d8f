"""Docstrings are Markdown: `code` in backticks, `- ` lists, indented code examples,
and text such as `*args` or `|x|` that reStructuredText would misread. This extension
renders each docstring autodoc collects with MyST, as the Markdown pages are: it wraps
the lines in a `myst-docstring` directive whose content is parsed as Markdown."""
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


def setup(app):
    app.add_directive("myst-docstring", MystDocstring)
    app.connect("autodoc-process-docstring", _wrap)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
