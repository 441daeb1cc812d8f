"""autograd_lite.viz: graph drawing, module clusters, rendering, gradient-flow checks."""
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn, viz
from autograd_lite.autograd.node import Node

graphviz = pytest.importorskip("graphviz")

HAS_DOT = shutil.which("dot") is not None


def _mlp_loss(seed=0):
    ag.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    x = ag.randn(5, 4)
    y = ag.tensor([0, 1, 2, 0, 1])
    loss = nn.CrossEntropyLoss()(model(x), y)
    return model, loss


def _count_edges(root):
    """Independent traversal: non-None next_functions entries over reachable nodes."""
    seen, stack, n = set(), [root.grad_fn], 0
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for e in node.next_functions:
            if e is not None:
                n += 1
                if isinstance(e[0], Node):
                    stack.append(e[0])
    return n, len(seen)


def _node_ids(src):
    return set(re.findall(r"^\s*((?:op|leaf)_\d+) \[", src, re.MULTILINE))


def test_mlp_graph_labels_params_and_edges():
    model, loss = _mlp_loss()
    params = dict(model.named_parameters())
    dot = viz.draw_graph(loss, params=params)
    assert isinstance(dot, graphviz.Digraph)
    src = dot.source
    for op in ("LinearBackward", "ReluBackward", loss.grad_fn.name()):
        assert op in src
    for name in ("0.weight", "0.bias", "2.weight", "2.bias"):
        assert name in src
    n_edges, n_ops = _count_edges(loss)
    assert src.count(" -> ") == n_edges
    ids = _node_ids(src)
    assert len(ids) == n_ops + 4  # ops + the four parameters (x does not require grad)
    # data flows from input to op: every parameter is an edge source, never a target
    for p in params.values():
        assert f"leaf_{id(p)} -> op_" in src
        assert f"-> leaf_{id(p)}" not in src
    # the root is marked and shapes/dtypes are shown
    assert "(output)" in src
    assert "(8, 4) float32" in src and "(5, 3) float32" in src
    # ids are stable strings: drawing again gives the same source
    assert viz.draw_graph(loss, params=params).source == src


def test_unnamed_leaves_and_multiple_roots():
    a = ag.randn(3, 2, requires_grad=True)
    b = ag.randn(2, requires_grad=True)
    out1 = (a * b).sum()
    out2 = a.exp()
    src = viz.draw_graph([out1, out2], show_shapes=True).source
    assert src.count("input") == 2
    assert "(3, 2) float32" in src
    assert src.count("(output)") == 2
    # a leaf root is drawn as a marked leaf
    src = viz.draw_graph(a).source
    assert "input" in src and "peripheries=2" in src
    with pytest.raises(TypeError):
        viz.draw_graph("not a tensor")


def test_show_grads_labels_and_edge_colours():
    model, loss = _mlp_loss()
    params = dict(model.named_parameters())
    assert viz.record_grads(loss) > 0
    loss.backward()
    src = viz.draw_graph(loss, params=params, show_grads=True).source
    for name, p in params.items():
        norm = float(np.linalg.norm(p.grad.numpy()))
        assert f"||grad|| = {norm:.3g}" in src
    # op nodes hooked by record_grads show their output gradient norm (root: 1)
    assert "||grad|| = 1\n" in src
    # leaf edges coloured: the largest norm red, the smallest blue
    norms = {n: float(np.linalg.norm(p.grad.numpy())) for n, p in params.items()}
    big = params[max(norms, key=norms.get)]
    small = params[min(norms, key=norms.get)]
    assert re.search(rf'leaf_{id(big)} -> op_\d+ \[color="#ff3000"', src)
    assert re.search(rf'leaf_{id(small)} -> op_\d+ \[color="#0030ff"', src)
    # without gradients, leaf edges are grey
    _, loss2 = _mlp_loss()
    src2 = viz.draw_graph(loss2, show_grads=True).source
    assert "||grad|| = n/a" in src2 and "#9e9e9e" in src2


def test_cluster_modules():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.act = nn.Tanh()

        def forward(self, x):
            return self.act(self.fc(x)) * 2

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.head = nn.Linear(4, 2)

        def forward(self, x):
            return self.head(self.block(x))

    net = Net()
    out = net(ag.randn(3, 4)).sum()
    src = viz.draw_graph(out, params=dict(net.named_parameters()), cluster_modules=net).source
    for name in ("block", "block.fc", "block.act", "head"):
        assert f'subgraph "cluster_{name}"' in src or f"subgraph cluster_{name} " in src
    # innermost module wins: the Linear node of block.fc sits in cluster_block.fc,
    # the multiplication by 2 in cluster_block, the final sum outside any cluster
    body = src.split("cluster_block.fc")[1].split("}")[0]
    assert "LinearBackward" in body and "MulBackward" not in body
    block_body = re.split(r'subgraph "?cluster_block"? ', src)[1].split("}")[0]
    assert "MulBackward" in block_body
    outside = src.split("subgraph")[0]
    assert "SumBackward" in outside
    # without cluster_modules there are no clusters
    assert "subgraph" not in viz.draw_graph(out).source


