"""The main job runs end to end: trains, early-stops, saves loadable weights."""
import shutil

import numpy as np
import pytest

pytest.importorskip("sklearn")

import autograd_lite as ag  # noqa: E402
from autograd_lite import demo, nn  # noqa: E402


def test_demo_trains_and_saves_loadable_weights(tmp_path, capsys):
    acc = demo.train(epochs=4, patience=2, out_dir=tmp_path, progress=False)
    out = capsys.readouterr().out
    assert "test accuracy" in out and "epoch   1" in out
    if shutil.which("dot"):
        svg = (tmp_path / "mlp_step_graph.svg").read_text()
        assert "<svg" in svg and "0.weight" in svg and "LinearBackward" in svg
    else:
        assert "apt-get install graphviz" in out and (tmp_path / "mlp_step_graph.dot").exists()
    assert acc > 0.85  # four epochs are plenty to be far above chance (0.1)
    state = ag.load(tmp_path / "mlp_digits.agz")
    model = nn.MLP([64, 256, 128, 10], dropout=0.2, batch_norm=True)
    model.load_state_dict(state)
    (_, _), (_, _), (x_te, y_te) = demo.load_digits_splits(0)
    model.eval()
    with ag.no_grad():
        again = (model(x_te).argmax(1) == y_te).float().mean().item()
    np.testing.assert_allclose(again, acc, atol=1e-6)


def test_demo_command_line_parses(tmp_path):
    acc = demo.main(["--epochs", "1", "--no-progress", "--out", str(tmp_path)])
    assert 0.0 <= acc <= 1.0
