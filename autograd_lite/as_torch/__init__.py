"""Run PyTorch programs unchanged on autograd_lite: while the alias is installed,
`import torch`, `torch.nn`, `torch.nn.functional`, `torch.optim`, `torch.utils.data`...
resolve to autograd_lite's modules, and a PyTorch name autograd_lite lacks raises an
error naming it.

    python -m autograd_lite.as_torch train.py --epochs 3     # a script, as `python train.py`

    with autograd_lite.as_torch.aliased():                      # in-process (tests)
        import torch                                            # autograd_lite
"""
import contextlib
import importlib
import importlib.abc
import importlib.machinery
import sys

from .modules import OUT_OF_SCOPE, DOCS, MissingTorchAPI, TorchModule, missing_message, module_exists, real_name

__all__ = ["aliased", "install", "uninstall", "is_installed", "MissingTorchAPI", "TorchAliasFinder"]


def _is_torch_name(fullname):
    return fullname == "torch" or fullname.startswith("torch.")


class TorchAliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """The `sys.meta_path` entry of the alias: `torch.<path>` imports as a TorchModule
    over `autograd_lite.<path>`; a path autograd_lite lacks fails with
    ModuleNotFoundError naming it; torchvision and its siblings fail as out of scope."""

    def find_spec(self, fullname, path=None, target=None):
        """The spec of `torch.<path>` (None for other names, left to the other finders)."""
        top = fullname.partition(".")[0]
        if top in OUT_OF_SCOPE:
            raise ModuleNotFoundError(f"{OUT_OF_SCOPE[top]} under autograd_lite's torch alias: "
                                      f"`import {fullname}` is not supported (see {DOCS})", name=fullname)
        if not _is_torch_name(fullname):
            return None
        real = real_name(fullname)
        if not module_exists(real):
            raise ModuleNotFoundError(missing_message(fullname), name=fullname)
        is_package = hasattr(importlib.import_module(real), "__path__")
        return importlib.machinery.ModuleSpec(fullname, self, is_package=is_package)

    def create_module(self, spec):
        module = TorchModule(spec.name, importlib.import_module(real_name(spec.name)))
        if spec.name == "torch":  # the PyTorch version whose API this is, not the package's
            module.__dict__["__version__"] = importlib.import_module("autograd_lite.version").__version__
        return module

    def exec_module(self, module):
        """Nothing to run: the real module is already imported."""
        pass  # the real module is already imported; the alias holds nothing of its own


_state = {"finder": None, "saved": {}}


def is_installed():
    """Whether `torch` means autograd_lite in this process now."""
    return _state["finder"] is not None


def install():
    """Make `torch` mean autograd_lite in this process. Modules of a real PyTorch already
    imported are set aside (and put back by `uninstall`)."""
    if is_installed():
        return
    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if _is_torch_name(name)}
    finder = TorchAliasFinder()
    sys.meta_path.insert(0, finder)
    _state.update(finder=finder, saved=saved)


def uninstall():
    """Undo `install`: the alias modules leave `sys.modules` and a real PyTorch imported
    before comes back."""
    finder = _state["finder"]
    if finder is None:
        return
    if finder in sys.meta_path:
        sys.meta_path.remove(finder)
    for name in [n for n in sys.modules if _is_torch_name(n)]:
        del sys.modules[name]
    sys.modules.update(_state["saved"])
    _state.update(finder=None, saved={})


@contextlib.contextmanager
def aliased():
    """`import torch` inside the block imports autograd_lite (nested blocks share one alias)."""
    if is_installed():
        yield
        return
    install()
    try:
        yield
    finally:
        uninstall()
