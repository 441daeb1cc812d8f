"""Legacy typed constructors (ag.FloatTensor...), Tensor.type() and ag.Size, against
PyTorch 2.13."""
import pickle

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from tests.helpers import numpy_dtype

TYPE_NAMES = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
              "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]


def _same(a, t):
    assert isinstance(a, ag.Tensor)
    assert a.dtype == numpy_dtype(t.dtype) and tuple(a.shape) == tuple(t.shape)


@pytest.mark.parametrize("name", TYPE_NAMES)
@pytest.mark.parametrize("args", [(2, 3), (4,), (), ("size",), (0, 2)])
def test_uninitialised_forms_match_torch(name, args):
    a = getattr(ag, name)(*(ag.Size([2, 3]) if x == "size" else x for x in args))
    t = getattr(torch, name)(*(torch.Size([2, 3]) if x == "size" else x for x in args))
    _same(a, t)
    assert not a.requires_grad and a.is_leaf


@pytest.mark.parametrize("name", TYPE_NAMES)
@pytest.mark.parametrize("data", [[1, 2], [1.5, 2.7, 0.0], [[1, 0], [0, 3]], (2, 3), [True, False],
                                  "array"])
def test_data_forms_match_torch(name, data):
    if isinstance(data, str):
        data = np.array([0.5, 2.0, -1.0])
    a, t = getattr(ag, name)(data), getattr(torch, name)(data)
    _same(a, t)
    np.testing.assert_array_equal(a.numpy(), t.numpy())


def test_a_tensor_of_the_same_dtype_is_shared_another_dtype_is_an_error():
    x = ag.zeros(3)
    y = ag.FloatTensor(x)
    assert np.shares_memory(y.numpy(), x.numpy())
    assert torch.FloatTensor(torch.zeros(3)).shape == (3,)
    for lib in (ag, torch):
        with pytest.raises(TypeError):
            lib.FloatTensor(lib.zeros(3, dtype=lib.float64))
        with pytest.raises(TypeError):
            lib.FloatTensor(2.5)
        with pytest.raises(TypeError):
            lib.FloatTensor([1], [2])
        with pytest.raises(TypeError):
            lib.FloatTensor(2, 3, requires_grad=True)
        with pytest.raises(RuntimeError, match="negative"):
            lib.FloatTensor(2, -1)
        assert tuple(lib.FloatTensor(2, 3, device="cpu").shape) == (2, 3)
    with pytest.raises(RuntimeError, match="CPU only"):
        ag.FloatTensor(2, device="cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        ag.cuda.FloatTensor(2)
    with pytest.raises(TypeError):
        torch.cuda.FloatTensor(2)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "int16",
                                   "int8", "uint8", "bool"])
def test_isinstance_checks_the_dtype_as_torch(dtype):
    a, t = ag.zeros(2, dtype=getattr(ag, dtype)), torch.zeros(2, dtype=getattr(torch, dtype))
    for name in TYPE_NAMES:
        assert isinstance(a, getattr(ag, name)) == isinstance(t, getattr(torch, name)), name
        assert not isinstance(a, getattr(ag.cuda, name))
    assert a.type() == t.type()  # 'torch.FloatTensor', as programs compare it
    assert isinstance(nn.Parameter(ag.zeros(2)), ag.FloatTensor)
    assert not isinstance(np.zeros(2, np.float32), ag.FloatTensor)


def test_legacy_types_are_not_tensor_subclasses_as_in_torch():
    assert issubclass(ag.FloatTensor, ag.Tensor) is issubclass(torch.FloatTensor, torch.Tensor)
    assert type(ag.FloatTensor([1.0])) is ag.Tensor
    assert ag.FloatTensor.dtype == ag.float32 and ag.LongTensor.dtype == ag.int64
    assert ag.FloatTensor.__name__ == torch.FloatTensor.__name__ == "FloatTensor"
    assert repr(ag.FloatTensor) == "<class 'autograd_lite.FloatTensor'>"
    assert ag.FloatTensor.is_cuda is torch.FloatTensor.is_cuda is False


