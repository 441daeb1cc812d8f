"""autograd_lite.utils.tensorboard.SummaryWriter against torch.utils.tensorboard's:
the same calls go to both, and TensorBoard's own readers (EventAccumulator, and the
raw event-file loader) must read the same tags, steps, values, histogram buckets,
image pixels, text, hyperparameters and run directories back from both."""
import io
import os
import re
import socket

import numpy as np
import pytest

pytest.importorskip("tensorboard")
from PIL import Image  # noqa: E402
from tensorboard.backend.event_processing import event_accumulator as ea  # noqa: E402
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader  # noqa: E402
from tensorboard.plugins.hparams import plugin_data_pb2  # noqa: E402
from torch.utils.tensorboard import SummaryWriter as TorchWriter  # noqa: E402
import torch  # noqa: E402

import autograd_lite as ag  # noqa: E402
from autograd_lite.utils.tensorboard import SummaryWriter  # noqa: E402

ALL = {ea.SCALARS: 0, ea.HISTOGRAMS: 0, ea.IMAGES: 0, ea.TENSORS: 0, ea.COMPRESSED_HISTOGRAMS: 0,
       ea.GRAPH: 0, ea.RUN_METADATA: 0, ea.AUDIO: 0}
WALL = 1_700_000_000.5


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)))


def read_run(path, walltime=True):
    """Everything TensorBoard's EventAccumulator reads from one run directory (wall
    times as None unless `walltime`)."""
    acc = ea.EventAccumulator(str(path), size_guidance=ALL)
    acc.Reload()
    tags = acc.Tags()

    def wall(e):
        return e.wall_time if walltime else None

    run = {"tags": {k: sorted(v) if isinstance(v, list) else v for k, v in tags.items()}}
    run["scalars"] = {t: [(e.step, wall(e), e.value) for e in acc.Scalars(t)] for t in tags[ea.SCALARS]}
    run["histograms"] = {t: [(e.step, wall(e), e.histogram_value) for e in acc.Histograms(t)]
                         for t in tags[ea.HISTOGRAMS]}
    run["images"] = {t: [(e.step, wall(e), e.width, e.height, pixels(e.encoded_image_string).tolist())
                         for e in acc.Images(t)] for t in tags[ea.IMAGES]}
    run["tensors"] = {t: [(e.step, wall(e), e.tensor_proto.SerializeToString()) for e in acc.Tensors(t)]
                      for t in tags[ea.TENSORS]}
    run["plugins"] = {name: {tag: canonical(name, content) for tag, content in acc.PluginTagToContent(name).items()}
                      for name in ("scalars", "text", "hparams") if _has_plugin(acc, name)}
    return run


def canonical(plugin_name, content):
    """Plugin content bytes with map fields in a fixed order (protobuf serialises
    maps in no fixed order)."""
    if plugin_name != "hparams":
        return content
    return plugin_data_pb2.HParamsPluginData.FromString(content).SerializeToString(deterministic=True)


def _has_plugin(acc, name):
    try:
        return bool(acc.PluginTagToContent(name))
    except KeyError:
        return False


def raw_events(path, walltime=True):
    """Every event of every file of a run, in order, without the (differing) wall
    time of the file header (of any event unless `walltime`); images decoded (PNG
    bytes may be compressed differently)."""
    events = []
    for name in sorted(os.listdir(path)):
        if not name.startswith("events.out.tfevents"):
            continue
        for event in EventFileLoader(os.path.join(path, name)).Load():
            if not walltime or (event.HasField("file_version") and event.HasField("source_metadata")):
                event.ClearField("wall_time")
            images = []
            if event.HasField("summary"):
                for value in event.summary.value:
                    if value.HasField("metadata"):
                        data = value.metadata.plugin_data
                        data.content = canonical(data.plugin_name, data.content)
                    if value.HasField("image"):
                        images.append(pixels(value.image.encoded_image_string).tolist())
                        value.image.ClearField("encoded_image_string")
            events.append((event.SerializeToString(deterministic=True), images))
    return events


