"""Visualise autograd graphs and watch gradient flow.

    from autograd_lite import viz
    dot = viz.draw_graph(loss, params=dict(model.named_parameters()))
    dot.render("graph", format="svg")          # or viz.render(loss, "graph", ...)

    flow = viz.GradientFlow(model)
    ...; loss.backward(); flow.record()
    print(flow.report())

The graph is read from `grad_fn` / `next_functions`: one box per op node, one
ellipse per leaf tensor, edges in the direction data flows (input -> op). Output
shapes of op nodes are shown when known: from the root tensors, multi-output
metadata, or a tensor a consumer saved for backward (saved tensors are freed by
backward() without retain_graph, so draw before backward for full shapes).
"""
import math
import shutil
from collections import namedtuple
from pathlib import Path

import graphviz
import numpy as np

from .autograd.node import Node
from .tensor import Tensor

__all__ = ["GradientFlow", "GraphDrawing", "GraphOp", "GraphStructure", "draw_graph", "graph_structure",
           "record_grads", "render"]

_OP_STYLE = dict(shape="box", style="filled,rounded", fillcolor="#eeeeee", fontname="Helvetica")
_PARAM_STYLE = dict(shape="ellipse", style="filled", fillcolor="#cfe2ff", fontname="Helvetica")
_INPUT_STYLE = dict(shape="ellipse", style="filled", fillcolor="#e8e8e8", fontname="Helvetica")
_ROOT_STYLE = dict(fillcolor="#ffd8a8", peripheries="2", penwidth="2")
_SAVED_STYLE = dict(shape="note", style="filled", fillcolor="#fff3bf", fontname="Helvetica", fontsize="9")
_CONST_STYLE = dict(shape="note", style="dashed", color="#868e96", fontname="Helvetica", fontsize="9")
_SAVED_EDGE = dict(style="dashed", color="#e67700", arrowhead="odot")
_UNKNOWN_EDGE = "#9e9e9e"
_GRAD_ATTR = "_viz_grads"  # {output_nr: (norm, shape, dtype)} set on nodes by record_grads


# ---- graph traversal ---------------------------------------------------------------
def _as_roots(root):
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    for r in roots:
        if not isinstance(r, Tensor):
            raise TypeError(f"draw_graph: expected a Tensor or a list of Tensors, got {type(r).__name__}")
    return roots


def _walk(roots, max_nodes=None):
    """Return (ops, leaves, edges): ops and leaves as {id: obj} in discovery order,
    edges as a list of (source_obj, output_nr, consumer_node, input_index)."""
    ops, leaves, edges = {}, {}, []
    stack = []
    for r in roots:
        if r.grad_fn is not None:
            stack.append(r.grad_fn)
        else:
            leaves.setdefault(id(r), r)

    while stack:
        node = stack.pop()
        if id(node) in ops:
            continue
        ops[id(node)] = node
        for i, edge in enumerate(node.next_functions or ()):
            if edge is None:
                continue
            target, nr = edge
            edges.append((target, nr, node, i))
            if isinstance(target, Node):
                if id(target) not in ops:
                    stack.append(target)
            elif id(target) not in leaves:
                leaves[id(target)] = target
    n = len(ops) + len(leaves)
    if max_nodes is not None and n > max_nodes:
        raise ValueError(
            f"draw_graph: the graph has {n} nodes ({len(ops)} ops, {len(leaves)} leaves), "
            f"more than max_nodes={max_nodes}; pass a larger max_nodes=... to draw it "
            f"anyway, or draw a smaller part of the graph"
        )
    return ops, leaves, edges


