"""Devices, backends and the CPU-only checks, against PyTorch 2.13 on this CPU-only
machine: device objects, Tensor/Module placement, the cuda/mps/accelerator/cpu modules,
backends flags and the global numeric settings."""
import copy
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.backends.cudnn as cudnn
from autograd_lite import nn

GPU_DEVICES = ["cuda", "cuda:0", "mps", "xpu", "meta"]


# ---- device objects ---------------------------------------------------------------------------
@pytest.mark.parametrize("args, kwargs", [(("cpu",), {}), (("cpu", 0), {}), ((), {"type": "cpu"}),
                                          (("cpu:0",), {}), (("cuda",), {}), (("cuda:1",), {}),
                                          (("cuda", 3), {}), (("mps",), {}), (("meta",), {}),
                                          ((), {"type": "cuda", "index": 1}), (("cpu", None), {}),
                                          (("xpu",), {})])
def test_device_objects_match_torch(args, kwargs):
    d, t = ag.device(*args, **kwargs), torch.device(*args, **kwargs)
    assert d.type == t.type and d.index == t.index
    assert str(d) == str(t)
    assert repr(d) == repr(t)
    assert hash(d) == hash(ag.device(str(d)))
    assert d == ag.device(d)


@pytest.mark.parametrize("bad", ["foo", "cuda:x", "cpu:-1", "cpu:0:1", "cuda:-1", "CPU", " cpu",
                                 "cuda:01"])
def test_device_bad_strings_raise_as_torch(bad):
    with pytest.raises(RuntimeError) as ours:
        ag.device(bad)
    with pytest.raises(RuntimeError):
        torch.device(bad)
    assert repr(bad) in str(ours.value) or bad in str(ours.value)


def test_device_bad_arguments():
    for args, error in [(("cpu", -1), RuntimeError), (("cpu", "0"), TypeError),
                        (("cpu:0", 1), RuntimeError), (("cpu", True), TypeError),
                        ((1.5,), TypeError), ((0,), RuntimeError)]:
        with pytest.raises(error):
            torch.device(*args)
        with pytest.raises(error):
            ag.device(*args)


def test_device_equality_and_hashing_as_torch():
    cpu, cpu0 = ag.device("cpu"), ag.device("cpu", 0)
    assert cpu == ag.device("cpu") and cpu != cpu0
    # PyTorch never equates a device with a string
    assert (cpu == "cpu") is (torch.device("cpu") == "cpu") is False
    assert (cpu != "cuda") is (torch.device("cpu") != "cuda") is True
    assert (cpu == 5) is False
    assert {cpu: 1}[ag.device("cpu")] == 1
    assert len({cpu, ag.device("cpu"), cpu0}) == 2
    with pytest.raises(TypeError):
        cpu < cpu  # noqa: B015
    with pytest.raises(AttributeError):
        cpu.type = "cuda"


def test_device_pickles_and_copies():
    for d in (ag.device("cpu"), ag.device("cuda", 1)):
        assert pickle.loads(pickle.dumps(d)) == d
        assert copy.deepcopy(d) == d


def test_device_as_context_manager():
    with ag.device("cpu") as d:
        assert d == ag.device("cpu") and ag.get_default_device() == ag.device("cpu")
        assert ag.zeros(2).device == ag.device("cpu")
    with pytest.raises(RuntimeError, match="CPU only"):
        with ag.device("cuda"):
            pass


def test_default_device():
    assert ag.get_default_device() == ag.device("cpu")
    assert repr(ag.get_default_device()) == repr(torch.get_default_device())
    ag.set_default_device("cpu")
    ag.set_default_device(None)
    ag.set_default_device(ag.device("cpu"))
    with pytest.raises(RuntimeError, match="CPU only"):
        ag.set_default_device("cuda")
    assert ag.get_default_device() == ag.device("cpu")


# ---- tensors on the CPU ----------------------------------------------------------------------
def test_tensor_device_attributes_match_torch():
    x, t = ag.zeros(2), torch.zeros(2)
    assert isinstance(x.device, ag.device)
    assert x.device == ag.device("cpu") and repr(x.device) == repr(t.device)
    assert str(x.device) == str(t.device) == "cpu"
    assert x.device.type == t.device.type and x.device.index == t.device.index
    for name in ("is_cuda", "is_cpu", "is_meta", "is_mps", "is_xpu", "is_sparse", "is_quantized"):
        assert getattr(x, name) == getattr(t, name), name
    assert x.get_device() == t.get_device() == -1
    assert x.is_pinned() is t.is_pinned() is False
    assert repr(x.layout) == "autograd_lite.strided" and x.layout is ag.strided
    assert nn.Parameter(ag.zeros(2)).device == ag.device("cpu")
    assert ag.zeros(2, device=ag.device("cpu", 3)).device == ag.device("cpu")  # as torch


