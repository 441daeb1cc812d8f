"""autograd_lite.as_torch: `import torch` resolving to autograd_lite, in-process
(`aliased()`) and for a whole script (`python -m autograd_lite.as_torch`), with errors
that name the PyTorch API autograd_lite lacks."""
import os
import subprocess
import sys
import textwrap
import types

import pytest
import torch as real_torch
from packaging import version

import autograd_lite as ag
from autograd_lite.as_torch import MissingTorchAPI, aliased, is_installed

DOCS_HINT = "PyTorch API not supported"


def test_torch_and_its_submodules_are_autograd_lites():
    with aliased():
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        import torch.optim as optim
        from torch.optim.lr_scheduler import StepLR
        from torch.utils.data import DataLoader, TensorDataset
        import torch.autograd
        import torch.nn.utils.rnn
        import torch.cuda.amp
        import torch.backends.cudnn
        assert torch.Tensor is ag.Tensor
        assert torch.tensor is ag.tensor and torch.manual_seed is ag.manual_seed
        assert torch.float32 is ag.float32 and torch.long is ag.int64
        assert torch.no_grad is ag.no_grad and torch.device is ag.device
        assert nn.Linear is ag.nn.Linear and nn.Module is ag.nn.Module
        assert F.relu is ag.nn.functional.relu
        assert optim.Adam is ag.optim.Adam and StepLR is ag.optim.lr_scheduler.StepLR
        assert DataLoader is ag.utils.data.DataLoader and TensorDataset is ag.utils.data.TensorDataset
        assert torch.autograd.grad is ag.autograd.grad
        assert torch.nn.utils.rnn.pad_sequence is ag.nn.utils.rnn.pad_sequence
        assert torch.cuda.amp.GradScaler is ag.cuda.amp.GradScaler
        assert torch.backends.cudnn is sys.modules["torch.backends.cudnn"]
        assert torch.nn is nn and torch.nn.functional is F
        assert isinstance(torch, types.ModuleType) and torch.__name__ == "torch"
        x = torch.randn(4, 3, requires_grad=True)
        nn.Linear(3, 2)(x).sum().backward()
        assert isinstance(x.grad, ag.Tensor)


def test_torch_version_is_the_pytorch_release_whose_api_this_is():
    """Version-gated code (`parse(torch.__version__) >= parse("2.0")`) takes the branch it
    takes on the PyTorch release the tests pin; the package keeps its own version."""
    with aliased():
        import torch
        assert torch.__version__.startswith(real_torch.__version__.split("+")[0] + "+")
        assert version.parse(torch.__version__).release == version.parse(real_torch.__version__).release
        assert torch.version.__version__ == torch.__version__
        assert torch.version.cuda is None and torch.version.hip is None and torch.version.debug is False
        from torch.version import cuda
        assert cuda is None
    assert ag.__version__ in torch.__version__ and not ag.__version__.startswith("2.13")


def test_submodules_are_reachable_after_only_import_torch():
    # PyTorch's `import torch` imports torch.nn, torch.utils.data, ...: scripts rely on it
    with aliased():
        import torch
        assert torch.utils.data.DataLoader is ag.utils.data.DataLoader
        assert torch.nn.functional.softmax is ag.nn.functional.softmax
        assert torch.optim.lr_scheduler.CosineAnnealingLR is ag.optim.lr_scheduler.CosineAnnealingLR
        assert torch.nn.init.zeros_ is ag.nn.init.zeros_


def test_the_alias_ends_with_the_block_and_real_torch_comes_back():
    before = sys.modules["torch"]
    assert before is real_torch
    with aliased():
        assert is_installed()
        import torch
        assert torch is not real_torch and torch.Tensor is ag.Tensor
        with aliased():  # nested blocks share one alias
            import torch as inner
            assert inner is torch
        assert is_installed()
    assert not is_installed()
    assert sys.modules["torch"] is real_torch
    assert "torch.nn" not in sys.modules or sys.modules["torch.nn"] is real_torch.nn
    import torch
    assert torch is real_torch


def test_a_missing_name_raises_naming_the_pytorch_api():
    with aliased():
        import torch
        with pytest.raises(AttributeError, match=r"autograd_lite has no torch\.no_such_api \(" + DOCS_HINT):
            torch.no_such_api
        with pytest.raises(MissingTorchAPI, match=r"torch\.nn\.NoSuchLayer"):
            torch.nn.NoSuchLayer
        with pytest.raises(AttributeError, match=r"torch\.nn\.functional\.no_such_fn"):
            torch.nn.functional.no_such_fn(1)
        # hasattr/getattr with a default behave as on a PyTorch build without the name
        assert not hasattr(torch, "no_such_api")
        assert getattr(torch.nn, "NoSuchLayer", None) is None
        assert hasattr(torch.nn.functional, "relu")