def _output_meta(ops, edges, roots):
    """{(id(node), output_nr): (shape, dtype)} for every op output we can tell."""
    meta = {}
    for node in ops.values():
        if node._out_meta:
            for nr, (shape, dtype) in enumerate(node._out_meta):
                meta[(id(node), nr)] = (tuple(shape), dtype)
        elif node._out is not None:
            meta[(id(node), 0)] = (tuple(node._out[0].shape), node._out[0].dtype)
        for nr, (_, shape, dtype) in getattr(node, _GRAD_ATTR, {}).items():
            meta.setdefault((id(node), nr), (shape, dtype))  # a gradient has its output's shape
    for r in roots:
        if r.grad_fn is not None:
            meta.setdefault((id(r.grad_fn), r.output_nr), (tuple(r.shape), r.dtype))
    for target, nr, consumer, i in edges:
        if not isinstance(target, Node) or (id(target), nr) in meta:
            continue
        # an input the consumer saved for backward has the producer's output shape
        positions = getattr(consumer, "save_inputs", ()) or ()
        saved = consumer._saved or ()
        if i in positions:
            k = list(positions).index(i)
            if k < len(saved) and isinstance(saved[k], Tensor):
                meta[(id(target), nr)] = (tuple(saved[k].shape), saved[k].dtype)
                continue
        in_meta = getattr(consumer, "_input_meta", None)  # autograd.Function nodes
        if in_meta and i < len(in_meta) and in_meta[i][0] is not None:
            meta[(id(target), nr)] = (tuple(in_meta[i][0]), in_meta[i][1])
    return meta


# ---- labels and colours ---------------------------------------------------------------
def _fmt_shape(shape):
    return "(" + ", ".join(str(s) for s in shape) + ")"


def _fmt_norm(x):
    if x is None:
        return "n/a"
    return f"{x:.3g}" if math.isfinite(x) else str(x)


def _norm(g):
    if g is None:
        return None
    a = np.asarray(getattr(g, "_data", g), dtype=np.float64)
    return float(np.sqrt(np.sum(a * a)))


def _edge_colour(norm, lo, hi):
    """Blue (small) to red (large) on a log scale between lo and hi (log10 values)."""
    if norm is None:
        return _UNKNOWN_EDGE
    if not math.isfinite(norm):
        return "#ff00ff"  # non-finite: magenta, unmistakable
    v = math.log10(max(norm, 1e-30))
    f = 0.5 if hi <= lo else min(max((v - lo) / (hi - lo), 0.0), 1.0)
    r, b = int(round(255 * f)), int(round(255 * (1 - f)))
    return f"#{r:02x}30{b:02x}"


def _module_ranges(module):
    """[(qualified_name, start, end, type_name)] of the (sub)modules that have run
    ('' is `module` itself); a node belongs to the narrowest range containing its
    `_seq`."""
    ranges = []
    for name, m in module.named_modules():
        rng = m.__dict__.get("_seq_range")
        if rng is not None:
            ranges.append((name, rng[0], rng[1], type(m).__name__))
    return ranges


def _innermost(seq, ranges):
    best = None
    for name, start, end, _ in ranges:
        if start < seq < end and (best is None or end - start < best[2] - best[1]):
            best = (name, start, end)
    return best[0] if best else None


