"""Render notebooks that were already executed elsewhere: with the environment variable
AG_DOCS_EXECUTED_NOTEBOOKS set to a folder, the text of `notebooks/NAME.ipynb` is
replaced, as Sphinx reads it, by that folder's `NAME.ipynb` (conf.py then switches
myst-nb's execution off). The test suite executes every notebook once and builds the
site from those copies, so CI runs each notebook once, not twice."""
import os
from pathlib import Path

from sphinx.errors import ExtensionError

ENV = "AG_DOCS_EXECUTED_NOTEBOOKS"


def _substitute(app, docname, source):
    folder = os.environ.get(ENV)
    if not folder or not docname.startswith("notebooks/"):
        return
    path = Path(app.env.doc2path(docname))
    if path.suffix != ".ipynb":
        return
    executed = Path(folder) / path.name
    if not executed.is_file():
        raise ExtensionError(f"{ENV}={folder}: no executed copy of {path.name} there")
    source[0] = executed.read_text(encoding="utf-8")


def setup(app):
    app.connect("source-read", _substitute)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