def test_graph_structure_gives_ops_in_forward_order_with_modules_shapes_and_inputs():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 5)

        def forward(self, x):
            return self.fc(x).tanh() * 2

    block = Block()
    x = ag.randn(3, 4, requires_grad=True)
    out = block(x).sum()
    structure = viz.graph_structure(out, module=block)
    ops = structure.ops
    assert [op.name for op in ops] == ["Linear", "Tanh", "Mul", "Sum"]
    assert [op.module for op in ops] == ["fc", "", "", None]  # '' = the model itself; the sum is outside
    linear = ops[0]
    assert [src for src, _ in linear.inputs] == [x, block.fc.weight, block.fc.bias]
    assert ops[1].inputs == [(linear.node, 0)] and ops[1].outputs[0][0] == (3, 5)
    assert ops[3].outputs == [((), np.dtype("float32"))]
    assert set(structure.leaves) == {id(x), id(block.fc.weight), id(block.fc.bias)}
    assert [op.module for op in viz.graph_structure(out).ops] == [None] * 4
    # draw_graph names the model's own cluster after its class
    src = viz.draw_graph(out, cluster_modules=block).source
    assert re.search(r'subgraph "?cluster_Block"? ', src) and re.search(r'subgraph "?cluster_fc"? ', src)


def test_forward_hooks_still_work_with_seq_range():
    lin = nn.Linear(2, 2)
    seen = []
    lin.register_forward_hook(lambda m, i, o: seen.append(o.shape))
    lin(ag.randn(1, 2))
    start, end = lin._seq_range
    assert seen == [(1, 2)] and start < end


def test_max_nodes_error():
    x = ag.randn(3, requires_grad=True)
    y = x
    for _ in range(30):
        y = y * 1.01
    with pytest.raises(ValueError, match=r"31 nodes.*max_nodes=10"):
        viz.draw_graph(y, max_nodes=10)
    viz.draw_graph(y, max_nodes=31)


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz `dot` not installed")
def test_render_svg(tmp_path):
    model, loss = _mlp_loss()
    out = viz.render(loss, str(tmp_path / "mlp"), format="svg", params=dict(model.named_parameters()))
    svg = Path(out).read_text(encoding="utf-8")
    assert out.endswith(".svg") and "<svg" in svg
    for name in ("0.weight", "2.bias"):
        assert name in svg
    # the Digraph itself renders too
    out2 = viz.draw_graph(loss).render(str(tmp_path / "g"), format="svg")
    assert "<svg" in Path(out2).read_text(encoding="utf-8")


def test_render_without_dot(tmp_path, monkeypatch):
    _, loss = _mlp_loss()
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    path = str(tmp_path / "graph")
    with pytest.raises(RuntimeError) as info:
        viz.render(loss, path)
    msg = str(info.value)
    assert "apt-get install graphviz" in msg and "brew install graphviz" in msg
    assert path + ".dot" in msg
    assert "digraph" in Path(path + ".dot").read_text()


def test_render_executable_not_found(tmp_path, monkeypatch):
    # `which` finds something, but graphviz cannot run it: same helpful error
    _, loss = _mlp_loss()
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(viz.shutil, "which", lambda name: "/nonexistent/dot")
    with pytest.raises(RuntimeError, match="Install Graphviz"):
        viz.render(loss, str(tmp_path / "g"))
    assert (tmp_path / "g.dot").exists()


# ---- gradient-flow diagnostics ---------------------------------------------------------
def _step(model, x, y, loss_fn):
    for p in model.parameters():
        p.grad = None
    loss_fn(model(x), y).backward()


def test_deep_sigmoid_mlp_vanishes():
    ag.manual_seed(0)
    layers = []
    for _ in range(14):
        layers += [nn.Linear(32, 32), nn.Sigmoid()]
    model = nn.Sequential(*layers, nn.Linear(32, 4))
    flow = viz.GradientFlow(model)
    x, y = ag.randn(16, 32), ag.tensor(np.arange(16) % 4)
    _step(model, x, y, nn.CrossEntropyLoss())
    flow.record()
    flags = flow.flags()
    assert flags["0.weight"] == "VANISHING"
    assert flags["28.weight"] == "ok"  # the last layer still learns
    rep = flow.report()
    assert "0.weight" in rep and "VANISHING" in rep and "(32, 32)" in rep