# ---- public API ---------------------------------------------------------------------------
def draw_graph(root, params=None, show_shapes=True, show_grads=False, max_nodes=500,
               graph_attr=None, cluster_modules=None, show_saved=False):
    """Return a `graphviz.Digraph` of the autograd graph behind `root` (a Tensor or a
    list/tuple of Tensors).

    params: {name: tensor} used to label leaves (e.g. dict(model.named_parameters()));
        other leaves are labelled "input".
    show_shapes: put output shape and dtype in op labels and shape/dtype in leaf labels.
    show_grads: label leaves with ||grad|| (from .grad) and colour edges out of leaves
        from blue (small) to red (large) on a log scale, grey when unknown; op nodes
        show the norm of the gradient of their output(s) if `record_grads` was called
        before backward.
    max_nodes: raise ValueError for graphs with more nodes than this.
    graph_attr: extra Graphviz graph attributes (dict).
    cluster_modules: an nn.Module; op nodes created in a submodule's last forward
        call are grouped in a cluster named after the submodule.
    show_saved: draw what each op saved for its backward (freed by backward unless
        retain_graph=True) with dashed orange edges: from the leaf itself when a leaf
        was saved, else from a note "saved" (an intermediate tensor) or "constant" (a
        tensor that does not require grad, such as the input data).
    """
    roots = _as_roots(root)
    ops, leaves, edges = _walk(roots, max_nodes)
    names = {id(t): n for n, t in (params or {}).items()}
    root_ids = {id(r.grad_fn) if r.grad_fn is not None else id(r) for r in roots}
    meta = _output_meta(ops, edges, roots) if show_shapes else {}

    attrs = {"rankdir": "TB", "fontname": "Helvetica"}
    attrs.update(graph_attr or {})
    dot = GraphDrawing(name="autograd_graph", graph_attr=attrs,
                           node_attr={"fontsize": "11"}, edge_attr={"arrowsize": "0.7", "fontname": "Helvetica", "fontsize": "9"})

    leaf_norms = {k: _norm(t.grad) for k, t in leaves.items()} if show_grads else {}
    logs = [math.log10(max(v, 1e-30)) for v in leaf_norms.values() if v is not None and math.isfinite(v)]
    lo, hi = (min(logs), max(logs)) if logs else (0.0, 0.0)

    # leaves
    for key, t in leaves.items():
        name = names.get(key)
        lines = [name if name is not None else "input"]
        if show_shapes:
            lines.append(f"{_fmt_shape(t.shape)} {t.dtype}")
        if show_grads:
            lines.append(f"||grad|| = {_fmt_norm(leaf_norms[key])}")
        style = dict(_PARAM_STYLE if name is not None else _INPUT_STYLE)
        if key in root_ids:
            style.update(_ROOT_STYLE)
        dot.node(f"leaf_{key}", "\n".join(lines), **style)

    # ops, optionally clustered by module
    ranges = _module_ranges(cluster_modules) if cluster_modules is not None else []
    labels = {n: t for n, _, _, t in ranges}
    clusters = {}
    for key, node in ops.items():
        lines = [node.name()]
        n_out = max(int(node.n_outputs or 1), 1)
        if show_shapes:
            for nr in range(n_out):
                m = meta.get((key, nr))
                if m is not None:
                    prefix = f"[{nr}] " if n_out > 1 else ""
                    lines.append(f"{prefix}{_fmt_shape(m[0])} {m[1]}")
        if show_grads:
            norms = _grad_norms(node)
            if norms:
                for nr in sorted(norms):
                    prefix = f"[{nr}] " if n_out > 1 else ""
                    lines.append(f"{prefix}||grad|| = {_fmt_norm(norms[nr])}")
        style = dict(_OP_STYLE)
        if key in root_ids:
            style.update(_ROOT_STYLE)
            lines.append("(output)")
        owner = _innermost(node._seq, ranges) if ranges else None
        clusters.setdefault(owner, []).append((f"op_{key}", "\n".join(lines), style))

    for owner, items in clusters.items():
        if owner is None:
            for nid, label, style in items:
                dot.node(nid, label, **style)
            continue
        title = owner or labels[owner]  # the model itself is named after its class
        with dot.subgraph(name=f"cluster_{title}") as sub:
            sub.attr(label=f"{title} ({labels[owner]})", style="dashed,rounded", color="#7a7a7a", fontname="Helvetica")
            for nid, label, style in items:
                sub.node(nid, label, **style)

    # edges: producer -> consumer
    for target, nr, consumer, i in edges:
        if isinstance(target, Node):
            src = f"op_{id(target)}"
            extra = {}
            if show_grads:
                norms = _grad_norms(target)
                if nr in norms:
                    extra["color"] = _edge_colour(norms[nr], lo, hi) if logs else _UNKNOWN_EDGE
        else:
            src = f"leaf_{id(target)}"
            extra = {}
            if show_grads:
                extra = {"color": _edge_colour(leaf_norms.get(id(target)), lo, hi), "penwidth": "2"}
        if isinstance(target, Node) and target.n_outputs > 1:
            extra["taillabel"] = str(nr)
        dot.edge(src, f"op_{id(consumer)}", **extra)
    if show_saved:
        _draw_saved(dot, ops, leaves, show_shapes)
    return dot