@pytest.mark.parametrize("call", [
    lambda x: x.to("cpu"), lambda x: x.to(ag.device("cpu")), lambda x: x.to(device="cpu"),
    lambda x: x.to("cpu:0"), lambda x: x.to(None), lambda x: x.to(),
    lambda x: x.to(device=None, dtype=None), lambda x: x.cpu(), lambda x: x.to(ag.float32),
    lambda x: x.to(ag.zeros(1)), lambda x: x.to(memory_format=ag.contiguous_format),
    lambda x: x.to("cpu", non_blocking=True), lambda x: x.type(ag.FloatTensor),
    lambda x: x.type("torch.FloatTensor"), lambda x: x.type(ag.float32)])
def test_to_without_a_change_returns_the_tensor_itself(call):
    x = ag.zeros(2)
    assert call(x) is x


@pytest.mark.parametrize("args, kwargs", [
    (("cpu", "float64"), {}), (("float64",), {}), ((), dict(dtype="float64", device="cpu",
                                                            non_blocking=True, copy=False)),
    (("int32_tensor",), {}), (("int32_tensor",), dict(non_blocking=True, copy=True)),
    (("f32_tensor",), dict(copy=True)), (("cpu", "float64", True), {}),
    (("cpu", "float64", False, True), {}), (("float64", True, True), {}),
    (("cpu",), dict(dtype="float64")), (("cpu_device", "int32"), {}), (("cpu",), dict(copy=True)),
    (("float32",), dict(copy=True)), ((float,), {}), ((int,), {}), ((), dict(dtype=float))])
def test_to_overloads_match_torch(args, kwargs):
    def resolve(lib, value):
        table = {"float64": lib.float64, "int32": lib.int32, "float32": lib.float32,
                 "int32_tensor": lib.zeros(1, dtype=lib.int32), "f32_tensor": lib.zeros(1),
                 "cpu_device": lib.device("cpu")}
        return table.get(value, value) if isinstance(value, str) and value != "cpu" else value

    x = ag.tensor([1.5, -2.0], requires_grad=True)
    t = torch.tensor([1.5, -2.0], requires_grad=True)
    ours = x.to(*[resolve(ag, a) for a in args], **{k: resolve(ag, v) for k, v in kwargs.items()})
    theirs = t.to(*[resolve(torch, a) for a in args],
                  **{k: resolve(torch, v) for k, v in kwargs.items()})
    assert (ours is x) == (theirs is t)
    assert ours.dtype == theirs.detach().numpy().dtype
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    assert ours.requires_grad == theirs.requires_grad
    assert (ours.grad_fn is None) == (theirs.grad_fn is None)
    if ours is not x:
        assert not np.shares_memory(ours.detach().numpy(), x.detach().numpy())


def test_to_copy_is_differentiable():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.to("cpu", copy=True)
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


def test_to_bad_arguments():
    x = ag.zeros(2)
    with pytest.raises(TypeError):
        x.to(ag.float64, "cpu")  # torch: TypeError (no such overload)
    with pytest.raises(TypeError):
        torch.zeros(2).to(torch.float64, "cpu")
    with pytest.raises(TypeError, match="foo"):
        x.to(device="cpu", foo=1)
    with pytest.raises(RuntimeError):
        x.to("float64")  # a string is a device, as in torch ("Invalid device string")
    with pytest.raises(RuntimeError):
        torch.zeros(2).to("float64")
    with pytest.raises(TypeError):
        x.to("cpu", ag.float64, memory_format="channels_last")


