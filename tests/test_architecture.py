"""The architecture's rules, checked on the source (ARCHITECTURE.md explains them):

- layers import one way: kernels <- core <- ops <- package API <- nn <- optim <- tools,
  and the module import graph has no cycle;
- no import statement inside a function, except optional dependencies and the two
  lazy loaders;
- nn and optim use only public names of the core (the authoring interface
  `autograd_lite.extend` and the public API), never an underscore name of it;
- no file over 600 lines, and no merge-conflict markers in any file;
- every place that builds a Tensor without __init__ sets every slot.
"""
import ast
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.ops.arithmetic import Mul
from autograd_lite.tensor import Tensor

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIRS = {"autograd_lite": ROOT / "autograd_lite", "autograd_lite.nn": ROOT / "nn",
                "autograd_lite.optim": ROOT / "optim"}

# Lowest first. A module may import its own layer and the ones below it.
LAYERS = [
    ("kernels", ["autograd_lite.kernels", "autograd_lite._dtypes", "autograd_lite.threads",
                 "autograd_lite.hooks", "autograd_lite.size", "autograd_lite.formats"]),
    ("core", ["autograd_lite.tensor", "autograd_lite.tensor_info", "autograd_lite.tensor_pickle", "autograd_lite.tensor_python", "autograd_lite.random",
              "autograd_lite.devices", "autograd_lite.autograd", "autograd_lite.printing"]),
    ("ops", ["autograd_lite.ops"]),
    ("api", ["autograd_lite", "autograd_lite.profiler",
             "autograd_lite.autograd.profiler"]),  # the package and everything not listed elsewhere
    ("nn", ["autograd_lite.nn"]),
    ("optim", ["autograd_lite.optim"]),
    ("tools", ["autograd_lite.demo", "autograd_lite.examples", "autograd_lite.onnx",
               "autograd_lite.utils.tensorboard", "autograd_lite.distributed.run",
               "autograd_lite.as_torch"]),
]

# Imports that may sit inside a function: optional dependencies (installed with an
# extra, or only needed by one feature) and importlib (the lazy loaders of
# autograd_lite.__getattr__ and kernels.lazy, which keep `import autograd_lite` from
# importing Numba, nn and optim).
OPTIONAL = {"importlib", "matplotlib", "sklearn", "tqdm", "mpi4py", "onnx", "onnxruntime",
            "tensorboard", "PIL", "graphviz", "threadpoolctl", "IPython", "scipy", "ml_dtypes",
            "autograd_lite.utils.tensorboard", "autograd_lite.onnx"}  # ours, needing an extra

MAX_LINES = 600