def test_from_import_of_a_missing_name_raises_naming_it():
    with aliased():
        with pytest.raises(ImportError, match=r"autograd_lite has no torch\.nn\.NoSuchLayer \(" + DOCS_HINT):
            from torch.nn import NoSuchLayer  # noqa: F401
        with pytest.raises(ImportError, match=r"torch\.no_such_fn"):
            from torch import tensor, no_such_fn  # noqa: F401
        with pytest.raises(ImportError, match=r"torch\.optim\.NoSuchOptimizer"):
            from torch.optim import Adam, NoSuchOptimizer  # noqa: F401


def test_importing_a_missing_module_raises_naming_it():
    with aliased():
        with pytest.raises(ModuleNotFoundError, match=r"autograd_lite has no torch\.no_such_module \("):
            import torch.no_such_module  # noqa: F401
        with pytest.raises(ModuleNotFoundError, match=r"torch\.nn\.no_such_module"):
            from torch.nn.no_such_module import Thing  # noqa: F401


@pytest.mark.parametrize("name", ["torchvision", "torchvision.transforms", "torchaudio", "torchtext"])
def test_pytorchs_domain_libraries_are_out_of_scope(name):
    with aliased():
        with pytest.raises(ModuleNotFoundError, match=rf"{name.split('.')[0]}.*out of scope"):
            __import__(name)


def test_star_import_brings_the_public_names():
    namespace = {}
    with aliased():
        exec("from torch.nn import *", namespace)
    assert namespace["Linear"] is ag.nn.Linear and namespace["Conv2d"] is ag.nn.Conv2d
    assert "Module" in namespace and not any(n.startswith("_") for n in namespace if n != "__builtins__")


def test_flags_written_through_the_alias_reach_the_library():
    before = ag.backends.cudnn.benchmark
    try:
        with aliased():
            import torch
            torch.backends.cudnn.benchmark = not before
            assert ag.backends.cudnn.benchmark is (not before)
            assert torch.backends.cudnn.benchmark is (not before)
    finally:
        ag.backends.cudnn.benchmark = before


def test_names_are_kept_after_their_first_read():
    # later reads are plain module-dict lookups, no __getattr__ call
    with aliased():
        import torch
        torch.tanh, torch.nn  # noqa: B018
        assert vars(torch)["tanh"] is ag.tanh
        assert vars(torch)["nn"] is sys.modules["torch.nn"]


def _run(args, tmp_path, script):
    path = tmp_path / "script.py"
    path.write_text(textwrap.dedent(script))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    return subprocess.run([sys.executable, "-m", "autograd_lite.as_torch", str(path), *args],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)


def test_the_runner_runs_a_script_as_main_with_its_arguments(tmp_path):
    (tmp_path / "helper_module.py").write_text("import torch\nVALUE = torch.ones(2).sum().item()\n")
    result = _run(["--steps", "3"], tmp_path, """
        import argparse, sys
        import torch
        import torch.nn as nn
        from helper_module import VALUE    # the script's folder is on sys.path, as with `python script.py`
        parser = argparse.ArgumentParser()
        parser.add_argument("--steps", type=int)
        args = parser.parse_args()
        model = nn.Linear(2, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for _ in range(args.steps):
            opt.zero_grad()
            loss = model(torch.ones(4, 2)).pow(2).mean()
            loss.backward()
            opt.step()
        if __name__ == "__main__":
            print(type(torch.Tensor).__module__, torch.Tensor.__module__, VALUE, args.steps, sys.argv[0].endswith("script.py"))
        """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["builtins", "autograd_lite.tensor", "2.0", "3", "True"]


def test_the_runner_reports_a_missing_api_and_fails(tmp_path):
    result = _run([], tmp_path, """
        import torch
        model = torch.compile_that_does_not_exist(torch.nn.Linear(2, 2))
        """)
    assert result.returncode == 1
    assert "autograd_lite has no torch.compile_that_does_not_exist (PyTorch API not supported" in result.stderr


def test_the_runner_runs_a_module_and_explains_its_usage(tmp_path):
    (tmp_path / "trainer.py").write_text("import sys, torch\nprint(torch.zeros(3).shape, sys.argv[1:])\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path)] + [p for p in sys.path if p]))
    result = subprocess.run([sys.executable, "-m", "autograd_lite.as_torch", "-m", "trainer", "a"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "['a']" in result.stdout
    usage = subprocess.run([sys.executable, "-m", "autograd_lite.as_torch"], capture_output=True, text=True,
                           env=env, timeout=120)
    assert usage.returncode == 2 and "usage: python -m autograd_lite.as_torch SCRIPT" in usage.stdout
    missing = subprocess.run([sys.executable, "-m", "autograd_lite.as_torch", "nope.py"], capture_output=True,
                             text=True, env=env, cwd=tmp_path, timeout=120)
    assert missing.returncode == 2 and "nope.py" in missing.stderr