@pytest.mark.parametrize("device", GPU_DEVICES + [ag.device("cuda"), ag.device("cuda", 1)])
def test_gpu_placement_is_a_clear_error(device):
    x = ag.zeros(2)
    with pytest.raises(ag.DeviceUnavailableError, match="CPU only"):
        x.to(device)
    with pytest.raises(RuntimeError, match="CPU only"):
        x.to(device=device)
    with pytest.raises(RuntimeError, match="CPU only"):
        x.to(device, ag.float64)
    with pytest.raises(RuntimeError, match="CPU only"):
        ag.zeros(2, device=device)
    with pytest.raises(RuntimeError, match="CPU only"):
        ag.tensor([1.0], device=device)
    with pytest.raises(RuntimeError, match="CPU only"):
        nn.Linear(2, 2).to(device)
    with pytest.raises(RuntimeError, match="CPU only"):
        nn.Linear(2, 2, device=device)


def test_gpu_errors_are_catchable_as_torch_raises_them():
    # PyTorch without CUDA raises AssertionError("Torch not compiled with CUDA enabled")
    with pytest.raises(AssertionError):
        torch.zeros(2).cuda()
    with pytest.raises(AssertionError):
        ag.zeros(2).cuda()
    with pytest.raises(RuntimeError, match="CPU only"):
        ag.zeros(2).cuda()
    with pytest.raises(RuntimeError, match="CPU only"):
        ag.zeros(2).cuda(0, non_blocking=True)
    with pytest.raises(RuntimeError, match="CPU only"):
        ag.zeros(2).xpu()
    with pytest.raises(RuntimeError):
        ag.zeros(2).pin_memory()
    with pytest.raises(RuntimeError):
        torch.zeros(2).pin_memory()
    with pytest.raises(RuntimeError):
        ag.zeros(2).to(0)  # a bare index is an accelerator, as torch
    with pytest.raises(RuntimeError):
        torch.zeros(2).to(0)


