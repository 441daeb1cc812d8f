"""SummaryWriter.add_graph: the written GraphDef loads back with TensorBoard's reader
and its graph plugin's preparation, holds every module scope (named as PyTorch's
trace names them) and every op with its output shapes, and leaves the model as it was."""
import numpy as np
import pytest

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing import event_accumulator as ea  # noqa: E402
from tensorboard.backend.process_graph import prepare_graph_for_ui  # noqa: E402
from torch.utils.tensorboard import SummaryWriter as TorchWriter  # noqa: E402
import torch  # noqa: E402

import autograd_lite as ag  # noqa: E402
from autograd_lite import nn  # noqa: E402
from autograd_lite.utils.tensorboard import SummaryWriter  # noqa: E402


def make_net(lib):
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = lib.nn.Linear(4, 8)
            self.act = lib.nn.ReLU()
            self.seq = lib.nn.Sequential(lib.nn.Linear(8, 3), lib.nn.Tanh())

        def forward(self, x):
            return self.seq(self.act(self.fc1(x))).sum(1)

    return Net()


def make_cnn(lib):
    n = lib.nn
    return n.Sequential(n.Conv2d(1, 4, 3), n.BatchNorm2d(4), n.ReLU(), n.MaxPool2d(2), n.Flatten(),
                        n.Linear(16, 10), n.LogSoftmax(dim=1))


def written_graph(log_dir):
    acc = ea.EventAccumulator(str(log_dir), size_guidance={ea.GRAPH: 0, ea.RUN_METADATA: 0})
    acc.Reload()
    assert acc.Tags()["graph"] is True
    return acc.Graph(), acc.Tags()["run_metadata"]


def module_scopes(graph):
    """Scopes of op nodes: 'Net', 'Net/Linear[fc1]', ... (not input/ or output/)."""
    scopes = set()
    for node in graph.node:
        if node.name.startswith(("input/", "output/")):
            continue
        scope = node.name.rpartition("/")[0]
        while scope and not scope.endswith("]") and "/" in scope:  # torch's GetAttr nodes: .../weight
            scope = scope.rpartition("/")[0]
        scopes.add(scope)
    return scopes


def shapes(node):
    return [None if s.unknown_rank else [d.size for d in s.dim] for s in node.attr["_output_shapes"].list.shape]


@pytest.mark.filterwarnings("ignore:`torch.jit.trace:DeprecationWarning")  # torch 2.13 traces for add_graph
@pytest.mark.parametrize("make, x", [(make_net, np.ones((2, 4), np.float32)),
                                     (make_cnn, np.ones((2, 1, 6, 6), np.float32))], ids=["net", "cnn"])
def test_graph_has_torchs_module_scopes(tmp_path, make, x):
    model = make(ag)
    with SummaryWriter(tmp_path / "ours") as w:
        w.add_graph(model, ag.tensor(x))
    with TorchWriter(tmp_path / "torch") as w:
        w.add_graph(make(torch), torch.tensor(x))
    ours, ours_meta = written_graph(tmp_path / "ours")
    theirs, theirs_meta = written_graph(tmp_path / "torch")
    assert ours_meta == theirs_meta == ["step1"]
    assert module_scopes(ours) == module_scopes(theirs)
    prepare_graph_for_ui(ours)  # what TensorBoard's graph plugin does before drawing
    by_name = {n.name: n for n in ours.node}
    inputs = [n for n in ours.node if n.name.startswith("input/")]
    outputs = [n for n in ours.node if n.name.startswith("output/")]
    assert [n.op for n in inputs + outputs] == ["IO Node", "IO Node"]
    assert shapes(inputs[0]) == [list(x.shape)]
    torch_outputs = [n for n in theirs.node if n.name.startswith("output/")]
    assert shapes(outputs[0]) == shapes(torch_outputs[0])
    for node in ours.node:  # every edge points at a node of the graph, every op has its shapes
        for source in node.input:
            assert source.split(":")[0] in by_name, (node.name, source)
        assert None not in shapes(node), node.name
    # every parameter is a node in its module's scope, with its shape
    for name, p in model.named_parameters():
        owner, _, attr = name.rpartition(".")
        matches = [n for n in ours.node if n.op == "Parameter" and n.name.endswith("/" + attr)
                   and (owner == "" or f"[{owner.split('.')[-1]}]/" in n.name)]
        assert any(shapes(n) == [list(p.shape)] for n in matches), name


