"""Every notebook in notebooks/ runs top to bottom (their cells assert what they teach),
so they never rot. Each cell must finish within two minutes. The notebooks are executed
once per session (the `executed_notebooks` fixture); the site's build renders the same
executed copies."""
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, executed_notebooks):
    _, error = executed_notebooks[path.stem]
    if error is not None:
        raise error
