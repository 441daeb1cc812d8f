"""ag.save / ag.load of everything torch.save saves: every supported type, shared objects and
views, whole modules and optimizers, resumed training, and the file layout itself."""
import collections
import datetime
import decimal
import enum
import fractions
import functools
import inspect
import io
import math
import pathlib
import pickle
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite import nn, optim
from autograd_lite.nn.parameter import is_lazy
from autograd_lite.serialization import safe_globals


def roundtrip(obj, **load_args):
    buf = io.BytesIO()
    ag.save(obj, buf)
    buf.seek(0)
    return ag.load(buf, **load_args)


def same(a, b):
    """Equal values and exactly equal types, recursively (NaN equals NaN, -0.0 is not 0.0)."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, ag.Tensor):
        assert a.requires_grad == b.requires_grad
        a, b = a._data, b._data
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert [(type(k), k) for k in a] == [(type(k), k) for k in b]
        for k in a:
            same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
    elif isinstance(a, (float, complex)) and a != a:
        assert b != b
    else:
        assert a == b
        if isinstance(a, float):
            assert math.copysign(1, a) == math.copysign(1, b)


# ---- plain data: loads with the default weights_only=True -----------------------------------------
PLAIN = {
    "complex": 1.5 - 2j, "complex nan": complex(float("nan"), 1), "bytearray": bytearray(b"\x00ab"),
    "set": {1, "a", (2, 3), None}, "empty set": set(), "dtype": ag.float32, "dtype int": ag.int64,
    "dtype bool": ag.bool, "size": ag.zeros(2, 3).shape, "counter": collections.Counter("abracadabra"),
    "ordered": collections.OrderedDict([(2, "b"), (1, "a")]), "nested tuple": ((1,), (), ((2.5,),)),
    "numpy scalars": [np.float16(1.5), np.uint64(2 ** 63), np.complex128(1j), np.datetime64("2024-01-01")],
    "tuple keys": {(1, "a"): (1, 2), None: 0}, "big ints": [2 ** 200, -(2 ** 64)], "float specials": [float("inf"), -0.0],
}


@pytest.mark.parametrize("name", PLAIN)
def test_plain_data_round_trips_under_weights_only(name):
    same(roundtrip(PLAIN[name]), PLAIN[name])


def test_sets_and_frozensets():
    loaded = roundtrip({frozenset({1, 2}): {3}, "f": frozenset()}, weights_only=False)
    assert loaded == {frozenset({1, 2}): {3}, "f": frozenset()}
    with pytest.raises(pickle.UnpicklingError, match="builtins.frozenset"):  # as torch: not allowed by default
        roundtrip(frozenset({1}))
    with safe_globals([frozenset]):
        assert roundtrip(frozenset({1})) == frozenset({1})


hashables = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5),
                      st.floats(allow_nan=False), st.binary(max_size=4))
arrays = hnp.arrays(st.sampled_from([np.float32, np.float64, np.int8, np.int64, np.bool_, np.complex64]),
                    hnp.array_shapes(min_dims=0, max_dims=3, max_side=3))
leaves = st.one_of(hashables, st.floats(), st.complex_numbers(), arrays,
                   arrays.map(lambda a: ag.tensor(a) if a.dtype.kind != "c" else a))
nested = st.recursive(leaves, lambda children: st.one_of(
    st.lists(children, max_size=4), st.lists(children, max_size=3).map(tuple),
    st.dictionaries(hashables, children, max_size=4), st.sets(hashables, max_size=3),
    st.dictionaries(st.text(max_size=3), children, max_size=3).map(collections.OrderedDict)), max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(nested)
def test_random_nested_data_round_trips(obj):
    loaded = roundtrip(obj)
    if isinstance(obj, set):
        assert loaded == obj and type(loaded) is set
    else:
        same_or_set(loaded, obj)


def same_or_set(a, b):
    if isinstance(b, set):
        assert type(a) is set and a == b
    elif isinstance(b, dict):
        assert type(a) is type(b) and list(a) == list(b)
        for k in b:
            same_or_set(a[k], b[k])
    elif isinstance(b, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            same_or_set(x, y)
    else:
        same(a, b)


# ---- sharing ------------------------------------------------------------------------------------
def test_shared_objects_and_cycles_survive():
    shared = [1, 2]
    cyclic = {"name": "c"}
    cyclic["self"] = cyclic
    p = nn.Parameter(ag.randn(3))
    loaded = roundtrip({"a": shared, "b": shared, "cyclic": cyclic, "p": [p, p], "t": (p,)})
    assert loaded["a"] is loaded["b"] and loaded["cyclic"]["self"] is loaded["cyclic"]
    assert loaded["p"][0] is loaded["p"][1] is loaded["t"][0]
    assert type(loaded["p"][0]) is nn.Parameter and loaded["p"][0].requires_grad


def test_views_keep_sharing_one_storage():
    base = ag.tensor(np.arange(20.0).reshape(4, 5))
    arr = np.arange(10, dtype=np.int32)
    obj = {"base": base, "row": base[1], "t": base.T, "col": base[:, 2],
           "data": base.data, "detached": base.detach(), "arr": arr, "arr_view": arr[::3], "backwards": arr[::-2],
           "alone": ag.ones(3)}
    loaded = roundtrip(obj)
    for k, v in obj.items():
        same(loaded[k], v)
    loaded["base"]._data[1, 2] = -1.0  # one write, seen through every view, as in torch
    assert loaded["row"]._data[2] == loaded["t"]._data[2, 1] == loaded["col"]._data[1] == -1.0
    assert loaded["data"]._data[1, 2] == loaded["detached"]._data[1, 2] == -1.0
    loaded["arr"][3] = 99
    assert loaded["arr_view"][1] == 99 and loaded["backwards"][3] == 99
    assert not np.shares_memory(loaded["alone"]._data, loaded["base"]._data)
    assert loaded["t"]._data.strides == (8, 40)


def test_views_of_a_large_array_store_only_what_they_span():
    big = np.arange(1_000_000.0)  # 8 MB, not saved itself
    buf = io.BytesIO()
    t = ag.from_numpy(big)
    ag.save([t[10:20], t[30:40:2]], buf)
    assert len(buf.getvalue()) < 5000
    a, b = ag.load(io.BytesIO(buf.getvalue()))
    assert a._data.base is b._data.base and a._data.base.nbytes == 29 * 8  # one block: elements 10 to 38
    np.testing.assert_array_equal(b._data, big[30:40:2])


# ---- objects (weights_only=False, or allowed classes) -------------------------------------------
class Color(enum.Enum):
    RED = 1
    GREEN = 2


Point = collections.namedtuple("Point", "x y")


class Record:
    def __init__(self, name):
        self.name = name
        self.values = [ag.ones(2)]


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self):
        self.a, self.b = 1, ag.zeros(1)


class Stateful:
    """Rebuilt through its own __setstate__; __init__ must not run on load."""
    init_calls = 0

    def __init__(self, x):
        Stateful.init_calls += 1
        self.x = x

    def __getstate__(self):
        return {"x2": self.x * 2}

    def __setstate__(self, state):
        self.x = state["x2"] // 2
        self.restored = True


def module_function(x):
    return x


OBJECTS = {  # name: (object, what add_safe_globals needs for it)
    "record": (Record("r"), [Record]), "slots": (Slotted(), [Slotted]), "stateful": (Stateful(21), [Stateful]),
    "enum": (Color.GREEN, [Color]), "namedtuple": (Point(1, [2]), [Point]),
    "datetime": (datetime.datetime(2024, 5, 6, 7, 8, 9), [datetime.datetime]),
    "date": (datetime.date(2020, 1, 1), [datetime.date]), "timedelta": (datetime.timedelta(days=2), [datetime.timedelta]),
    "fraction": (fractions.Fraction(2, 3), [fractions.Fraction]), "decimal": (decimal.Decimal("1.25"), [decimal.Decimal]),
    "path": (pathlib.PurePosixPath("/a/b"), [pathlib.PurePosixPath]), "range": (range(1, 9, 2), [range]),
    "slice": (slice(1, None, 2), [slice]), "ellipsis": (..., [(..., "builtins.Ellipsis")]),
    "partial": (functools.partial(max, 3), [functools.partial, max]), "function": (module_function, [module_function]),
    "builtin": (len, [len]), "class": (nn.Linear, [nn.Linear]), "ufunc": (np.add, [np.add]),
    "defaultdict": (collections.defaultdict(list, a=[1]), [collections.defaultdict, list]),
}


def describe(x):
    if isinstance(x, (Record, Slotted, Stateful)):
        return (type(x), describe({k: getattr(x, k) for k in ("name", "values", "a", "b", "x") if hasattr(x, k)}))
    if isinstance(x, functools.partial):
        return (x.func, x.args)
    if isinstance(x, collections.defaultdict):
        return (x.default_factory, dict(x))
    if isinstance(x, dict):
        return {k: describe(v) for k, v in x.items()}
    if isinstance(x, list):
        return [describe(v) for v in x]
    if isinstance(x, ag.Tensor):
        return ("tensor", x._data.tolist())
    return x


@pytest.mark.parametrize("name", OBJECTS)
def test_objects_round_trip_with_weights_only_false(name):
    obj = OBJECTS[name][0]
    calls = Stateful.init_calls
    loaded = roundtrip(obj, weights_only=False)
    assert type(loaded) is type(obj) and describe(loaded) == describe(obj)
    assert Stateful.init_calls == calls  # rebuilt with __new__ + __setstate__, never __init__
    if name == "stateful":
        assert loaded.restored and loaded.x == 21


@pytest.mark.parametrize("name", OBJECTS)
def test_objects_are_refused_under_weights_only_and_allowed_by_safe_globals(name):
    obj, allow = OBJECTS[name]
    with pytest.raises(pickle.UnpicklingError) as info:  # as torch: `except pickle.UnpicklingError` works
        roundtrip(obj)
    assert isinstance(info.value, ag.serialization.SerializationError)
    msg = str(info.value)
    for needed in ("weights_only=False", "autograd_lite.serialization.add_safe_globals([",
                   "autograd_lite.serialization.safe_globals(["):
        assert needed in msg
    for entry in allow:
        name = entry[1] if isinstance(entry, tuple) else f"{entry.__module__}.{getattr(entry, '__qualname__', None) or entry.__name__}"
        assert name in msg
    with safe_globals(allow):
        loaded = roundtrip(obj)
    assert describe(loaded) == describe(obj)


class TaggedTensor(ag.Tensor):
    pass


class TaggedParameter(nn.Parameter):
    pass


def test_tensor_subclasses_keep_class_and_attributes():
    t = TaggedTensor(np.arange(3.0))
    t.tag = "hi"
    p = TaggedParameter(ag.ones(2))
    loaded = roundtrip([t, t, p], weights_only=False)
    assert type(loaded[0]) is TaggedTensor and loaded[0] is loaded[1] and loaded[0].tag == "hi"
    assert type(loaded[2]) is TaggedParameter and loaded[2].requires_grad
    same(loaded[0]._data, t._data)
    with pytest.raises(ag.serialization.WeightsOnlyError, match="TaggedParameter, .*TaggedTensor"):
        roundtrip([t, p])
    with safe_globals([TaggedTensor]):
        assert roundtrip(t).tag == "hi"


def test_safe_globals_registry_as_torch():
    ag.serialization.clear_safe_globals()
    assert ag.serialization.get_safe_globals() == []
    ag.serialization.add_safe_globals([Record])
    with safe_globals([Color, (Point, f"{__name__}.Point")]):
        assert ag.serialization.get_safe_globals() == [Record, Color, (Point, f"{__name__}.Point")]
        roundtrip([Record("x"), Color.RED, Point(1, 2)])
    assert ag.serialization.get_safe_globals() == [Record]  # what was allowed before stays allowed
    roundtrip(Record("y"))
    ag.serialization.clear_safe_globals()
    with pytest.raises(ag.serialization.WeightsOnlyError, match=f"{__name__}.Record"):
        roundtrip(Record("z"))
    with pytest.raises(TypeError):
        ag.serialization.add_safe_globals(Record)
    with pytest.raises(ValueError):
        ag.serialization.add_safe_globals([(Record,)])


def test_weights_only_lists_every_refused_class_and_imports_nothing(tmp_path):
    model = nn.Sequential(nn.Linear(2, 2), nn.Tanh())
    ag.save({"model": model, "when": datetime.date(2024, 1, 1)}, tmp_path / "m.pt")
    with pytest.raises(ag.serialization.WeightsOnlyError) as info:
        ag.load(tmp_path / "m.pt")
    for name in ("autograd_lite.nn.container.Sequential", "autograd_lite.nn.linear.Linear",
                 "autograd_lite.nn.activation.Tanh", "datetime.date"):
        assert name in str(info.value)
    assert info.value.__context__ is None and info.value.__cause__ is None


def test_whole_module_round_trips(tmp_path):
    ag.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3))
    tied = nn.Sequential(nn.Embedding(5, 3), nn.Linear(3, 5))
    tied[1].weight = tied[0].weight  # weight tying survives
    x = ag.randn(2, 1, 4, 4)
    model.eval()
    ag.save({"model": model, "tied": tied}, tmp_path / "m.pt")
    loaded = ag.load(tmp_path / "m.pt", weights_only=False)
    m2 = loaded["model"]
    assert type(m2) is nn.Sequential and not m2.training and list(m2.state_dict()) == list(model.state_dict())
    np.testing.assert_array_equal(m2(x).detach().numpy(), model(x).detach().numpy())
    assert all(type(p) is nn.Parameter and p.requires_grad for p in m2.parameters())
    assert loaded["tied"][1].weight is loaded["tied"][0].weight
    seen = []
    m2.register_forward_hook(lambda mod, inp, out: seen.append(out.shape))  # hooks work after loading
    m2(x)
    assert seen == [(2, 3)]
    with safe_globals([type(m) for m in [*model.modules(), *tied.modules()]]):  # or allow its classes
        m3 = ag.load(tmp_path / "m.pt")["model"]
    np.testing.assert_array_equal(m3(x).detach().numpy(), model(x).detach().numpy())


def constructible_modules():
    for name in sorted(dir(nn)):
        cls = getattr(nn, name)
        if isinstance(cls, type) and issubclass(cls, nn.Module) and cls is not nn.Module:
            for args in [(), (3,), (3, 4), (3, 4, 3), (4, 2, 3)]:
                try:
                    yield name, cls(*args)
                    break
                except Exception:  # noqa: BLE001, S112 - try the next argument list
                    continue


def test_every_constructible_module_round_trips():
    modules = list(constructible_modules())
    assert len(modules) > 50
    for name, module in modules:
        loaded = roundtrip(module, weights_only=False)
        assert type(loaded) is type(module), name
        assert list(loaded.state_dict()) == list(module.state_dict()), name
        for k, v in module.state_dict().items():
            if is_lazy(v):  # a lazy module's uninitialized parameter: no values yet
                assert is_lazy(loaded.state_dict()[k]) and loaded.state_dict()[k].dtype == v.dtype, (name, k)
                continue
            np.testing.assert_array_equal(loaded.state_dict()[k]._data, v._data)
        assert repr(loaded) == repr(module), name


# ---- a PyTorch-style training program ---------------------------------------------------------
def make_run():
    ag.manual_seed(3)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 3))
    opt = optim.AdamW(model.parameters(), lr=0.01)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    rng = np.random.default_rng(0)
    data = [(ag.tensor(rng.standard_normal((8, 4)).astype(np.float32)), ag.tensor(rng.integers(0, 3, 8)))
            for _ in range(6)]
    return model, opt, sched, data


def train(model, opt, sched, batches):
    for xb, yb in batches:
        loss = nn.functional.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()


@pytest.mark.parametrize("whole_objects", [False, True])
def test_checkpoint_and_resume_equals_uninterrupted_training(tmp_path, whole_objects):
    model, opt, sched, data = make_run()
    train(model, opt, sched, data)
    reference = [p._data.copy() for p in model.parameters()]

    model, opt, sched, data = make_run()
    train(model, opt, sched, data[:3])
    rng_state = ag.get_rng_state()
    if whole_objects:  # torch.save(model) style: load with weights_only=False
        ag.save({"model": model, "optimizer": opt, "scheduler": sched, "epoch": 3}, tmp_path / "ckpt.pt")
        ckpt = ag.load(tmp_path / "ckpt.pt", weights_only=False)
        model, opt, sched = ckpt["model"], ckpt["optimizer"], ckpt["scheduler"]
    else:  # the usual state_dict checkpoint, loaded under weights_only=True
        ag.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
                 "epoch": 3}, tmp_path / "ckpt.pt")
        ckpt = ag.load(tmp_path / "ckpt.pt")
        model, opt, sched, _ = make_run()
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        sched.load_state_dict(ckpt["scheduler"])
    assert ckpt["epoch"] == 3
    ag.set_rng_state(rng_state)
    train(model, opt, sched, data[3:])
    for p, ref in zip(model.parameters(), reference):
        np.testing.assert_array_equal(p._data, ref)


def test_torch_state_dict_converted_to_numpy_loads(tmp_path):
    torch.manual_seed(0)
    tmodel = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.BatchNorm1d(5), torch.nn.Linear(5, 2)).eval()
    ag.save({k: v.numpy() for k, v in tmodel.state_dict().items()}, tmp_path / "from_torch.pt")
    state = ag.load(tmp_path / "from_torch.pt")
    assert all(type(v) is np.ndarray for v in state.values())
    model = nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.Linear(5, 2)).eval()
    model.load_state_dict(state)
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(model(ag.tensor(x)).detach().numpy(), tmodel(torch.tensor(x)).detach().numpy(),
                               rtol=1e-6, atol=1e-6)


# ---- arguments ----------------------------------------------------------------------------------
def test_map_location_variants(tmp_path):
    obj = {"w": ag.arange(4.0), "v": ag.arange(4.0)[1:]}
    obj["v"] = obj["w"][1:]
    ag.save(obj, tmp_path / "m.pt")
    device = getattr(ag, "device", None)
    locations = [None, "cpu", "cpu:0", b"cpu", torch.device("cpu"), {"cuda:0": "cpu"}, {"cpu": "cpu"},
                 lambda storage, loc: storage, lambda storage, loc: None,
                 lambda storage, loc: ag.tensor(storage.numpy().copy())] + ([device("cpu")] if device else [])
    for location in locations:
        loaded = ag.load(tmp_path / "m.pt", map_location=location)
        same(loaded, obj)
    seen = []
    ag.load(tmp_path / "m.pt", map_location=lambda storage, loc: seen.append((type(storage), loc)))
    assert seen == [(ag.Tensor, "cpu")]  # one storage: the views share it
    for gpu in ["cuda", "cuda:1", "mps", torch.device("cuda"), {"cpu": "cuda:0"}, "banana"]:
        with pytest.raises(RuntimeError, match="CPU only"):
            ag.load(tmp_path / "m.pt", map_location=gpu)
    with pytest.raises(TypeError, match="map_location"):
        ag.load(tmp_path / "m.pt", map_location=3)
    with pytest.raises(TypeError, match="map_location returned"):
        ag.load(tmp_path / "m.pt", map_location=lambda storage, loc: ag.zeros(1))


def test_mmap_maps_arrays_copy_on_write(tmp_path):
    obj = {"w": ag.randn(64, 64), "i": ag.arange(10), "s": ag.tensor(2.0)}
    ag.save(obj, tmp_path / "m.pt")
    before = (tmp_path / "m.pt").read_bytes()
    loaded = ag.load(tmp_path / "m.pt", mmap=True)
    same(loaded, obj)
    base = loaded["w"]._data
    while not isinstance(base, np.memmap):
        base = base.base
    loaded["w"]._data[0, 0] = 123.0  # writable, and the file is not changed (MAP_PRIVATE, as torch)
    del loaded, base
    assert (tmp_path / "m.pt").read_bytes() == before
    with pytest.raises(ValueError, match="file path"):
        ag.load(io.BytesIO(before), mmap=True)


def test_member_data_are_aligned_and_files_reproducible(tmp_path):
    obj = {"a": ag.randn(3), "b": np.arange(5, dtype=np.int16), "c": "x" * 77, "d": ag.ones(2, 2).T}
    ag.save(obj, tmp_path / "1.pt")
    ag.save(obj, tmp_path / "2.pt")
    data = (tmp_path / "1.pt").read_bytes()
    assert data == (tmp_path / "2.pt").read_bytes()
    with zipfile.ZipFile(tmp_path / "1.pt") as z:
        for info in z.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            name_len, extra_len = np.frombuffer(data[info.header_offset + 26:info.header_offset + 30], "<u2")
            start = info.header_offset + 30 + name_len + extra_len
            header_len = 10 + int(np.frombuffer(data[start + 8:start + 10], "<u2")[0])
            assert (start + header_len) % 64 == 0
    assert sorted(np.load(tmp_path / "1.pt", allow_pickle=False).files) == ["a0", "a1", "a2", "autograd_lite_index"]


def test_torch_signatures_are_accepted(tmp_path):
    ag.save([1], tmp_path / "a.pt", pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True)
    assert ag.load(tmp_path / "a.pt", None, pickle, weights_only=None, mmap=None, encoding="latin1") == [1]
    assert list(inspect.signature(ag.load).parameters)[:3] == ["f", "map_location", "pickle_module"]
    with pytest.raises(TypeError, match="never pickled"):
        ag.save([1], tmp_path / "a.pt", pickle_module=json_like)
    with pytest.raises(TypeError, match="unexpected"):
        ag.load(tmp_path / "a.pt", spam=1)
    with pytest.raises(TypeError, match="weights_only"):
        ag.load(tmp_path / "a.pt", weights_only="yes")
    with pytest.raises(ValueError, match="max_bytes"):
        ag.load(tmp_path / "a.pt", max_bytes=0)
    with pytest.raises(TypeError, match="path or a binary file"):
        ag.load(12)


json_like = object()


class Unseekable(io.RawIOBase):
    def __init__(self, data):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, b):
        chunk = self._data.read(min(len(b), 100))
        b[:len(chunk)] = chunk
        return len(chunk)


def test_unseekable_streams_load():
    buf = io.BytesIO()
    ag.save({"x": ag.arange(3)}, buf)
    same(ag.load(Unseekable(buf.getvalue())), {"x": ag.arange(3)})
    with pytest.raises(ag.serialization.SerializationError, match="max_bytes=100"):
        ag.load(Unseekable(buf.getvalue()), max_bytes=100)