GraphOp = namedtuple("GraphOp", "node name module outputs inputs")
GraphOp.__doc__ = """One op of a recorded graph: `node` (its backward node), `name` (the op's
name, e.g. "Linear"), `module` (qualified name of the innermost submodule whose last
call made it, '' for the model itself, None outside it or without a model),
`outputs` ([(shape, dtype) or None] per output) and `inputs` ([(source, output_nr)]
in argument order, where a source is a node or a leaf Tensor; inputs that need no
gradient are left out)."""

GraphStructure = namedtuple("GraphStructure", "ops leaves")
GraphStructure.__doc__ = """`ops`: [GraphOp] in the order the forward pass made them;
`leaves`: {id(tensor): tensor} of the leaf tensors the graph reads."""


def graph_structure(root, module=None, max_nodes=None):
    """The graph behind `root` (a Tensor or a list of Tensors) as plain records, for
    exporters that lay it out themselves (TensorBoard's `add_graph`). Walks the graph
    exactly as `draw_graph` does; `module` assigns ops to submodules as
    `draw_graph(cluster_modules=...)` does. Output shapes come from what the graph
    still holds and from `record_grads` (run a backward after it to know them all)."""
    roots = _as_roots(root)
    ops, leaves, edges = _walk(roots, max_nodes)
    meta = _output_meta(ops, edges, roots)
    ranges = _module_ranges(module) if module is not None else []
    inputs = {key: [] for key in ops}
    for target, nr, consumer, i in edges:
        inputs[id(consumer)].append((i, target, nr))
    records = []
    for key, node in sorted(ops.items(), key=lambda item: item[1]._seq):
        name = node.name()
        if name.endswith("Backward"):
            name = name[: -len("Backward")]
        outputs = [meta.get((key, nr)) for nr in range(max(int(node.n_outputs or 1), 1))]
        owner = _innermost(node._seq, ranges) if ranges else None
        args = [(target, nr) for _, target, nr in sorted(inputs[key], key=lambda e: e[0])]
        records.append(GraphOp(node, name, owner, outputs, args))
    return GraphStructure(records, leaves)


def _saved_tensors_of(node):
    """What `node` holds for its backward, as Tensors or arrays (nothing once freed)."""
    if node._released:
        return []
    items = [t for t in getattr(node, "_to_save", node._saved) if isinstance(t, (Tensor, np.ndarray))]
    if isinstance(getattr(node, "_to_save", None), tuple):  # custom Function: saved outputs by index
        items += [arr for arr, _, _ in getattr(node, "_outputs_saved", {}).values()]
    if node._out is not None:
        items.append(node._out[0])
    return items


def _draw_saved(dot, ops, leaves, show_shapes):
    drawn = set()
    for key, node in ops.items():
        for t in _saved_tensors_of(node):
            if id(t) in leaves:
                dot.edge(f"leaf_{id(t)}", f"op_{key}", **_SAVED_EDGE)
                continue
            nid = f"saved_{id(t._data if isinstance(t, Tensor) else t)}"  # one note per array
            if nid not in drawn:
                drawn.add(nid)
                constant = isinstance(t, Tensor) and not t.requires_grad
                lines = ["constant" if constant else "saved"]
                if show_shapes:
                    lines.append(f"{_fmt_shape(t.shape)} {t.dtype}")
                dot.node(nid, "\n".join(lines), **(_CONST_STYLE if constant else _SAVED_STYLE))
            dot.edge(nid, f"op_{key}", **_SAVED_EDGE)