@pytest.mark.parametrize("target", ["LongTensor", "'torch.LongTensor'", "'torch.DoubleTensor'",
                                    "float64", "int32", "DoubleTensor", "'torch.FloatTensor'"])
def test_type_casts_match_torch(target):
    def resolve(lib):
        if target.startswith("'"):
            return target.strip("'")
        return getattr(lib, target)

    x = ag.tensor([1.5, -2.5], requires_grad=True)
    t = torch.tensor([1.5, -2.5], requires_grad=True)
    a, b = x.type(resolve(ag)), t.type(resolve(torch))
    assert (a is x) == (b is t)
    assert a.dtype == numpy_dtype(b.dtype)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    assert a.requires_grad == b.requires_grad


def test_type_keyword_forms_and_errors():
    x = ag.zeros(2)
    assert x.type(dtype=ag.int32).dtype == np.int32
    assert x.type(ag.int32, non_blocking=True).dtype == np.int32
    for lib in (ag, torch):
        with pytest.raises(ValueError, match="invalid type"):
            lib.zeros(2).type("float64")
        with pytest.raises(ValueError, match="invalid type"):
            lib.zeros(2).type("torch.float64")
    with pytest.raises(RuntimeError, match="CPU only"):
        x.type("torch.cuda.FloatTensor")
    with pytest.raises(RuntimeError, match="CPU only"):
        x.type(ag.cuda.FloatTensor)
    assert x.type("autograd_lite.DoubleTensor").dtype == np.float64


def test_type_of_a_grad_requiring_tensor_is_differentiable():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.type(ag.DoubleTensor)
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


# ---- Size ---------------------------------------------------------------------------------------
def test_shape_and_size_are_a_size():
    x, t = ag.zeros(2, 3), torch.zeros(2, 3)
    for a, b in ((x.shape, t.shape), (x.size(), t.size())):
        assert isinstance(a, ag.Size) and isinstance(a, tuple)
        assert a == b == (2, 3)
        assert repr(a) == repr(b).replace("torch", "autograd_lite") == "autograd_lite.Size([2, 3])"
        assert str(a) == repr(a)
    assert x.size(1) == 3 and type(x.size(1)) is int
    assert isinstance(nn.Parameter(ag.zeros(2)).shape, ag.Size)


@pytest.mark.parametrize("expr", ["S([2, 3])", "S((2, 3))", "S()", "S([2, 3]).numel()",
                                  "S([]).numel()", "S([2, 3])[0]", "S([2, 3])[1:]",
                                  "S([2, 3]) + (4,)", "(4,) + S([2, 3])", "S([2, 3]) + S([1])",
                                  "S([2, 3]) * 2", "2 * S([2, 3])", "S([2, 3]) == (2, 3)",
                                  "S([2, 3]) == [2, 3]", "S([-1])", "S([2, 3]).count(2)",
                                  "hash(S([2, 3])) == hash((2, 3))", "S([lib.tensor(2)])",
                                  "S([2, 3])[::-1]", "S(x for x in (1, 2))"])
def test_size_behaves_as_torch_size(expr):
    a = eval(expr, {"S": ag.Size, "lib": ag})
    t = eval(expr, {"S": torch.Size, "lib": torch})
    assert a == t
    assert isinstance(a, ag.Size) == isinstance(t, torch.Size)


def test_size_bad_items_and_pickling():
    for lib in (ag, torch):
        with pytest.raises(TypeError, match="int"):
            lib.Size([2.5])
        with pytest.raises(TypeError, match="int"):
            lib.Size(["a"])
    s = ag.Size([2, 3])
    assert pickle.loads(pickle.dumps(s)) == s and type(pickle.loads(pickle.dumps(s))) is ag.Size


def test_size_works_as_a_shape_argument():
    s = ag.zeros(2, 3).shape
    assert ag.zeros(s).shape == s
    assert ag.Tensor(s).shape == s
    assert ag.FloatTensor(s).shape == s
    assert ag.zeros(4, 6).reshape(s + (4,)).shape == (2, 3, 4)
    assert np.zeros(s).shape == (2, 3)