def run_dirs(root):
    return sorted(os.path.relpath(d, root) for d, _, files in os.walk(root)
                  if any(f.startswith("events.out.tfevents") for f in files))


def write_both(tmp_path, calls, **kw):
    """Run `calls(writer, lib)` on both writers; return both log directories."""
    ours, theirs = tmp_path / "ours", tmp_path / "torch"
    with SummaryWriter(ours, **kw) as w:
        calls(w, ag)
    with TorchWriter(theirs, **kw) as w:
        calls(w, torch)
    return ours, theirs


def assert_same_logs(ours, theirs, walltime=True):
    dirs = run_dirs(theirs)
    assert run_dirs(ours) == dirs
    for d in dirs:
        a, t = read_run(ours / d, walltime), read_run(theirs / d, walltime)
        assert a["tags"] == t["tags"], d
        for kind in ("scalars", "histograms", "images", "tensors", "plugins"):
            assert a[kind] == t[kind], (d, kind)
        assert raw_events(ours / d, walltime) == raw_events(theirs / d, walltime), d


# ---- scalars ----------------------------------------------------------------------------------------
def test_scalars_match_torch(tmp_path):
    def calls(w, lib):
        for step in range(5):
            w.add_scalar("loss/train", 1.0 / (step + 1), step, walltime=WALL + step)
        w.add_scalar("int", 3, 7, walltime=WALL)
        w.add_scalar("tensor0d", lib.tensor(2.5), 1, walltime=WALL)
        w.add_scalar("tensor1elem", lib.tensor([[0.25]], dtype=lib.float64), 2, walltime=WALL)
        w.add_scalar("numpy", np.float32(1.5), np.int64(3), walltime=WALL)
        w.add_scalar("bool", True, 0, walltime=WALL)
        w.add_scalar("new_style", 0.1, 4, walltime=WALL, new_style=True)
        w.add_scalar("double", 0.1, 5, walltime=WALL, new_style=True, double_precision=True)
        w.add_scalar("nostep", 9.0, walltime=WALL)
        w.add_scalar("nan", float("nan"), 1, walltime=WALL)

    ours, theirs = write_both(tmp_path, calls)
    # nan != nan: compare that one by hand, the rest exactly
    a, t = read_run(ours), read_run(theirs)
    assert np.isnan(a["scalars"]["nan"][0][2]) and np.isnan(t["scalars"]["nan"][0][2])
    for run in (a, t):
        run["scalars"].pop("nan")
    assert a["scalars"] == t["scalars"]
    assert a["tensors"] == t["tensors"] and a["tags"] == t["tags"]
    assert a["scalars"]["loss/train"] == [(s, WALL + s, pytest.approx(1 / (s + 1))) for s in range(5)]
    assert a["scalars"]["nostep"][0][0] == 0


def test_add_scalars_writes_one_run_per_key_like_torch(tmp_path):
    def calls(w, lib):
        for step in range(3):
            w.add_scalars("loss", {"train": 1.0 - 0.1 * step, "val": 1.2 - 0.1 * step}, step, walltime=WALL)
            w.add_scalars("run/14h", {"xsinx": step * np.sin(step), "tanx": lib.tensor(float(step))}, step,
                          walltime=WALL + step)
        w.add_scalar("plain", 1.0, 0, walltime=WALL)

    ours, theirs = write_both(tmp_path, calls)
    assert run_dirs(ours) == [".", "loss_train", "loss_val", "run_14h_tanx", "run_14h_xsinx"]
    assert read_run(ours / "loss_val")["scalars"]["loss"][2][2] == pytest.approx(1.0)
    assert_same_logs(ours, theirs)