def test_graph_nodes_ops_and_edges_of_a_small_net(tmp_path):
    model = make_net(ag)
    with SummaryWriter(tmp_path) as w:
        w.add_graph(model, ag.ones(2, 4))
    graph, _ = written_graph(tmp_path)
    nodes = {n.name: n for n in graph.node}
    assert nodes["input/x"].op == "IO Node"  # named after forward's argument, as PyTorch
    linear = nodes["Net/Linear[fc1]/Linear"]
    assert linear.op == "Linear"
    assert list(linear.input) == ["input/x", "Net/Linear[fc1]/weight", "Net/Linear[fc1]/bias"]
    assert shapes(linear) == [[2, 8]] and linear.attr["dtype"].type == 1  # DT_FLOAT
    assert nodes["Net/Linear[fc1]/weight"].op == "Parameter" and shapes(nodes["Net/Linear[fc1]/weight"]) == [[8, 4]]
    assert list(nodes["Net/ReLU[act]/Relu"].input) == ["Net/Linear[fc1]/Linear"]
    assert list(nodes["Net/Sequential[seq]/Tanh[1]/Tanh"].input) == ["Net/Sequential[seq]/Linear[0]/Linear"]
    assert list(nodes["Net/Sum"].input) == ["Net/Sequential[seq]/Tanh[1]/Tanh"]  # made by Net itself
    assert list(nodes["output/output.1"].input) == ["Net/Sum"] and shapes(nodes["output/output.1"]) == [[2]]
    assert len(graph.node) == 11 and graph.versions.producer == 22


def test_multi_output_ops_and_tuple_outputs(tmp_path):
    model = nn.LSTM(3, 5, num_layers=2).double()
    with SummaryWriter(tmp_path) as w:
        w.add_graph(model, ag.randn(4, 2, 3, dtype=ag.float64))
    graph, _ = written_graph(tmp_path)
    prepare_graph_for_ui(graph)
    nodes = {n.name: n for n in graph.node}
    layers = [n for n in graph.node if n.op == "LSTMLayer"]
    assert len(layers) == 2 and all(shapes(n) == [[4, 2, 5], [2, 5], [2, 5]] for n in layers)
    assert layers[0].attr["dtype"].type == 2  # DT_DOUBLE
    assert list(layers[1].input)[0] == layers[0].name
    # h_n gathers output 1 (h) of each layer: referenced as "name:1"
    sources = {s for n in graph.node for s in n.input}
    assert f"{layers[0].name}:1" in sources and f"{layers[1].name}:2" in sources
    outputs = [nodes[f"output/output.{k}"] for k in (1, 2, 3)]  # output, (h_n, c_n)
    assert [shapes(n) for n in outputs] == [[[4, 2, 5]], [[2, 2, 5]], [[2, 2, 5]]]
    assert "LSTM/weight_ih_l0" in nodes and "LSTM/bias_hh_l1" in nodes


def test_add_graph_leaves_the_model_as_it_was(tmp_path):
    model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.Dropout(0.5), nn.Linear(6, 2))
    x = ag.randn(5, 4)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with SummaryWriter(tmp_path) as w:
        w.add_graph(model, x, verbose=False)
    assert model.training and all(m.training for m in model.modules())
    assert all(p.grad is None for p in model.parameters())
    assert not x.requires_grad and x.grad is None
    for k, v in model.state_dict().items():  # eval mode: running stats untouched
        np.testing.assert_array_equal(v.numpy(), before[k].numpy(), err_msg=k)
    model.eval()
    with SummaryWriter(tmp_path / "eval") as w:
        w.add_graph(model, [x])
    assert not model.training
    graph, _ = written_graph(tmp_path)
    ops = [n.op for n in graph.node]
    assert "BatchNorm" in ops and "Dropout" not in ops  # eval mode: dropout is the identity


def test_verbose_prints_the_nodes_and_multiple_inputs(tmp_path, capsys):
    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10, 3)
            self.fc = nn.Linear(3, 2)

        def forward(self, idx, other, scale=2.0):
            return self.fc(self.emb(idx)) + other * scale

    with SummaryWriter(tmp_path) as w:
        w.add_graph(Two(), (ag.tensor([1, 2, 3]), ag.randn(3, 2)), verbose=True)
    printed = capsys.readouterr().out
    assert "Two/Embedding[emb]/Embedding = Embedding(Two/Embedding[emb]/weight)" in printed
    assert "Two/Linear[fc]/Linear = Linear(Two/Embedding[emb]/Embedding, Two/Linear[fc]/weight, " \
           "Two/Linear[fc]/bias)  (3, 2)" in printed
    assert "Two/Mul = Mul(input/other)  (3, 2)" in printed
    assert "Two/Add = Add(Two/Linear[fc]/Linear, Two/Mul)  (3, 2)" in printed
    graph, _ = written_graph(tmp_path)
    nodes = {n.name: n for n in graph.node}
    assert nodes["input/idx"].attr["dtype"].type == 9  # DT_INT64; integer input: no edge out of it
    assert shapes(nodes["input/other"]) == [[3, 2]]


def test_add_graph_errors(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(TypeError, match="nn.Module"):
            w.add_graph(lambda x: x * 2, ag.ones(2))
        with pytest.raises(ValueError, match=r"\(2, 5\)"):
            w.add_graph(nn.Linear(4, 3), ag.ones(2, 5))