class _RepeatedMatmul(nn.Module):
    def __init__(self, n, scale):
        super().__init__()
        self.W = nn.Parameter(ag.zeros(n, n))
        nn.init.orthogonal_(self.W)
        with ag.no_grad():
            self.W.mul_(scale)

    def forward(self, h, steps=30):
        for _ in range(steps):
            h = h @ self.W
        return h


def test_repeated_matmul_explodes():
    ag.manual_seed(1)
    model = _RepeatedMatmul(8, 3.0)
    flow = viz.GradientFlow(model)
    model(ag.randn(2, 8)).sum().backward()
    flow.record()
    assert flow.flags() == {"W": "EXPLODING"}
    # scale 1 (orthogonal) stays healthy
    ag.manual_seed(1)
    calm = _RepeatedMatmul(8, 1.0)
    flow2 = viz.GradientFlow(calm)
    calm(ag.randn(2, 8)).sum().backward()
    flow2.record()
    assert flow2.flags() == {"W": "ok"}


def test_kaiming_relu_mlp_ok_and_history():
    ag.manual_seed(2)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 4))
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    flow = viz.GradientFlow(model)
    x, y = ag.randn(32, 16), ag.tensor(np.arange(32) % 4)
    for _ in range(3):
        _step(model, x, y, nn.CrossEntropyLoss())
        flow.record()
    assert set(flow.flags().values()) == {"ok"}
    assert flow.steps == 3 and all(len(h) == 3 for h in flow.history.values())
    lines = flow.report().splitlines()
    assert lines[0].split() == ["parameter", "shape", "last", "min", "max", "flag"]
    assert len(lines) == 2 + 6 + 1


def test_nonfinite_and_nograd_flags():
    model = nn.Linear(2, 2)
    flow = viz.GradientFlow(model)
    with pytest.raises(RuntimeError):
        flow.flags()
    model.weight.grad = ag.tensor(np.array([[np.nan, 1.0], [0.0, 0.0]], dtype=np.float32))
    flow.record()
    assert flow.flags() == {"weight": "NONFINITE", "bias": "NOGRAD"}
    assert "NONFINITE" in flow.report()


def test_plot_requires_matplotlib():
    flow = viz.GradientFlow(nn.Linear(2, 2))
    try:
        import matplotlib
    except ImportError:
        with pytest.raises(ImportError, match="matplotlib"):
            flow.plot()
    else:
        matplotlib.use("Agg")
        flow.record()
        assert flow.plot() is not None


def test_per_module_rows_combine_a_layers_parameters():
    ag.manual_seed(3)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    flow = viz.GradientFlow(model, per="module")
    model(ag.randn(5, 4)).sum().backward()
    flow.record()
    assert list(flow.history) == ["0", "2"]  # ReLU has no parameters
    for name, layer in (("0", model[0]), ("2", model[2])):
        expected = np.sqrt(np.sum(layer.weight.grad.numpy() ** 2) + np.sum(layer.bias.grad.numpy() ** 2))
        np.testing.assert_allclose(flow.history[name][-1], expected, rtol=1e-6)
    lines = flow.report().splitlines()
    assert lines[0].split() == ["module", "type", "last", "min", "max", "flag"]
    assert "Linear" in lines[2]
    with pytest.raises(ValueError, match="per must be"):
        viz.GradientFlow(model, per="layer")


def test_record_grads_keeps_shapes_after_backward():
    model, loss = _mlp_loss()
    viz.record_grads(loss)
    loss.backward()  # frees the saved tensors the shapes are otherwise read from
    src = viz.draw_graph(loss, params=dict(model.named_parameters()), show_grads=True).source
    assert "(5, 8) float32" in src and "(5, 3) float32" in src


def test_jupyter_display_with_and_without_dot(monkeypatch):
    _, loss = _mlp_loss()
    dot = viz.draw_graph(loss)
    if HAS_DOT:
        bundle = dot._repr_mimebundle_()
        assert "<svg" in bundle["image/svg+xml"]
        assert "<svg" in dot._repr_svg_()
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    bundle = dot._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    assert "apt-get install graphviz" in bundle["text/plain"] and "digraph" in bundle["text/plain"]
    assert dot._repr_svg_() is None


# ---- real models: a CNN (and an LSTM, in test_viz_rnn) rendered with dot -------------------
def _op_names(root):
    """Independent traversal: the name of every op node behind root."""
    seen, stack, names = set(), [root.grad_fn], []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        names.append(node.name())
        stack.extend(e[0] for e in node.next_functions if e is not None and isinstance(e[0], Node))
    return names