# ---- histograms --------------------------------------------------------------------------------------
def test_histograms_match_torch(tmp_path):
    rng = np.random.default_rng(0)
    x64 = rng.standard_normal((40, 25))
    x32 = (rng.standard_normal(1000) * 1e-3).astype(np.float32)

    def calls(w, lib):
        w.add_histogram("weights", lib.tensor(x64), 0, walltime=WALL)
        w.add_histogram("weights", lib.tensor(x64 + 1), 1, walltime=WALL)
        w.add_histogram("small32", lib.tensor(x32), 2, walltime=WALL)
        w.add_histogram("numpy", x64, 0, walltime=WALL)
        w.add_histogram("ints", lib.tensor(np.arange(-5, 20)), 0, walltime=WALL)
        w.add_histogram("zeros", lib.zeros(10), 0, walltime=WALL)
        w.add_histogram("one", lib.tensor([3.0]), 0, walltime=WALL)
        w.add_histogram("inf", lib.tensor([1.0, float("inf"), -2.0]), 0, walltime=WALL)
        w.add_histogram("auto", lib.tensor(x64), 0, bins="auto", walltime=WALL)
        w.add_histogram("ten", lib.tensor(x64), 0, bins=10, walltime=WALL)
        w.add_histogram("edges", lib.tensor(x64), 0, bins=[-1.0, 0.0, 0.5, 3.0], walltime=WALL)
        w.add_histogram("max_bins", lib.tensor(x64), 0, bins=50, max_bins=7, walltime=WALL)
        w.add_histogram("max_bins_tf", lib.tensor(x64), 0, max_bins=30, walltime=WALL)

    ours, theirs = write_both(tmp_path, calls)
    assert_same_logs(ours, theirs)
    h = read_run(ours)["histograms"]["weights"][0][2]
    assert h.num == x64.size and h.min == x64.min() and h.max == x64.max()
    assert sum(h.bucket) == x64.size and len(h.bucket) == len(h.bucket_limit)


def test_default_bins_are_torchs(tmp_path):
    ours, theirs = SummaryWriter(tmp_path / "a"), TorchWriter(tmp_path / "b")
    assert ours.default_bins == theirs.default_bins  # equal to the last bit
    assert len(ours.default_bins) == 1549 and ours.default_bins[774] == 0
    ours.close()
    theirs.close()


# ---- images ------------------------------------------------------------------------------------------
def test_images_match_torch(tmp_path):
    rng = np.random.default_rng(1)
    chw = rng.random((3, 10, 12))
    hwc8 = rng.integers(0, 256, (7, 5, 3), dtype=np.uint8)
    rgba = rng.random((6, 4, 4))
    batch = rng.random((11, 1, 6, 5)).astype(np.float32)
    nhwc = rng.random((3, 4, 6, 3))

    def calls(w, lib):
        w.add_image("chw", lib.tensor(chw), 0, walltime=WALL)
        w.add_image("chw", lib.tensor(chw * 2 - 0.5), 1, walltime=WALL)  # clipped to [0, 1]
        w.add_image("hwc_uint8", hwc8, 0, dataformats="HWC", walltime=WALL)
        w.add_image("hw", lib.tensor(chw[0]), 0, dataformats="HW", walltime=WALL)
        w.add_image("wh", chw[0], 0, dataformats="WH", walltime=WALL)
        w.add_image("grey_chw", lib.tensor(chw[:1]), 0, walltime=WALL)
        w.add_image("rgba_hwc", rgba, 0, dataformats="HWC", walltime=WALL)
        w.add_image("grey_alpha", lib.tensor(rgba[:, :, :2].copy()), 0, dataformats="HWC", walltime=WALL)
        w.add_image("lower", lib.tensor(chw), 0, dataformats="chw", walltime=WALL)
        w.add_images("batch", lib.tensor(batch), 0, walltime=WALL)
        w.add_images("batch_nhwc", nhwc, 3, dataformats="NHWC", walltime=WALL)
        w.add_images("one", lib.tensor(batch[:1]), 0, walltime=WALL)

    ours, theirs = write_both(tmp_path, calls)
    assert_same_logs(ours, theirs)
    run = read_run(ours)
    step, _, width, height, px = run["images"]["batch"][0]
    assert (width, height) == (8 * 5, 2 * 6)  # 11 images: 8 a row
    np.testing.assert_array_equal(np.asarray(px)[:6, 5:10, 0], (batch[1, 0] * 255).astype(np.uint8))
    assert np.asarray(run["images"]["rgba_hwc"][0][4]).shape == (6, 4, 4)


