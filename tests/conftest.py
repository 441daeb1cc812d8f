from pathlib import Path

import numpy as np
import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def executed_notebooks(tmp_path_factory):
    """Execute every notebook in notebooks/ once per session (tests/test_notebooks.py
    checks they run; tests/test_docs.py renders these executed copies in the site).
    Returns {name: (path of the executed copy, error or None)}."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    pytest.importorskip("ipykernel")
    folder = tmp_path_factory.mktemp("executed_notebooks")
    results = {}
    for path in sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                         resources={"metadata": {"path": str(path.parent)}})
        error = None
        try:
            client.execute()
        except Exception as e:  # reported by the test of that notebook
            error = e
        out = folder / path.name
        nbformat.write(nb, out)
        results[path.stem] = (out, error)
    return results