def record_grads(root):
    """Register hooks on every op node behind `root` so the next backward stores the
    L2 norm, shape and dtype of the gradient of each op output; `draw_graph(...,
    show_grads=True)` then shows the norms (and the shapes, which backward would
    otherwise free). Call before backward. Returns the number of nodes hooked."""
    ops, _, _ = _walk(_as_roots(root))
    for node in ops.values():
        store = {}
        node.__dict__[_GRAD_ATTR] = store
        for nr in range(max(int(node.n_outputs or 1), 1)):
            def hook(g, _store=store, _nr=nr):
                _store[_nr] = (_norm(g), tuple(g.shape), g.dtype)
            node._add_pre_hook(nr, hook)
    return len(ops)


def _grad_norms(node):
    """{output_nr: ||grad||} recorded by `record_grads`, or {}."""
    return {nr: v[0] for nr, v in getattr(node, _GRAD_ATTR, {}).items()}


_INSTALL_MSG = (
    "Graphviz's `dot` program is needed to render the graph but was not found on PATH. "
    "Install Graphviz (`apt-get install graphviz`, `brew install graphviz`, or "
    "`conda install -c conda-forge graphviz`) and try again."
)


def _dot_available():
    return shutil.which("dot") is not None


class GraphDrawing(graphviz.Digraph):
    """A `graphviz.Digraph` that degrades gracefully without Graphviz's `dot`: in
    Jupyter it shows the DOT source and how to install `dot` instead of a traceback,
    and `render()` writes the DOT source and raises an error that says what to do."""

    def _repr_mimebundle_(self, include=None, exclude=None, **kw):
        if not _dot_available():
            return {"text/plain": f"{_INSTALL_MSG}\nDOT source:\n{self.source}"}
        return super()._repr_mimebundle_(include=include, exclude=exclude, **kw)

    def _repr_svg_(self):
        """The rendered SVG, for front-ends that ask for `_repr_svg_`."""
        if not _dot_available():
            return None
        return self.pipe(format="svg", encoding="utf-8")

    def render(self, filename=None, directory=None, **kwargs):
        try:
            if not _dot_available():
                raise graphviz.ExecutableNotFound(("dot",))
            return super().render(filename, directory=directory, **kwargs)
        except graphviz.ExecutableNotFound as e:
            dot_path = self._write_source(filename, directory)
            fmt = kwargs.get("format") or self.format or "svg"
            raise RuntimeError(
                f"{_INSTALL_MSG} The DOT source was written to {dot_path}; render it later "
                f"with `dot -T{fmt} {dot_path} -o out.{fmt}`."
            ) from e

    def _write_source(self, filename, directory):
        path = Path(directory or ".") / (str(filename) if filename else f"{self.name}.gv")
        dot_path = path.with_name(path.name + ".dot")
        dot_path.parent.mkdir(parents=True, exist_ok=True)
        dot_path.write_text(self.source, encoding="utf-8")
        return dot_path


def render(root, path, format="svg", **kw):
    """Draw the graph behind `root` (see draw_graph for **kw) and render it to
    `path + '.' + format`; returns the rendered file's path. Without Graphviz's
    `dot` program, writes the DOT source to `path + '.dot'` and raises RuntimeError."""
    return draw_graph(root, **kw).render(str(path), format=format, cleanup=True)