def test_add_figure_matches_torch(tmp_path):
    plt = pytest.importorskip("matplotlib.pyplot")

    def figure(k):
        fig, ax = plt.subplots(figsize=(2, 1.5), dpi=40)
        ax.plot([0, 1, 2], [k, 2 * k, k])
        return fig

    def calls(w, lib):
        w.add_figure("fig", figure(1), 0, walltime=WALL)
        w.add_figure("figs", [figure(2), figure(3)], 1, walltime=WALL)
        fig = figure(4)
        w.add_figure("kept", fig, 2, close=False, walltime=WALL)
        assert plt.fignum_exists(fig.number)
        plt.close(fig)

    ours, theirs = write_both(tmp_path, calls)
    assert_same_logs(ours, theirs)
    _, _, width, height, _ = read_run(ours)["images"]["fig"][0]
    assert (width, height) == (80, 60)


# ---- text and hyperparameters --------------------------------------------------------------------
def test_text_matches_torch(tmp_path):
    def calls(w, lib):
        w.add_text("notes", "lr **0.1**, batch 32", 0, walltime=WALL)
        w.add_text("notes", "ünïcode ✓", 1, walltime=WALL)
        w.add_text("empty", "", walltime=WALL)

    ours, theirs = write_both(tmp_path, calls)
    assert_same_logs(ours, theirs)
    event = read_run(ours)["tensors"]["notes/text_summary"][1]
    assert "ünïcode ✓".encode() in event[2]


def test_hparams_match_torch(tmp_path):
    def calls(w, lib):
        w.add_scalar("loss", 0.5, 0, walltime=WALL)
        w.add_hparams({"lr": 0.1, "bsize": 32, "optimizer": "adam", "nesterov": True, "dropout": None,
                       "tensor": lib.tensor([0.3])},
                      {"hparam/accuracy": 0.9, "hparam/loss": lib.tensor(0.25)},
                      hparam_domain_discrete={"optimizer": ["adam", "sgd"], "bsize": [16, 32]},
                      run_name="run1", global_step=3)
        w.add_hparams({"lr": 0.01}, {"hparam/accuracy": 0.8}, run_name="run2")

    ours, theirs = write_both(tmp_path, calls)
    assert run_dirs(ours) == [".", "run1", "run2"]
    assert_same_logs(ours, theirs, walltime=False)  # add_hparams takes no walltime
    content = read_run(ours / "run1")["plugins"]["hparams"]
    start = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"])
    assert start.session_start_info.hparams["optimizer"].string_value == "adam"
    assert start.session_start_info.hparams["lr"].number_value == 0.1
    assert "dropout" not in start.session_start_info.hparams
    assert read_run(ours / "run1")["scalars"]["hparam/accuracy"][0][0] == 3


