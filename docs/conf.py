"""Sphinx configuration of autograd_lite's documentation.

Build (from the repository root, after `pip install -e ".[docs]"`):

    python -m sphinx -W -b html docs docs/_build/html

The notebooks (docs/notebooks links to ../notebooks) are executed during the build.
With AG_DOCS_EXECUTED_NOTEBOOKS=<folder> the build instead renders the already
executed copies in that folder (the test suite executes each notebook once and hands
them over), so nothing runs twice.
"""
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "_ext"))

import api_pages  # noqa: E402
import autograd_lite  # noqa: E402

project = "autograd_lite"
author = "autograd_lite developers"
copyright = "autograd_lite developers"  # noqa: A001 - Sphinx's name
release = version = autograd_lite.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "myst_nb",
    "executed_notebooks",
    "myst_docstrings",
]

exclude_patterns = ["_build", "_ext", "**.ipynb_checkpoints", "notebooks/figures"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
suppress_warnings = []

# Docstrings are written with `backticks` for code, as Markdown: show them as code.
default_role = "code"
autodoc_default_options = {"members": True, "undoc-members": True}
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_inherit_docstrings = True
autosummary_generate = False  # the pages are written by api_pages below

api_pages.write_pages(HERE / "api")

# ---- Markdown and notebooks --------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off" if os.environ.get("AG_DOCS_EXECUTED_NOTEBOOKS") else "force"
nb_execution_timeout = 600
nb_execution_raise_on_error = True  # a failing cell fails the build
nb_execution_show_tb = True
nb_merge_streams = True

# ---- HTML ----------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"autograd_lite {release}"
html_static_path = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": [], "getting_started": [], "coming_from_pytorch": []}
html_show_sourcelink = False