# ---- gradient-flow diagnostics -------------------------------------------------------------
class GradientFlow:
    """Track gradient L2 norms per parameter (or per layer) across training steps.

        flow = GradientFlow(model)             # per="module": one row per layer
        for batch in data:
            loss = ...; loss.backward(); flow.record(); opt.step(); opt.zero_grad()
        print(flow.report())

    A row is flagged NONFINITE if its last gradient has NaN/inf, VANISHING if its
    last norm is below `vanish`, EXPLODING if above `explode`, else ok. Rows without
    a gradient at a step are recorded as None (flag NOGRAD). With per="module" a
    layer's norm is that of all its own parameters' gradients together.
    """

    def __init__(self, model, vanish=1e-7, explode=1e3, per="parameter"):
        if per not in ("parameter", "module"):
            raise ValueError(f"GradientFlow: per must be 'parameter' or 'module', got {per!r}")
        self.vanish = float(vanish)
        self.explode = float(explode)
        self.per = per
        self._rows = []  # (name, description, [parameters])
        if per == "parameter":
            for n, p in model.named_parameters():
                if p.requires_grad:
                    self._rows.append((n, _fmt_shape(p.shape), [p]))
        else:
            for n, m in model.named_modules():
                own = [p for p in m._parameters.values() if p is not None and p.requires_grad]
                if own:
                    self._rows.append((n or type(m).__name__, type(m).__name__, own))
        self.history = {n: [] for n, _, _ in self._rows}
        self.steps = 0

    def record(self):
        """Store the current gradient norms (call after backward)."""
        for name, _, params in self._rows:
            norms = [_norm(p.grad) for p in params]
            known = [v for v in norms if v is not None]
            self.history[name].append(math.sqrt(sum(v * v for v in known)) if known else None)
        self.steps += 1

    def _flag(self, norm):
        if norm is None:
            return "NOGRAD"
        if not math.isfinite(norm):
            return "NONFINITE"
        if norm < self.vanish:
            return "VANISHING"
        if norm > self.explode:
            return "EXPLODING"
        return "ok"

    def flags(self):
        """{row name: flag} for the last recorded step."""
        if not self.steps:
            raise RuntimeError("GradientFlow.flags(): call record() after a backward pass first")
        return {n: self._flag(h[-1]) for n, h in self.history.items()}

    def report(self):
        """Plain-text table: parameter (or module), shape (or type), last/min/max
        norm, flag (last step)."""
        if not self.steps:
            return "GradientFlow: nothing recorded yet (call record() after backward)"
        flags = self.flags()
        rows = []
        for name, what, _ in self._rows:
            vals = [v for v in self.history[name] if v is not None]
            finite = [v for v in vals if math.isfinite(v)]
            rows.append((
                name, what, _fmt_norm(self.history[name][-1]),
                _fmt_norm(min(finite)) if finite else "n/a",
                _fmt_norm(max(finite)) if finite else "n/a", flags[name],
            ))
        header = (self.per, "shape" if self.per == "parameter" else "type", "last", "min", "max", "flag")
        widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        lines = [fmt.format(*header).rstrip(), "  ".join("-" * w for w in widths)]
        lines += [fmt.format(*r).rstrip() for r in rows]
        lines.append(f"({self.steps} step{'s' if self.steps != 1 else ''} recorded; "
                     f"vanish < {self.vanish:g}, explode > {self.explode:g})")
        return "\n".join(lines)

    def plot(self, ax=None):
        """Plot gradient norm per step for each parameter (log scale) with matplotlib;
        returns the Axes."""
        try:
            import matplotlib.pyplot as plt
        except ImportError as e:
            raise ImportError(
                "GradientFlow.plot() needs matplotlib; install it with `pip install "
                "matplotlib` (report() gives the same information as text)"
            ) from e
        if ax is None:
            _, ax = plt.subplots()
        for name, hist in self.history.items():
            ys = [np.nan if v is None or not math.isfinite(v) else max(v, 1e-30) for v in hist]
            ax.plot(range(1, len(ys) + 1), ys, label=name)
        ax.set_yscale("log")
        ax.axhline(self.vanish, color="#3060ff", linestyle="--", linewidth=0.8)
        ax.axhline(self.explode, color="#ff3030", linestyle="--", linewidth=0.8)
        ax.set_xlabel("step")
        ax.set_ylabel("gradient L2 norm")
        ax.legend(fontsize="small")
        return ax
