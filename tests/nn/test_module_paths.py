"""PyTorch's module paths: autograd_lite.nn.modules mirrors torch.nn.modules, so
`from autograd_lite.nn.modules.linear import Linear`, isinstance checks against the
bases PyTorch programs use (_BatchNorm, _ConvNd, _Loss...) and add_safe_globals with
those paths work, each name being the object autograd_lite.nn has."""
import importlib
import inspect
import io
from collections import OrderedDict

import pytest
import torch
import torch.nn.modules.utils

import autograd_lite as ag
from autograd_lite import nn

SUBMODULES = ["module", "linear", "conv", "pooling", "activation", "normalization", "batchnorm",
              "instancenorm", "dropout", "rnn", "sparse", "loss", "container", "flatten", "padding",
              "pixelshuffle", "upsampling", "distance", "fold", "channelshuffle", "transformer", "utils"]


def _ours(sub):
    return importlib.import_module(f"autograd_lite.nn.modules.{sub}")


def _theirs(sub):
    return importlib.import_module(f"torch.nn.modules.{sub}")


@pytest.mark.parametrize("sub", SUBMODULES)
def test_every_torch_class_we_have_resolves_to_the_same_object(sub):
    ours, theirs = _ours(sub), _theirs(sub)
    names = [n for n in theirs.__all__ if inspect.isclass(getattr(theirs, n))]
    for name in names:
        if hasattr(nn, name):
            assert getattr(ours, name) is getattr(nn, name), f"nn.modules.{sub}.{name}"
            assert name in ours.__all__, f"{name} missing from nn.modules.{sub}.__all__"
        else:
            assert not hasattr(ours, name), f"nn.modules.{sub}.{name} exists but nn.{name} does not"


@pytest.mark.parametrize("sub", SUBMODULES)
def test_nothing_torch_does_not_have_there(sub):
    ours, theirs = _ours(sub), _theirs(sub)
    assert set(ours.__all__) <= set(theirs.__all__), set(ours.__all__) - set(theirs.__all__)
    public_classes = {n for n, v in vars(ours).items() if inspect.isclass(v) and not n.startswith("_")}
    assert public_classes == {n for n in ours.__all__ if inspect.isclass(getattr(ours, n))}
    for name, value in vars(ours).items():  # PyTorch's private bases, where we have them
        if inspect.isclass(value) and name.startswith("_"):
            assert inspect.isclass(getattr(theirs, name, None)), f"torch.nn.modules.{sub} has no {name}"
    for name in ours.__all__:
        value = getattr(ours, name)
        if inspect.isclass(value):
            assert getattr(nn, name) is value


def test_package_reexports_and_import_forms():
    from autograd_lite.nn.modules import BatchNorm2d, Linear
    from autograd_lite.nn.modules.conv import Conv2d, _ConvNd
    from autograd_lite.nn.modules.linear import Linear as LinearToo

    assert Linear is LinearToo is nn.Linear and BatchNorm2d is nn.BatchNorm2d
    assert nn.modules.linear.Linear is nn.Linear  # attribute access after `from autograd_lite import nn`
    assert issubclass(Conv2d, _ConvNd) and issubclass(nn.ConvTranspose2d, _ConvNd)
    ours_all = set(nn.modules.__all__) if hasattr(nn.modules, "__all__") else set()
    for name in torch.nn.modules.__all__:
        if hasattr(nn, name):
            assert getattr(nn.modules, name) is getattr(nn, name), name
    assert ours_all <= set(torch.nn.modules.__all__)


def test_isinstance_checks_programs_use():
    batchnorm, instancenorm = nn.modules.batchnorm, nn.modules.instancenorm
    for m in (nn.BatchNorm1d(3), nn.BatchNorm2d(3), nn.BatchNorm3d(3)):
        assert isinstance(m, batchnorm._BatchNorm) and isinstance(m, batchnorm._NormBase)
    m = nn.InstanceNorm2d(3)
    assert not isinstance(m, batchnorm._BatchNorm) and isinstance(m, batchnorm._NormBase)
    assert isinstance(m, instancenorm._InstanceNorm)
    for ours, theirs in ((nn.InstanceNorm2d(3), torch.nn.InstanceNorm2d(3)),
                         (nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3))):  # the same answers as PyTorch
        assert isinstance(ours, batchnorm._BatchNorm) == isinstance(theirs, torch.nn.modules.batchnorm._BatchNorm)
    assert isinstance(nn.CrossEntropyLoss(), nn.modules.loss._WeightedLoss)
    assert isinstance(nn.MSELoss(), nn.modules.loss._Loss)
    assert isinstance(nn.Dropout2d(), nn.modules.dropout._DropoutNd)
    assert isinstance(nn.Linear(2, 3), nn.modules.module.Module)


def test_add_safe_globals_with_module_paths():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.GroupNorm(1, 2), nn.Hardswish(), nn.Flatten(),
                          nn.Linear(2, 3))
    buf = io.BytesIO()
    ag.save(model, buf)
    buf.seek(0)
    with pytest.raises(Exception, match="weights only"):
        ag.load(buf, weights_only=True)
    modules = nn.modules
    allowed = [modules.container.Sequential, modules.conv.Conv2d, modules.normalization.GroupNorm,
               modules.activation.Hardswish, modules.flatten.Flatten, modules.linear.Linear]
    with ag.serialization.safe_globals(allowed):
        buf.seek(0)
        loaded = ag.load(buf, weights_only=True)
    assert repr(loaded) == repr(model)
    x = ag.randn(2, 1, 3, 3)
    assert ag.allclose(loaded(x), model(x))


def test_attention_and_transformer_paths_are_nn_objects():
    """PyTorch keeps MultiheadAttention in modules.activation and the Transformers in modules.transformer."""
    from autograd_lite.nn.modules.activation import MultiheadAttention
    from autograd_lite.nn.modules.transformer import TransformerEncoderLayer

    assert MultiheadAttention is nn.MultiheadAttention
    assert TransformerEncoderLayer is nn.TransformerEncoderLayer
    with pytest.raises(AttributeError):
        nn.modules.transformer.NotATorchName  # noqa: B018


def test_consume_prefix_in_state_dict_if_present_as_torch():
    from autograd_lite.nn.modules.utils import consume_prefix_in_state_dict_if_present

    def make():
        sd = OrderedDict([("module.a", 1), ("b", 2), ("module.c.d", 3)])
        sd._metadata = OrderedDict([("", {"v": 0}), ("module", {"v": 1}), ("module.c", {"v": 2})])
        return sd

    ours, theirs = make(), make()
    consume_prefix_in_state_dict_if_present(ours, "module.")
    torch.nn.modules.utils.consume_prefix_in_state_dict_if_present(theirs, "module.")
    assert list(ours.items()) == list(theirs.items()) and ours._metadata == theirs._metadata
    model = nn.Linear(2, 3)
    wrapped = OrderedDict(("module." + k, v) for k, v in model.state_dict().items())
    consume_prefix_in_state_dict_if_present(wrapped, "module.")
    nn.Linear(2, 3).load_state_dict(wrapped)