def check_model_graph(model, loss, tmp_path, stem):
    """The DOT source has one node per op and parameter, every edge, each parameter's
    name; the rendered SVG carries the same labels."""
    params = dict(model.named_parameters())
    dot = viz.draw_graph(loss, params=params, cluster_modules=model)
    src = dot.source
    names = _op_names(loss)
    n_edges, n_ops = _count_edges(loss)
    assert src.count(" -> ") == n_edges
    assert len(_node_ids(src)) == n_ops + len(params)
    for name in set(names):
        assert src.count(name) == names.count(name), name
    for name, p in params.items():
        assert f'leaf_{id(p)} [label="{name}' in src
    if HAS_DOT:
        svg = Path(dot.render(str(tmp_path / stem), format="svg", cleanup=True)).read_text()
        assert svg.count('class="node"') == n_ops + len(params)
        assert svg.count('class="edge"') == n_edges
        for name in params:
            assert f">{name}</text>" in svg
    return src


def test_cnn_graph(tmp_path):
    ag.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 2 * 2, 3))
    loss = nn.CrossEntropyLoss()(model(ag.randn(2, 1, 8, 8)), ag.tensor([0, 2]))
    src = check_model_graph(model, loss, tmp_path, "cnn")
    assert "(2, 4, 8, 8) float32" in src and "(4, 1, 3, 3) float32" in src
    assert 'subgraph "cluster_0"' in src or "subgraph cluster_0 " in src


def test_lstm_graph(tmp_path):
    ag.manual_seed(0)

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(3, 5, num_layers=2, batch_first=True)
            self.head = nn.Linear(5, 2)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.head(out[:, -1])

    model = Tagger()
    loss = model(ag.randn(4, 6, 3)).pow(2).mean()
    src = check_model_graph(model, loss, tmp_path, "lstm")
    assert src.count("LSTMLayerBackward") == 2  # one fused node per layer and direction
    for name in ("lstm.weight_ih_l0", "lstm.weight_hh_l1", "lstm.bias_hh_l1", "head.weight"):
        assert name in src
    assert "(20, 3) float32" in src  # weight_ih_l0: 4 gates x hidden 5


def test_lstm_cell_loop_graph_unrolls_in_time():
    ag.manual_seed(0)
    cell = nn.LSTMCell(2, 3)
    h = c = ag.zeros(1, 3)
    for x in ag.randn(4, 1, 2):
        h, c = cell(x, (h, c))
    src = viz.draw_graph(h.sum(), params=dict(cell.named_parameters())).source
    assert src.count("LSTMCellBackward") == 4  # one node per step: the unrolled graph
    assert src.count('label="weight_hh') == 1  # one leaf, shared by every step


def test_badly_scaled_rnn_explodes_well_scaled_does_not():
    def grad_flags(scale):
        ag.manual_seed(0)
        rnn = nn.RNN(4, 16, nonlinearity="relu")
        with ag.no_grad():
            nn.init.orthogonal_(rnn.weight_hh_l0)
            rnn.weight_hh_l0.mul_(scale)
            rnn.bias_hh_l0.zero_()
            rnn.bias_ih_l0.zero_()
        x = ag.randn(60, 2, 4).abs()  # positive inputs keep the relu units active
        out, _ = rnn(x)
        flow = viz.GradientFlow(rnn)
        out[-1].sum().backward()  # through all 60 steps: the Jacobian W_hh^T, 60 times
        flow.record()
        return flow.flags()

    exploding = grad_flags(1.6)
    assert exploding["weight_hh_l0"] == "EXPLODING"
    assert set(grad_flags(0.9).values()) == {"ok"}


def test_show_saved_tells_leaves_saved_tensors_and_constants_apart():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    x = ag.randn(5, 4)
    loss = nn.CrossEntropyLoss()(model(x), ag.tensor([0, 1, 2, 0, 1]))
    params = dict(model.named_parameters())
    src = viz.draw_graph(loss, params=params, show_saved=True).source
    # the input data, saved by the first Linear, is a constant, and so are the class
    # targets cross_entropy keeps (version-checked); tanh's output, saved by Tanh and by
    # the second Linear, is one "saved" note; so are the logits
    assert src.count('label="constant\n(5, 4) float32"') == 1
    assert src.count('label="constant\n(5) int64"') == 1
    assert src.count('label="saved\n(5, 8) float32"') == 1
    assert src.count('label="saved\n(5, 3) float32"') == 1
    saved_edges = re.findall(r"(\w+) -> (op_\d+) \[arrowhead=odot", src)
    assert len(saved_edges) == 7  # x, 0.weight, tanh out (twice), 2.weight, logits, targets
    sources = [s for s, _ in saved_edges]
    for name in ("0.weight", "2.weight"):  # a saved parameter: a dashed edge from its leaf
        assert sources.count(f"leaf_{id(params[name])}") == 1
    assert f"leaf_{id(params['0.bias'])}" not in sources
    assert "saved_" not in viz.draw_graph(loss, params=params).source  # off by default
    loss.backward()  # frees what was saved
    assert "odot" not in viz.draw_graph(loss, params=params, show_saved=True).source