def test_hparams_default_run_name_is_a_time(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_hparams({"lr": 0.1}, {"acc": 1.0})
    (sub,) = [d for d in run_dirs(tmp_path) if d != "."]
    assert re.fullmatch(r"\d+\.\d+", sub)


# ---- the writer itself --------------------------------------------------------------------------
def test_default_log_dir_and_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_lr0.1")
    t = TorchWriter(comment="_lr0.1")
    pattern = r"runs/[A-Z][a-z]{2}\d{2}_\d{2}-\d{2}-\d{2}_" + re.escape(socket.gethostname()) + "_lr0.1"
    assert re.fullmatch(pattern, w.get_logdir()) and re.fullmatch(pattern, t.get_logdir())
    assert os.path.isdir(w.get_logdir())
    w.close()
    t.close()
    given = SummaryWriter("exp1", comment="ignored")
    assert given.get_logdir() == "exp1" and given.log_dir == "exp1"
    given.close()


def test_purge_step_filename_suffix_and_queue_settings(tmp_path):
    def calls(w, lib):
        w.add_scalar("x", 1.0, 10, walltime=WALL)

    ours, theirs = write_both(tmp_path, calls, purge_step=5, filename_suffix=".v2", max_queue=3, flush_secs=7)
    assert_same_logs(ours, theirs, walltime=False)  # the purge events are stamped "now"
    (name,) = os.listdir(ours)
    assert name.endswith(".v2")
    events = list(EventFileLoader(str(ours / name)).Load())
    assert [(e.step, e.WhichOneof("what")) for e in events] == [
        (0, "file_version"), (5, "file_version"), (5, "session_log"), (10, "summary")]
    w = SummaryWriter(tmp_path / "q", max_queue=3, flush_secs=7)
    assert (w.max_queue, w.flush_secs, w.purge_step) == (3, 7, None)
    w.close()


def test_flush_close_and_reopen(tmp_path):
    w = SummaryWriter(tmp_path)
    w.add_scalar("a", 1.0, 0)
    w.flush()
    assert read_run(tmp_path)["scalars"]["a"][0][2] == 1.0
    w.close()
    w.close()  # twice is harmless, as PyTorch's
    w.add_scalar("a", 2.0, 1)  # a closed writer opens a new event file
    w.flush()
    files = [f for f in os.listdir(tmp_path) if f.startswith("events")]
    assert len(files) == 2
    assert [e[2] for e in read_run(tmp_path)["scalars"]["a"]] == [1.0, 2.0]
    w.close()
    with SummaryWriter(tmp_path / "ctx") as w2:
        w2.add_scalars("s", {"a": 1}, 0)
        assert w2.get_logdir() == tmp_path / "ctx"
    assert w2.all_writers is None and w2.file_writer is None  # closed on exit


def test_path_and_step_types(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_scalar("s", 1.0, ag.tensor(4))
        w.add_scalar("s", 2.0, np.int32(5))
    assert [e[0] for e in read_run(tmp_path)["scalars"]["s"]] == [4, 5]


def test_errors_match_torchs_types(tmp_path):
    w, t = SummaryWriter(tmp_path / "a"), TorchWriter(tmp_path / "b")
    cases = [
        (AssertionError, "one element", lambda w, lib: w.add_scalar("x", lib.tensor([1.0, 2.0]), 0)),
        (AssertionError, "dataformats", lambda w, lib: w.add_image("x", lib.zeros(3, 4, 5), 0, dataformats="HW")),
        (AssertionError, "dataformats", lambda w, lib: w.add_image("x", lib.zeros(3, 4, 5), 0, dataformats="CCH")),
        (AssertionError, "channels", lambda w, lib: w.add_images("x", lib.zeros(2, 2, 4, 5), 0)),
        (AssertionError, "channels", lambda w, lib: w.add_images("x", lib.zeros(2, 4, 5, 5), 0)),
        (TypeError, "dict", lambda w, lib: w.add_hparams([("lr", 0.1)], {"acc": 1.0})),
        (TypeError, "hparam_domain_discrete", lambda w, lib: w.add_hparams({"lr": 0.1}, {}, {"lr": ["a"]})),
        (ValueError, "'opt'", lambda w, lib: w.add_hparams({"opt": [1, 2]}, {})),
        (ValueError, "no element", lambda w, lib: w.add_histogram("x", lib.zeros(0), 0)),
    ]
    for error, message, call in cases:
        with pytest.raises(error, match=message):
            call(w, ag)
        with pytest.raises(error):
            call(t, torch)
    with pytest.raises(TypeError, match="tag must be a str"):
        w.add_scalar(3, 1.0)
    with pytest.raises(TypeError, match="string"):
        w.add_scalar("x", "1.0")
    with pytest.raises(TypeError, match="text_string must be a str"):
        w.add_text("x", 3)
    with pytest.raises(ValueError, match="no value falls inside the bins"):
        w.add_histogram("x", ag.tensor([1e30]))
    w.close()
    t.close()