# ---- modules ----------------------------------------------------------------------------------
def _pair():
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    ours = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    ours.load_state_dict({k: ag.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("args, kwargs", [
    (("cpu",), {}), (("cpu_device",), {}), ((), dict(device="cpu")), (("float64",), {}),
    (("cpu", "float64"), {}), (("f64_tensor",), {}), ((), dict(device="cpu", dtype="float64",
                                                                non_blocking=True)),
    (("float64", True), {}), ((), dict(memory_format="channels_last")), ((None,), {})])
def test_module_to_matches_torch(args, kwargs):
    def resolve(lib, value):
        table = {"float64": lib.float64, "cpu_device": lib.device("cpu"),
                 "f64_tensor": lib.zeros(1, dtype=lib.float64), "channels_last": lib.channels_last}
        return table.get(value, value) if isinstance(value, str) else value

    ours, theirs = _pair()
    weight = ours[0].weight
    assert ours.to(*[resolve(ag, a) for a in args],
                   **{k: resolve(ag, v) for k, v in kwargs.items()}) is ours
    theirs.to(*[resolve(torch, a) for a in args], **{k: resolve(torch, v) for k, v in kwargs.items()})
    assert ours[0].weight is weight
    for (name, a), (_, t) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert a.dtype == t.numpy().dtype, name
        np.testing.assert_array_equal(a.numpy(), t.numpy())


def test_module_to_errors_match_torch():
    ours, theirs = _pair()
    for lib, model in ((ag, ours), (torch, theirs)):
        with pytest.raises(TypeError, match="floating point"):
            model.to(lib.int64)
        with pytest.raises(TypeError, match="floating point"):
            model.to(lib.zeros(1, dtype=lib.int64))
        with pytest.raises(RuntimeError, match="copy"):
            model.to("cpu", copy=True)
    assert ours.cpu() is ours
    with pytest.raises(AssertionError):
        theirs.cuda()
    with pytest.raises(ag.DeviceUnavailableError, match="CPU only"):
        ours.cuda()
    with pytest.raises(RuntimeError, match="CPU only"):
        ours.xpu()


@pytest.mark.parametrize("dst", ["DoubleTensor", "torch.DoubleTensor", "float64"])
def test_module_type_matches_torch(dst):
    ours, theirs = _pair()
    ours.type(getattr(ag, dst) if not dst.startswith("torch") else dst)
    theirs.type(getattr(torch, dst) if not dst.startswith("torch") else dst)
    assert ours[0].weight.dtype == np.float64 == theirs[0].weight.detach().numpy().dtype


# ---- backend modules --------------------------------------------------------------------------
def test_accelerator_matches_torch():
    assert ag.accelerator.is_available() is torch.accelerator.is_available() is False
    assert ag.accelerator.current_accelerator() is torch.accelerator.current_accelerator() is None
    assert ag.accelerator.device_count() == torch.accelerator.device_count() == 0
    for name in ("current_device_index", "synchronize"):
        with pytest.raises(RuntimeError):
            getattr(torch.accelerator, name)()
        with pytest.raises(RuntimeError, match="CPU only"):
            getattr(ag.accelerator, name)()


def test_cuda_module_matches_torch_without_cuda():
    for name in ("is_available", "device_count", "is_bf16_supported", "is_initialized",
                 "memory_allocated", "max_memory_allocated", "memory_reserved",
                 "max_memory_reserved", "get_rng_state_all"):
        assert getattr(ag.cuda, name)() == getattr(torch.cuda, name)(), name
    for name in ("manual_seed", "manual_seed_all"):
        assert getattr(ag.cuda, name)(0) is getattr(torch.cuda, name)(0) is None
    for name in ("seed", "seed_all", "empty_cache"):
        assert getattr(ag.cuda, name)() is getattr(torch.cuda, name)() is None
    for name in ("synchronize", "current_device", "get_device_name", "get_device_capability",
                 "init", "initial_seed"):
        with pytest.raises(AssertionError):
            getattr(torch.cuda, name)()
        with pytest.raises(AssertionError, match="CPU only"):  # also a RuntimeError
            getattr(ag.cuda, name)()
    with pytest.raises(RuntimeError, match="CPU only"):
        ag.cuda.get_device_properties(0)
    with pytest.raises(RuntimeError, match="CPU only"):
        ag.cuda.set_device(0)


def test_cpu_and_mps_modules_match_torch():
    assert ag.cpu.is_available() is torch.cpu.is_available() is True
    assert ag.cpu.device_count() == torch.cpu.device_count() == 1
    assert ag.cpu.current_device() == torch.cpu.current_device() == "cpu"
    assert ag.cpu.synchronize() is torch.cpu.synchronize() is None
    assert ag.mps.is_available() is torch.mps.is_available() is False
    assert ag.mps.device_count() == torch.mps.device_count() == 0
    assert ag.mps.manual_seed(0) is torch.mps.manual_seed(0) is None
    for name in ("empty_cache", "synchronize", "seed"):
        with pytest.raises(RuntimeError):
            getattr(torch.mps, name)()
        with pytest.raises(RuntimeError, match="CPU only"):
            getattr(ag.mps, name)()


def test_backends_flags_match_torch_defaults_and_are_settable():
    assert cudnn is ag.backends.cudnn
    for name in ("benchmark", "deterministic", "enabled", "allow_tf32"):
        assert getattr(ag.backends.cudnn, name) == getattr(torch.backends.cudnn, name), name
    assert ag.backends.cudnn.is_available() is torch.backends.cudnn.is_available() is False
    assert ag.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert ag.backends.mps.is_built() is torch.backends.mps.is_built() is False
    assert ag.backends.cuda.is_built() is torch.backends.cuda.is_built() is False
    saved = (cudnn.benchmark, cudnn.deterministic)
    try:
        cudnn.benchmark, cudnn.deterministic = True, True
        assert ag.backends.cudnn.benchmark and ag.backends.cudnn.deterministic
        with cudnn.flags(enabled=False, benchmark=False):
            assert not cudnn.enabled and not cudnn.benchmark
        assert cudnn.enabled and cudnn.benchmark
    finally:
        cudnn.benchmark, cudnn.deterministic = saved


@pytest.fixture
def restore_matmul_precision():
    yield
    ag.set_float32_matmul_precision("highest")
    torch.set_float32_matmul_precision("highest")


@pytest.mark.parametrize("steps", [["high"], ["medium"], ["high", "highest"], ["tf32_on"],
                                   ["tf32_on", "tf32_off"]])
def test_matmul_precision_and_allow_tf32_are_tied_as_in_torch(steps, restore_matmul_precision):
    for lib in (ag, torch):
        for step in steps:
            if step.startswith("tf32"):
                lib.backends.cuda.matmul.allow_tf32 = step == "tf32_on"
            else:
                lib.set_float32_matmul_precision(step)
    assert ag.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
    assert ag.backends.cuda.matmul.allow_tf32 == torch.backends.cuda.matmul.allow_tf32


def test_matmul_precision_bad_value_warns_and_changes_nothing(restore_matmul_precision):
    for lib in (ag, torch):
        with pytest.warns(UserWarning, match="no effect"):
            lib.set_float32_matmul_precision("foo")
        assert lib.get_float32_matmul_precision() == "highest"


def test_deterministic_algorithms_setting_as_torch():
    try:
        for lib in (ag, torch):
            assert lib.are_deterministic_algorithms_enabled() is False
            lib.use_deterministic_algorithms(True, warn_only=True)
            assert lib.are_deterministic_algorithms_enabled() is True
            assert lib.is_deterministic_algorithms_warn_only_enabled() is True
            with pytest.raises(TypeError):
                lib.use_deterministic_algorithms("yes")
    finally:
        ag.use_deterministic_algorithms(False)
        torch.use_deterministic_algorithms(False)


def test_settings_change_no_result(restore_matmul_precision):
    rng = np.random.default_rng(0)
    a, b = (ag.tensor(rng.standard_normal((16, 16)).astype(np.float32)) for _ in range(2))
    before = (a @ b).numpy().copy()
    ag.set_float32_matmul_precision("medium")
    ag.use_deterministic_algorithms(True)
    try:
        np.testing.assert_array_equal((a @ b).numpy(), before)
    finally:
        ag.use_deterministic_algorithms(False)


def test_generator_objects():
    g = ag.Generator()
    assert g.device == ag.device("cpu")
    assert g.manual_seed(7) is g and g.initial_seed() == 7
    a = ag.rand(3, generator=g)
    state = g.get_state()
    b = ag.randn(2, 2, generator=g)
    g.set_state(state)
    np.testing.assert_array_equal(ag.randn(2, 2, generator=g).numpy(), b.numpy())
    np.testing.assert_array_equal(ag.rand(3, generator=ag.Generator().manual_seed(7)).numpy(),
                                  a.numpy())
    # a generator's stream is its own: the global one does not move
    ag.manual_seed(1)
    expected = ag.rand(2).numpy()
    ag.manual_seed(1)
    ag.randint(0, 5, (4,), generator=g)
    ag.randperm(4, generator=g)
    np.testing.assert_array_equal(ag.rand(2).numpy(), expected)
    assert pickle.loads(pickle.dumps(g)).initial_seed() == 7
    with pytest.raises(RuntimeError, match="CPU only"):
        ag.Generator(device="cuda")
    with pytest.raises(TypeError, match="generator"):
        ag.rand(2, generator=3)
    assert ag.manual_seed(-1).initial_seed() == torch.manual_seed(-1).initial_seed()
    assert ag.manual_seed(3) is ag.default_generator and ag.initial_seed() == 3


def test_generator_works_with_init_and_data():
    g = ag.Generator().manual_seed(0)
    w = ag.empty(3, 3)
    nn.init.normal_(w, generator=g)
    w2 = ag.empty(3, 3)
    nn.init.normal_(w2, generator=ag.Generator().manual_seed(0))
    np.testing.assert_array_equal(w.numpy(), w2.numpy())
    order = list(ag.utils.data.RandomSampler(range(6), generator=ag.Generator().manual_seed(2)))
    assert sorted(order) == list(range(6))


def test_import_stays_light():
    code = ("import sys, autograd_lite as ag; ag.device('cpu'); ag.zeros(2).type(); "
            "print('numba' in sys.modules, 'autograd_lite.amp' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ag.cuda.is_available() is False


def test_devices_and_sizes_save_and_load(tmp_path):
    obj = {"dev": ag.device("cpu"), "gpu": ag.device("cuda", 1), "shape": ag.zeros(2, 3).shape,
           "scaler": ag.amp.GradScaler("cpu").state_dict()}
    ag.save(obj, tmp_path / "obj.pt")
    back = ag.load(tmp_path / "obj.pt", map_location=ag.device("cpu"))  # weights_only, as torch
    assert back == obj and type(back["shape"]) is ag.Size and type(back["dev"]) is ag.device
    torch.save({"dev": torch.device("cpu"), "shape": torch.Size([2, 3])}, tmp_path / "t.pt")
    assert torch.load(tmp_path / "t.pt")["shape"] == back["shape"]  # torch also loads these
    with pytest.raises(RuntimeError, match="CPU only"):
        ag.load(tmp_path / "obj.pt", map_location=ag.device("cuda"))
    broken = ag.device.__new__(ag.device)
    with pytest.raises(RuntimeError):
        broken.__setstate__({"type": "gpu", "index": None})
