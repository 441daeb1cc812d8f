"""Write the API reference pages (docs/api/*.rst) from the package itself: every public
name of each public module, grouped by the file that defines it, as an autosummary
table and autodoc entries. A name added to the package appears without editing the
docs; tests/test_docstrings.py makes sure each has a docstring to show.

Run at configuration time by conf.py; a page is rewritten only when its text changes,
so incremental builds stay incremental."""
import importlib
import inspect
import types
from pathlib import Path

# (page, module, title, intro): one page per public module, in the order of the index.
PAGES = [
    ("torch", "autograd_lite", "autograd_lite",
     "Tensor creation, the ops, random numbers, dtypes, threads and device settings "
     "(the `torch.*` namespace). The `Tensor` class has :doc:`its own page <tensor>`."),
    ("tensor", None, "Tensor",
     "The tensor, its properties and methods. Most methods are the ops of "
     ":doc:`autograd_lite <torch>` with the tensor as first argument; names ending "
     "in an underscore (`add_`) change the tensor in place."),
    ("linalg", "autograd_lite.linalg", "autograd_lite.linalg",
     "Linear algebra of (batches of) matrices, as `torch.linalg`: norms, inverses, "
     "determinants, solves, least squares (`lstsq`), decompositions (Cholesky, QR, SVD, "
     "eigh, LU with `lu_factor`/`lu_solve`), `matrix_exp` and the `_ex` forms that report "
     "failures in `info`, differentiable (twice where the decomposition is). See the :doc:`tensor ops guide <../guides/tensor_ops>`."),
    ("special", "autograd_lite.special", "autograd_lite.special",
     "Special functions, as `torch.special`: the gamma family (`gammaln`, `digamma`, "
     "`polygamma`, `multigammaln`, `gammainc`, `gammaincc`), the modified Bessel functions "
     "`i0`, `i0e`, `i1`, `i1e`, error functions (`erfcx` too), the normal CDF and its inverse, "
     "`expit`/`logit`, `entr`, `xlogy`, `xlog1py`, `zeta` and the softmaxes; differentiable "
     "as PyTorch's are."),
    ("func", "autograd_lite.func", "autograd_lite.func",
     "Function transforms, as `torch.func`: `functional_call` (a module called with given "
     "parameters and buffers), `grad`, `grad_and_value`, `vjp`, `jvp`, `jacrev`, `jacfwd`, "
     "`hessian` and `vmap` (a loop over the batch), composable (per-sample gradients with "
     "`vmap(grad(...))`)."),
    ("compiler", "autograd_lite.compiler", "autograd_lite.compiler",
     "`compile` and `torch.compiler`'s common names. There is no compiler: `compile` checks "
     "PyTorch's arguments and returns the model or function itself, which runs eagerly "
     "(the same results, no speed-up)."),
    ("autograd", "autograd_lite.autograd", "autograd_lite.autograd",
     "Gradients of any order, grad modes, custom functions (`Function`) and gradient checks."),
    ("profiler", "autograd_lite.profiler", "autograd_lite.profiler",
     "Timing a program, as `torch.profiler`: `profile` (with `schedule`, `on_trace_ready`, "
     "`tensorboard_trace_handler`), `record_function` ranges, the per-op table of "
     "`key_averages().table()` and Chrome traces. Ops, backward nodes and optimizer steps "
     "are recorded while a profile is active; outside one nothing is checked on any path."),
    ("autograd_profiler", "autograd_lite.autograd.profiler", "autograd_lite.autograd.profiler",
     "The legacy profiler, as `torch.autograd.profiler`: `profile`, `record_function`; "
     "`emit_nvtx` is refused (no CUDA)."),
    ("autograd_graph", "autograd_lite.autograd.graph", "autograd_lite.autograd.graph",
     "The graph's namespace, as `torch.autograd.graph`: hooks on the tensors ops save for "
     "backward (`saved_tensors_hooks`, `save_on_cpu`, `disable_saved_tensors_hooks`), the `Node` "
     "type, gradient edges, `register_multi_grad_hook` and `increment_version`."),
    ("autograd_functional", "autograd_lite.autograd.functional", "autograd_lite.autograd.functional",
     "Jacobians, Hessians and vector products of whole functions (`jacobian`, `hessian`, `vjp`...)."),
    ("nn", "autograd_lite.nn", "autograd_lite.nn", "Modules, layers, losses and model builders."),
    ("functional", "autograd_lite.nn.functional", "autograd_lite.nn.functional",
     "The layers, activations and losses as functions (`import autograd_lite.nn.functional as F`)."),
    ("init", "autograd_lite.nn.init", "autograd_lite.nn.init", "Parameter initialisation, in place."),
    ("nn_utils", "autograd_lite.nn.utils", "autograd_lite.nn.utils",
     "Gradient clipping and parameter/vector conversion."),
    ("nn_utils_rnn", "autograd_lite.nn.utils.rnn", "autograd_lite.nn.utils.rnn",
     "Variable-length sequences for the recurrent layers."),
    ("nn_utils_prune", "autograd_lite.nn.utils.prune", "autograd_lite.nn.utils.prune",
     "Pruning, as `torch.nn.utils.prune`: a parameter becomes `<name>_orig` times the buffer "
     "`<name>_mask`, recomputed by a forward pre-hook (magnitude, random, structured, global "
     "and custom masks; `remove` makes it permanent)."),
    ("nn_utils_fusion", "autograd_lite.nn.utils.fusion", "autograd_lite.nn.utils.fusion",
     "Folding an eval-mode batch norm into the convolution or linear layer before it."),
    ("nn_utils_stateless", "autograd_lite.nn.utils.stateless", "autograd_lite.nn.utils.stateless",
     "`functional_call` (deprecated in PyTorch 2.0; calls :doc:`autograd_lite.func <func>`'s)."),
    ("nn_parallel", "autograd_lite.nn.parallel", "autograd_lite.nn.parallel",
     "Data-parallel training (see the :doc:`distributed guide <../guides/distributed>`)."),
    ("optim", "autograd_lite.optim", "autograd_lite.optim", "Optimizers."),
    ("lr_scheduler", "autograd_lite.optim.lr_scheduler", "autograd_lite.optim.lr_scheduler",
     "Learning-rate schedules."),
    ("swa_utils", "autograd_lite.optim.swa_utils", "autograd_lite.optim.swa_utils",
     "Weight averaging: `AveragedModel` (SWA, EMA), `SWALR` and `update_bn`."),
    ("distributions", "autograd_lite.distributions", "autograd_lite.distributions",
     "Probability distributions with differentiable `log_prob`, `rsample` and `entropy`, "
     "and `kl_divergence`, as `torch.distributions`."),
    ("data", "autograd_lite.utils.data", "autograd_lite.utils.data",
     "Datasets, samplers and the DataLoader."),
    ("checkpoint", "autograd_lite.utils.checkpoint", "autograd_lite.utils.checkpoint",
     "Activation checkpointing: recompute a call's activations in backward instead of keeping them."),
    ("testing", "autograd_lite.testing", "autograd_lite.testing",
     "`assert_close` with PyTorch's tolerances, for tests of models and ops."),
    ("serialization", "autograd_lite.serialization", "autograd_lite.serialization",
     "`ag.save` / `ag.load` and the allow-list of classes a safe load rebuilds."),
    ("viz", "autograd_lite.viz", "autograd_lite.viz",
     "Computation-graph drawings and gradient-flow diagnostics."),
    ("tensorboard", "autograd_lite.utils.tensorboard", "autograd_lite.utils.tensorboard",
     "Logging to TensorBoard (needs the `tensorboard` package)."),
    ("onnx", "autograd_lite.onnx", "autograd_lite.onnx",
     "Exporting models to ONNX (needs the `onnx` package; see the :doc:`ONNX guide <../guides/onnx>`)."),
    ("distributed", "autograd_lite.distributed", "autograd_lite.distributed",
     "Process groups and collectives on MPI (needs `mpi4py`)."),
    ("amp", "autograd_lite.amp", "autograd_lite.amp", "Gradient scaling and autocast."),
    ("devices", None, "Devices and backends",
     "CPU-only answers to PyTorch's device queries."),
    ("as_torch", "autograd_lite.as_torch", "autograd_lite.as_torch",
     "`torch` as an alias of autograd_lite, to run PyTorch programs unchanged "
     "(`python -m autograd_lite.as_torch script.py`; see :doc:`../coming_from_pytorch`)."),
    ("extend", "autograd_lite.extend", "autograd_lite.extend",
     "The authoring interface for ops written outside the core (see ARCHITECTURE)."),
]
DEVICE_MODULES = ["autograd_lite.cpu", "autograd_lite.cuda", "autograd_lite.mps",
                  "autograd_lite.accelerator", "autograd_lite.backends"]
