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


def test_demo_logs_each_epoch_to_tensorboard(tmp_path, capsys):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing import event_accumulator as ea

    log_dir = tmp_path / "tb"
    demo.train(epochs=3, patience=5, out_dir=tmp_path, progress=False, tensorboard=str(log_dir))
    out = capsys.readouterr().out
    assert f"tensorboard --logdir {log_dir}" in out
    acc = ea.EventAccumulator(str(log_dir), size_guidance={ea.SCALARS: 0, ea.HISTOGRAMS: 0, ea.GRAPH: 0})
    acc.Reload()
    tags = acc.Tags()
    assert sorted(tags["scalars"]) == ["Accuracy/train", "Accuracy/val", "LearningRate", "Loss/train", "Loss/val"]
    for tag in tags["scalars"]:
        assert [e.step for e in acc.Scalars(tag)] == [1, 2, 3], tag
    # the values the demo printed, and the cosine schedule's learning rate per epoch
    first = [line for line in out.splitlines() if line.startswith("epoch   1")][0].split()
    assert acc.Scalars("Loss/train")[0].value == pytest.approx(float(first[4]), abs=1e-4)
    assert acc.Scalars("Accuracy/val")[0].value == pytest.approx(float(first[11]), abs=1e-3)
    lrs = [e.value for e in acc.Scalars("LearningRate")]
    np.testing.assert_allclose(lrs, [2e-3 * (1 + np.cos(np.pi * k / 3)) / 2 for k in range(3)], rtol=1e-6)
    model = nn.MLP([64, 256, 128, 10], dropout=0.2, batch_norm=True)
    assert sorted(tags["histograms"]) == sorted(f"weights/{name}" for name, _ in model.named_parameters())
    assert [e.step for e in acc.Histograms("weights/" + next(iter(dict(model.named_parameters()))))] == [1, 2, 3]
    assert tags["graph"] and any("Linear" in n.op for n in acc.Graph().node)
    hp = ea.EventAccumulator(str(log_dir / "hparams"))
    hp.Reload()
    assert "hparam/test_accuracy" in hp.Tags()["scalars"]


def test_demo_tensorboard_flag_defaults_to_runs(tmp_path, monkeypatch):
    pytest.importorskip("tensorboard")
    monkeypatch.chdir(tmp_path)
    demo.main(["--epochs", "1", "--no-progress", "--out", str(tmp_path / "out"), "--tensorboard"])
    (run,) = list((tmp_path / "runs").iterdir())
    assert any(f.name.startswith("events.out.tfevents") for f in run.iterdir())


def test_demo_exports_the_best_model_to_onnx(tmp_path, capsys):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    acc = demo.main(["--epochs", "2", "--no-progress", "--out", str(tmp_path), "--onnx"])
    out = capsys.readouterr().out
    assert "same predictions 100.0%" in out
    session = ort.InferenceSession(str(tmp_path / "mlp_digits.onnx"))
    assert session.get_inputs()[0].shape == ["batch", 64]
    (_, _), (_, _), (x_te, y_te) = demo.load_digits_splits(0)
    logits = session.run(None, {"pixels": x_te.numpy()})[0]
    np.testing.assert_allclose((logits.argmax(1) == y_te.numpy()).mean(), acc, atol=1e-6)