def _module_files():
    for prefix, folder in PACKAGE_DIRS.items():
        for path in sorted(folder.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            rel = path.relative_to(folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            name = ".".join([prefix] + parts)
            if prefix == "autograd_lite" and parts and parts[0] in ("nn", "optim"):
                continue  # not there: nn/ and optim/ sit at the top of the repository
            yield name, path, path.name == "__init__.py"


MODULES = {name: (path, is_pkg) for name, path, is_pkg in _module_files()}


def _layer(module):
    best, best_len = None, -1
    for rank, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best_len:
                best, best_len = rank, len(p)
    return best


def _resolve(module, is_pkg, node):
    """The absolute module names an import statement in `module` refers to."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if node.level:
        base = module.split(".") if is_pkg else module.split(".")[:-1]
        base = base[:len(base) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module
    out = []
    for a in node.names:
        sub = f"{target}.{a.name}"
        out.append(sub if sub in MODULES else target)
    return out


def _imports(module):
    """(line, target module, inside a function, imported names) for each import."""
    path, is_pkg = MODULES[module]
    tree = ast.parse(path.read_text(), str(path))
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in child.names]
                for target in _resolve(module, is_pkg, child):
                    found.append((child.lineno, target, in_function, names))
            visit(child, nested)
    visit(tree, False)
    return found


def test_layers_import_one_way():
    violations = []
    for module in MODULES:
        mine = _layer(module)
        for line, target, _, _ in _imports(module):
            if not target.startswith("autograd_lite"):
                continue
            theirs = _layer(target)
            if theirs is not None and theirs > mine:
                violations.append(f"{module}:{line} ({LAYERS[mine][0]}) imports {target} "
                                  f"({LAYERS[theirs][0]})")
    assert violations == []


def test_the_import_graph_has_no_cycle():
    graph = {m: sorted({t for _, t, inside, _ in _imports(m) if not inside and t in MODULES and t != m})
             for m in MODULES}
    # a package's __init__ importing its own submodules is how packages are built;
    # a submodule importing its package's __init__ back is the cycle we look for
    state, stack, cycles = {}, [], []

    def dfs(m):
        state[m] = 1
        stack.append(m)
        for t in graph[m]:
            if m.startswith(t + ".") or t.startswith(m + "."):
                continue  # package <-> its own submodule
            if state.get(t) == 1:
                cycles.append(stack[stack.index(t):] + [t])
            elif t not in state:
                dfs(t)
        stack.pop()
        state[m] = 2
    sys.setrecursionlimit(10_000)
    for m in graph:
        if m not in state:
            dfs(m)
    assert cycles == []


def test_no_import_inside_a_function_but_optional_dependencies():
    violations = []
    for module in MODULES:
        for line, target, inside, _ in _imports(module):
            if inside and target.split(".")[0] not in OPTIONAL and target not in OPTIONAL:
                violations.append(f"{module}:{line} imports {target} inside a function")
    assert violations == []


def _core(module):
    return not (module.startswith("autograd_lite.nn") or module.startswith("autograd_lite.optim"))


def test_nn_and_optim_use_only_public_names_of_the_core():
    violations = []
    for module in MODULES:
        if _core(module):
            continue
        mine = "nn" if module.startswith("autograd_lite.nn") else "optim"
        for line, target, _, names in _imports(module):
            if not target.startswith("autograd_lite") or not _core(target):
                if target.startswith("autograd_lite") and mine not in target.split(".")[1:2]:
                    pass  # nn <-> optim public imports are checked below
                else:
                    continue
            private = [p for p in target.split(".") if p.startswith("_")]
            private += [n for n in names if n.startswith("_") and f"{target}.{n}" not in MODULES
                        or f"{target}.{n}" in MODULES and n.startswith("_")]
            if private:
                violations.append(f"{module}:{line} imports {', '.join(private)} from {target}")
        source = MODULES[module][0].read_text()
        for m in re.finditer(r"\bag\._[a-z]\w*", source):
            violations.append(f"{module}: uses {m.group(0)}")
    assert violations == []


def test_no_file_over_600_lines():
    long = []
    for folder in ("autograd_lite", "nn", "optim", "tests", "benchmarks", "examples"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            n = len(path.read_text().splitlines())
            if n > MAX_LINES:
                long.append(f"{path.relative_to(ROOT)}: {n} lines")
    assert long == []


def test_no_test_is_shadowed_by_another_of_the_same_name():
    """Two top-level functions of one name: pytest collects only the last (one attention
    test hid another that failed)."""
    shadowed = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        seen = set()
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if node.name in seen:
                    shadowed.append(f"{path.relative_to(ROOT)}: {node.name}")
                seen.add(node.name)
    assert shadowed == []


def test_no_merge_conflict_markers_are_committed():
    """A merge once left <<<<<<< / >>>>>>> lines in the README; nothing reads them as errors."""
    marker = re.compile(r"^(<{7} |>{7} |={7}$)", re.M)
    found = []
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if (path.suffix not in (".py", ".md", ".toml", ".cfg", ".ipynb", ".txt", ".yml") or not path.is_file()
                or parts[0].startswith(".") or "_build" in parts or "site-packages" in parts):
            continue
        if marker.search(path.read_text(errors="replace")):
            found.append(str(path.relative_to(ROOT)))
    assert found == []


# ---- every construction path sets every slot -----------------------------------------------
CONSTRUCTION_SITES = {"autograd_lite/tensor.py": 1, "autograd_lite/autograd/node.py": 5}


def test_tensors_are_built_in_the_known_places_only():
    """`_new(Tensor)` skips __init__ for speed; each such site sets the slots by hand,
    so a new one must be added here and to the test below."""
    counts = {}
    for path in sorted((ROOT / "autograd_lite").rglob("*.py")):
        n = len(re.findall(r"\b_new\(Tensor\)|object\.__new__\(Tensor\)", path.read_text()))
        if n:
            counts[str(path.relative_to(ROOT))] = n
    assert counts == CONSTRUCTION_SITES


def _every_slot_set(t):
    for cls in type(t).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if slot == "__weakref__":
                continue
            assert hasattr(t, slot), f"slot {slot} unset on a tensor from {t.grad_fn}"


@pytest.mark.parametrize("build", [
    lambda: ag.tensor([1.0, 2.0]),                                   # Tensor._make
    lambda: Tensor(2, 3),                                            # __init__ / _init_leaf
    lambda: ag.nn.Parameter(ag.ones(2)),                             # a subclass's _init_leaf
    lambda: ag.tanh(ag.ones(3, requires_grad=True)),                 # apply1, recorded
    lambda: ag.tanh(ag.ones(3)),                                     # apply1, unrecorded (_wrap)
    lambda: Mul.apply2(ag.ones(3, requires_grad=True), ag.ones(3)),  # apply2, recorded
    lambda: ag.ones(3, requires_grad=True) * ag.ones(3),             # Op.operator, recorded
    lambda: ag.ones(3) * ag.ones(3),                                 # Op.operator, unrecorded
    lambda: ag.ones(3) * 2.0,                                        # apply2, unrecorded
    lambda: ag.ones(2, 3, requires_grad=True).sum(1, keepdim=True),  # apply with params (_plain_output)
    lambda: ag.ones(2, 3, requires_grad=True)[0],                    # a view (mark_view, _wrap)
    lambda: ag.ones(2, 3, requires_grad=True).max(1)[1],             # multi-output, non-differentiable
    lambda: ag.ones(2, 3, requires_grad=True).detach(),
])
def test_every_construction_path_sets_every_slot(build):
    t = build()
    _every_slot_set(t)
    t.data  # noqa: B018 - the public view of the array works on every path
    assert isinstance(t.numpy(force=True), np.ndarray)