# Module-level data shown on a page (autodata), as they are not callables.
DATA = {"autograd_lite.serialization": ["DEFAULT_MAX_BYTES"]}


def public_names(module):
    """(name, object) for the module's public callables: its `__all__`, else every name
    without a leading underscore; submodules are pages of their own."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = sorted(n for n in dir(module) if not n.startswith("_"))
    for name in names:
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType) or not callable(obj):
            continue
        yield name, obj


# Group titles for the files whose names don't say it.
TITLES = {"autograd_lite": "General", "_dtypes": "Dtypes", "_util": "Errors", "methods": "Methods",
          "softmaxes": "Softmax", "grad_mode": "Grad mode", "tensortypes": "Legacy tensor types",
          "size": "Size", "flags": "Backend flags", "formats": "Layouts and memory formats",
          "devices": "Devices", "random": "Random numbers", "threads": "Threads",
          "linalg": "Matrix products", "rnn": "Recurrent", "trig": "Trigonometric and hyperbolic",
          "special": "Special functions", "gamma_fns": "Gamma and related functions",
          "bessel": "Bessel functions",
          "piecewise": "Piecewise functions",
          "scan": "Cumulative ops", "sort": "Sorting and selection",
          "triangular": "Triangles and diagonals", "products": "Other products",
          "linalg_decomp": "Decompositions", "linalg_solve": "Inverses, determinants and solves",
          "linalg_norms": "Norms", "grids": "Grids", "random_ops": "Random sampling",
          "channelshuffle": "Channel shuffle", "pixelshuffle": "Pixel shuffle",
          "instancenorm": "Instance normalization", "multihead_attention": "Multi-head attention",
          "transformer": "Transformer"}


# The order of the groups on a page (by defining file); others follow alphabetically.
ORDER = ["creation", "arithmetic", "elementwise", "trig", "special", "gamma_fns", "piecewise",
         "compare", "reduce", "scan", "sort", "shape", "index", "triangular", "linalg", "products",
         "linalg_norms", "linalg_solve", "linalg_decomp", "grids", "softmaxes", "random",
         "random_ops", "_dtypes", "size", "devices", "threads", "grad_mode", "flags", "formats",
         "tensortypes", "autograd_lite", "_util",
         "module", "parameter", "container", "linear", "conv", "pooling", "normalization",
         "instancenorm", "dropout", "activation", "loss", "rnn", "attention",
         "multihead_attention", "transformer", "sparse", "padding", "upsampling", "vision", "flatten",
         "models", "autoencoder"]

# Exports that are C-level callables (bound for speed on the hot path), whose own
# docstring is their type's: (the file defining them, the text the reference shows
# instead). A C-level export not listed here fails the build, so none shows a foreign
# docstring.
BUILTIN_TEXT = {
    "dtype": ("_dtypes", "The type of every dtype here, NumPy's `numpy.dtype` (`torch.dtype` in "
                         "annotations and `isinstance` checks)."),
    "is_grad_enabled": ("grad_mode", "Whether operations are being recorded for gradients "
                        "now: False inside `no_grad()` or `set_grad_enabled(False)`, True "
                        "otherwise (as `torch.is_grad_enabled`)."),
    "next_seq": ("node", "The next number of the graph-node counter (every node records one "
                         "when created; a module notes the range its forward made, for "
                         "drawings clustered by module)."),
}


def _ordered(groups):
    rank = {home: i for i, home in enumerate(ORDER)}
    return sorted(groups.items(), key=lambda item: (rank.get(item[0], len(ORDER)), item[0]))


def _home(obj, name):
    """The file that defines `obj`, for grouping (`autograd_lite.ops.reduce` -> 'reduce')."""
    if _is_c_level(obj):
        return _builtin_text(name, obj)[0]
    module = getattr(obj, "__module__", None) or ""
    return module.rsplit(".", 1)[-1] if module.startswith("autograd_lite") else "other"


def _group_title(home):
    return TITLES.get(home, home.strip("_").replace("_", " ").capitalize())


def _rst_inline(text):
    """Markdown-style inline text as reStructuredText: `code` spans become literals and
    every other character that reST would read as markup is escaped."""
    out = []
    for i, part in enumerate(text.split("`")):
        if i % 2:
            out.append(f"\\ ``{part}``\\ " if part.strip() else "")  # "\\ ": literal anywhere
        else:
            out.append("".join("\\" + c if c in "\\*|_[]<>:" else c for c in part))
    return "".join(out)


def _is_c_level(obj):
    """Callables whose docstring isn't ours: C functions, and NumPy's classes exported
    under PyTorch's names (`dtype`), whose NumPy-style docstrings aren't Markdown."""
    return (inspect.isbuiltin(obj) or type(obj).__name__ == "method-wrapper"
            or (inspect.isclass(obj) and obj.__module__.split(".")[0] == "numpy"))


def _builtin_text(name, obj):
    if name not in BUILTIN_TEXT:
        raise ValueError(f"api_pages: {name} is a C-level callable whose docstring is its "
                         f"type's ({obj.__doc__!r}); add its text to BUILTIN_TEXT")
    return BUILTIN_TEXT[name]


def _summary(obj, name=None):
    """The first sentence of the docstring (of the class itself for a class)."""
    doc = obj.__dict__.get("__doc__") if inspect.isclass(obj) else getattr(obj, "__doc__", None)
    if _is_c_level(obj):
        doc = _builtin_text(name, obj)[1]
    doc = inspect.cleandoc(doc or "")
    paragraph = " ".join(doc.split("\n\n")[0].split())
    if paragraph.count("`") % 2:
        return _rst_inline(paragraph.replace("`", ""))
    for end in (". ", "; "):
        cut = paragraph.find(end)
        if cut != -1 and paragraph[:cut].count("`") % 2 == 0:
            paragraph = paragraph[:cut] + "."
            break
    return _rst_inline(paragraph)


def _entry(qualified, obj):
    if _is_c_level(obj):
        name = qualified.rpartition(".")[2]  # under the page's currentmodule
        kind = "class" if inspect.isclass(obj) else "function"
        return f".. py:{kind}:: {name}()\n\n   {_builtin_text(name, obj)[1]}\n"
    if inspect.isclass(obj):
        if issubclass(obj, BaseException):
            return f".. autoexception:: {qualified}\n"
        return (f".. autoclass:: {qualified}\n   :members:\n   :undoc-members:\n"
                f"   :show-inheritance:\n")
    return f".. autofunction:: {qualified}\n"


def _alias(name, obj, first):
    """An entry for an object documented under another name: its own anchor (so the
    name can be linked and searched), pointing at the documentation."""
    kind = "class" if inspect.isclass(obj) else "function"
    return f".. py:{kind}:: {name}\n   :no-contents-entry:\n\n   The same as :py:obj:`{first}`.\n"


def _heading(text, char):
    return f"{text}\n{char * len(text)}\n\n"


def _table(rows):
    out = [".. list-table::\n   :widths: 30 70\n\n"]
    for name, target, summary in rows:
        out.append(f"   * - :py:obj:`{name} <{target}>`\n     - {summary or ' '}\n")
    return "".join(out) + "\n"


def _module_page(title, intro, modules, documented):
    """A page for `modules`; `documented` maps id(object) to the name it was first
    documented under (an object exported by several modules is documented once)."""
    out = [_heading(title, "="), intro, "\n\n"]
    for module_name in modules:
        module = importlib.import_module(module_name)
        names = [(n, o) for n, o in public_names(module) if o is not _tensor_class()]
        if len(modules) > 1:
            out.append(_heading(module_name, "-"))
        out.append(f".. currentmodule:: {module_name}\n\n")
        groups = {}
        for name, obj in names:
            groups.setdefault(_home(obj, name), []).append((name, obj))
        char = "~" if len(modules) > 1 else "-"
        for home, members in _ordered(groups):
            if len(groups) > 1:
                out.append(_heading(_group_title(home), char))
            rows, entries = [], []
            for name, obj in members:
                qualified = f"{module_name}.{name}"
                first = documented.setdefault(id(obj), qualified)
                rows.append((name, first, _summary(obj, name)))
                entries.append(_entry(qualified, obj) if first == qualified else _alias(name, obj, first))
            out.append(_table(rows))
            out.extend(entry + "\n" for entry in entries)
        for name in DATA.get(module_name, ()):
            out.append(f".. autodata:: {module_name}.{name}\n\n")
    return "".join(out)


def _tensor_class():
    return importlib.import_module("autograd_lite").Tensor


def _tensor_page(title, intro):
    return (_heading(title, "=") + intro + "\n\n.. currentmodule:: autograd_lite\n\n"
            ".. autoclass:: autograd_lite.Tensor\n   :members:\n   :undoc-members:\n"
            "   :member-order: alphabetical\n")


def _index_page():
    lines = [_heading("API reference", "="),
             "Generated from the docstrings of the package (`help()` shows the same text).\n\n",
             ".. toctree::\n   :maxdepth: 1\n\n"]
    lines.extend(f"   {page}\n" for page, *_ in PAGES)
    return "".join(lines)


def _write(path, text):
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def write_pages(api_dir):
    """Write docs/api/index.rst and one page per entry of PAGES into `api_dir`."""
    api_dir = Path(api_dir)
    api_dir.mkdir(exist_ok=True)
    wanted = {"index.rst"}
    _write(api_dir / "index.rst", _index_page())
    documented = {}
    for page, module, title, intro in PAGES:
        if page == "tensor":
            text = _tensor_page(title, intro)
        elif page == "devices":
            text = _module_page(title, intro, DEVICE_MODULES, documented)
        else:
            text = _module_page(title, intro, [module], documented)
        _write(api_dir / f"{page}.rst", text)
        wanted.add(f"{page}.rst")
    for stale in api_dir.glob("*.rst"):
        if stale.name not in wanted:
            stale.unlink()
