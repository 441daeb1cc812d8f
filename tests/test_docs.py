"""The documentation site builds with warnings as errors, its internal links and
anchors resolve, the notebooks appear with their outputs, and the code examples of the
pages (and the README's) run.

The build renders the notebooks executed once by the `executed_notebooks` fixture
(docs/_ext/executed_notebooks.py), so they don't run twice. By hand, the same site
builds with `python -m sphinx -W -b html docs docs/_build/html`, executing them."""
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("myst_nb")
pytest.importorskip("pydata_sphinx_theme")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts and "notebooks" not in p.parts)


@pytest.fixture(scope="module")
def site(executed_notebooks, tmp_path_factory):
    """The built site (a notebook that failed to run is built as far as it ran; its
    failure is test_notebooks' to report)."""
    folder = next(iter(executed_notebooks.values()))[0].parent
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, AG_DOCS_EXECUTED_NOTEBOOKS=str(folder))
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(out / "doctrees"), str(DOCS), str(out / "html")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"the docs build failed:\n{run.stdout}\n{run.stderr}"
    return out / "html"


class _Links(HTMLParser):
    """The ids and the href/src targets of one page."""

    def __init__(self):
        super().__init__()
        self.ids, self.targets = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            if attrs.get(key):
                self.targets.append(attrs[key])


def _parse(path, cache={}):  # noqa: B006 - a cache for the test's own run
    if path not in cache:
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        cache[path] = parser
    return cache[path]


def test_the_site_builds_without_warnings_and_has_its_pages(site):
    for page in ["index", "getting_started", "coming_from_pytorch", "guides/autograd",
                 "guides/nn_optim_data", "guides/cnn", "guides/rnn", "guides/autoencoders",
                 "guides/visualization", "guides/distributed", "guides/tensorboard", "notebooks",
                 "benchmarks", "architecture", "api/index", "api/torch", "api/tensor", "api/nn",
                 "api/functional", "api/optim"]:
        assert (site / f"{page}.html").is_file(), page


def test_internal_links_and_anchors_resolve(site):
    broken = []
    pages = [p for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "_static"]
    assert len(pages) > 30
    for page in pages:  # _static holds the theme's files (a Jinja template among them)
        for target in _parse(page).targets:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or target.startswith(("mailto:", "javascript:")):
                continue  # external: not checked (no network in CI)
            path = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                broken.append(f"{page.relative_to(site)}: {target} (no such file)")
            elif parts.fragment and path.suffix == ".html" and unquote(parts.fragment) not in _parse(path).ids:
                broken.append(f"{page.relative_to(site)}: {target} (no such anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(sorted(set(broken))[:50])


def test_the_link_check_sees_a_broken_link(tmp_path):
    (tmp_path / "a.html").write_text('<a href="b.html#there">b</a><a href="missing.html">x</a>')
    (tmp_path / "b.html").write_text('<p id="here"></p>')
    targets = _parse(tmp_path / "a.html").targets
    assert targets == ["b.html#there", "missing.html"]
    assert "there" not in _parse(tmp_path / "b.html").ids


def test_the_notebooks_appear_with_their_outputs(site, executed_notebooks):
    ran = [name for name, (_, error) in executed_notebooks.items() if error is None]
    assert ran, "no notebook ran (see test_notebooks)"
    for name in ran:
        html = (site / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
        assert "cell_output" in html, f"{name}: no outputs rendered"
        source = (ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8")
        if "plt." in source or ".plot(" in source:
            assert re.search(r'<img[^>]+src="[^"]*_images/', html), f"{name}: its plots are missing"


def test_the_api_reference_lists_every_public_name(site):
    """A name added to the package shows up in the reference without editing the docs."""
    import autograd_lite as ag
    from autograd_lite import nn, optim

    ids = set()
    for page in (site / "api").glob("*.html"):
        ids |= _parse(page).ids
    for module, prefix in ((ag, "autograd_lite"), (nn, "autograd_lite.nn"), (optim, "autograd_lite.optim")):
        for name in getattr(module, "__all__", None) or dir(module):
            obj = getattr(module, name)
            if name.startswith("_") or not callable(obj) or isinstance(obj, type(ag)) or obj is ag.Tensor:
                continue
            assert f"{prefix}.{name}" in ids, f"{prefix}.{name} is not in the API reference"
    assert "autograd_lite.Tensor.backward" in ids


def _python_blocks(path):
    """The ```python fences of a Markdown file (```{code-block} python ones are shown, not run)."""
    return re.findall(r"^```python\n(.*?)^```", path.read_text(encoding="utf-8"), re.S | re.M)


@pytest.mark.parametrize("page", PAGES + [ROOT / "README.md"], ids=lambda p: str(p.relative_to(ROOT)))
def test_the_code_examples_run(page, tmp_path):
    """Each page's examples, in order, each in a fresh namespace, in a scratch folder."""
    blocks = _python_blocks(page)
    if not blocks:
        pytest.skip("no examples on this page")
    pytest.importorskip("sklearn")
    pytest.importorskip("tensorboard")
    script = "\n".join(
        ["import sys", "blocks = sys.argv[1:]",
         "for i, code in enumerate(blocks):",
         "    exec(compile(code, f'example {i + 1}', 'exec'), {'__name__': '__main__'})"])
    run = subprocess.run([sys.executable, "-c", script, *blocks], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"{page.name}: an example failed:\n{run.stderr[-3000:]}"


def test_the_readme_is_short_and_links_to_the_site():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    # what it is, the two commands, one example, links, and the few lines each feature
    # users look for there (PyTorch scripts, several processes, the benchmark table)
    assert len(text.splitlines()) <= 150
    assert "<<<<<<<" not in text and ">>>>>>>" not in text
    assert 'pip install -e ".[demo]" && python -m autograd_lite.demo' in text
    assert 'pip install -e ".[test]" && python -m pytest' in text
    assert "python -m sphinx -W -b html docs docs/_build/html" in text
    for page in re.findall(r"\(docs/([\w/]+)\.md\)", text):
        assert (DOCS / f"{page}.md").is_file(), page
