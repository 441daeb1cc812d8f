"""ag.save / ag.load: exact round trips, and one clear error (never a traceback from
zipfile, json or numpy, never unpickling) for damaged or foreign files."""
import collections
import io
import json
import math
import pathlib
import pickle
import threading
import zipfile

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.serialization import INDEX_MEMBER, SerializationError

PAYLOAD_RAN = []


def _payload():
    """What a malicious pickle would run; the tests check it never does."""
    PAYLOAD_RAN.append(True)
    return "pwned"


class Evil:
    def __reduce__(self):
        return (_payload, ())


def same(a, b):
    """Exact equality of loaded and original objects: types, dtypes, shapes, values,
    key order and key types."""
    assert type(a) is type(b), f"{type(a).__name__} != {type(b).__name__}"
    if isinstance(a, ag.Tensor):
        assert a.requires_grad == b.requires_grad
        same(a._data, b._data)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, np.generic):
        assert a.dtype == b.dtype and (a == b or (a != a and b != b))
    elif isinstance(a, dict):
        assert [(type(k), k) for k in a] == [(type(k), k) for k in b]
        for k in a:
            same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b
        if isinstance(a, float):
            assert math.copysign(1, a) == math.copysign(1, b)


def roundtrip(obj, tmp_path):
    path = tmp_path / "obj.pt"
    ag.save(obj, path)
    return ag.load(path)


# ---- round trips --------------------------------------------------------------------------------
class Net(nn.Module):
    def __init__(self, rng):
        super().__init__()
        self.w = nn.Parameter(ag.tensor(rng.standard_normal((4, 3)).astype(np.float32)))
        self.b = nn.Parameter(ag.tensor(rng.standard_normal(4)))
        self.register_buffer("count", ag.tensor(np.arange(3)))
        self.inner = nn.Module()
        self.inner.scale = nn.Parameter(ag.tensor(np.float32(2.5)))


def test_model_state_dict_round_trip(tmp_path, rng):
    model = Net(rng)
    sd = model.state_dict()
    loaded = roundtrip(sd, tmp_path)
    assert type(loaded) is type(sd) and list(loaded) == list(sd) == ["w", "b", "count", "inner.scale"]
    for k in sd:
        assert isinstance(loaded[k], ag.Tensor) and not isinstance(loaded[k], nn.Parameter)
        assert not loaded[k].requires_grad
        same(loaded[k]._data, sd[k]._data)
    fresh = Net(np.random.default_rng(99))
    fresh.load_state_dict(loaded)
    for k, v in fresh.state_dict().items():
        np.testing.assert_array_equal(v._data, sd[k]._data)


def test_optimizer_like_state_dict_round_trip(tmp_path, rng):
    sd = {
        "state": {0: {"step": ag.tensor(3.0), "exp_avg": ag.tensor(rng.standard_normal((2, 3))),
                      "momentum_buffer": None},
                  1: {"step": 7, "exp_avg_sq": ag.tensor(rng.random(5).astype(np.float32))},
                  5: {}},
        "param_groups": [
            {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "amsgrad": False,
             "params": [0, 1], "name": "body"},
            {"lr": 0.1, "betas": (0.5, 0.9), "params": [5], "nesterov": True, "milestones": [[1, 2], [3]]},
        ],
    }
    loaded = roundtrip(sd, tmp_path)
    same(loaded, sd)
    assert all(type(k) is int for k in loaded["state"])


SCALARS = {
    "none": None, "true": True, "false": False, "zero": 0, "one": 1, "one float": 1.0, "neg": -7,
    "big int": 2 ** 100, "tiny float": 5e-324, "neg zero": -0.0, "inf": float("inf"), "-inf": float("-inf"),
    "nan": float("nan"), "pi": math.pi, "str": "héllo \u2603 \"quoted\"\n", "empty str": "", "bytes": b"\x00\xffab",
    "np float32": np.float32(1.25), "np int8": np.int8(-3), "np bool": np.bool_(True), "np float64": np.float64(0.1),
}


@pytest.mark.parametrize("name", SCALARS)
def test_scalars_strings_and_numpy_scalars(tmp_path, name):
    same(roundtrip(SCALARS[name], tmp_path), SCALARS[name])


def test_arrays_and_tensors_of_every_dtype_and_layout(tmp_path, rng):
    x = rng.standard_normal((3, 4))
    obj = [
        x.astype(np.float16), x.astype(np.float32), x, x.astype(np.int8), x.astype(np.uint8) , x > 0,
        (x + 1j * x).astype(np.complex64), np.array(["a", "bcd"]), np.array([b"xy"]),
        np.array(["2024-01-01"], dtype="datetime64[D]"), np.asfortranarray(x), x.T, x[::2, 1:],
        np.zeros((0, 3), np.int64), np.array(5.0), x.astype(">f8"),
        ag.tensor(x.astype(np.float32)), ag.tensor(x).T, ag.tensor(x > 0), ag.zeros(0, 2), ag.tensor(3),
        ag.tensor(x, requires_grad=True), ag.tensor(x, requires_grad=True) * 2,
    ]
    loaded = roundtrip(obj, tmp_path)
    assert loaded[-1].requires_grad and loaded[-1].is_leaf  # a non-leaf comes back as a leaf, as torch
    obj[-1] = obj[-1].detach().requires_grad_()
    same(loaded, obj)
    assert all(t._data.flags.writeable for t in loaded if isinstance(t, ag.Tensor))


def test_containers_keep_types_order_and_key_types(tmp_path):
    obj = collections.OrderedDict([("z", 1), ("a", (1, [2, (3,)], {})), (3, "int key"), (2.5, "float key"),
                                   (True, "bool key"), (None, "none key"), ((1, "t"), "tuple key"), ("", [])])
    obj["nested"] = {"deep": collections.OrderedDict(b=[], a=())}
    same(roundtrip(obj, tmp_path), obj)
    assert list(roundtrip({"b": 1, "a": 2}, tmp_path)) == ["b", "a"]


def test_parameters_and_shared_objects(tmp_path):
    p = nn.Parameter(ag.randn(3))
    frozen = nn.Parameter(ag.randn(2), requires_grad=False)
    arr = np.arange(4)
    loaded = roundtrip({"p": p, "again": p, "frozen": frozen, "arr": [arr, arr]}, tmp_path)
    assert type(loaded["p"]) is nn.Parameter and loaded["p"].requires_grad
    assert loaded["p"] is loaded["again"]
    assert type(loaded["frozen"]) is nn.Parameter and not loaded["frozen"].requires_grad
    assert loaded["arr"][0] is loaded["arr"][1]
    np.testing.assert_array_equal(loaded["p"]._data, p._data)


def test_paths_and_file_objects(tmp_path):
    obj = {"x": ag.arange(3)}
    for target in (str(tmp_path / "a.pt"), tmp_path / "b.ckpt", tmp_path / "c"):
        ag.save(obj, target)
        assert pathlib.Path(target).exists()  # no ".npz" appended
        same(ag.load(target), obj)
        same(ag.load(str(target)), obj)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pt", "b.ckpt", "c"]
    buf = io.BytesIO()
    ag.save(obj, buf)
    same(ag.load(io.BytesIO(buf.getvalue())), obj)
    with open(tmp_path / "a.pt", "rb") as fh:
        same(ag.load(fh, map_location="cpu", weights_only=True), obj)
    with pytest.raises(RuntimeError, match="CPU only"):  # torch raises RuntimeError for a missing GPU
        ag.load(tmp_path / "a.pt", map_location="cuda:0")


def _local_class_instance():
    class Local:
        pass

    return Local()


def test_objects_that_would_need_code_to_rebuild_are_refused_at_save(tmp_path):
    """What pickle could save only by calling a function on load (or not at all)."""
    def gen():
        yield 1

    lock = threading.Lock()
    for bad, match in [
        ({"a": [1, Evil()]}, r"obj\['a'\]\[1\].*calls .*_payload"),  # a custom __reduce__ returning a function
        ({"t": torch.ones(2)}, r"\.numpy\(\)"), (np.array([Evil()], dtype=object), "object"),
        ({"f": lambda x: x}, "lambda"), (_local_class_instance(), "inside functions"),
        ({"lock": lock}, r"obj\['lock'\].*cannot pickle"), (gen(), "generator"),
        (collections.deque([1], maxlen=3), "calls collections.deque"), (np.ma.array([1, 2]), "obj"),
        ([1, 2].append, "obj"),
    ]:
        with pytest.raises(TypeError, match=match):
            ag.save(bad, tmp_path / "x.pt")
    assert not (tmp_path / "x.pt").exists()  # nothing is written when saving fails
    through_tuple = ([],)
    through_tuple[0].append(through_tuple)
    with pytest.raises(ValueError, match="circular"):
        ag.save(through_tuple, tmp_path / "x.pt")
    deep = []
    for _ in range(300):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than"):
        ag.save(deep, tmp_path / "x.pt")
    assert not PAYLOAD_RAN


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        ag.load(tmp_path / "nope.pt")


# ---- damaged and foreign files ----------------------------------------------------------------
@pytest.fixture
def good_bytes(tmp_path):
    obj = {"w": ag.tensor(np.arange(12, dtype=np.float32).reshape(3, 4)), "step": 3, "name": "m",
           "state": {0: [1.5, None]}}
    ag.save(obj, tmp_path / "good.pt")
    return obj, (tmp_path / "good.pt").read_bytes()


def refused(tmp_path, content, match=None):
    path = tmp_path / "bad.pt"
    path.write_bytes(content)
    with pytest.raises(SerializationError, match=match) as info:
        ag.load(path)
    msg = str(info.value)
    assert str(path) in msg and "autograd_lite" in msg
    assert info.value.__cause__ is None and info.value.__suppress_context__ is False
    assert info.value.__context__ is None  # no zipfile/json/numpy traceback chained underneath
    assert isinstance(info.value, ValueError)
    return msg


def test_truncated_files(tmp_path, good_bytes):
    _, good = good_bytes
    cuts = sorted({0, 1, 4, 30, len(good) // 3, len(good) // 2, len(good) - 100, len(good) - 22, len(good) - 1}
                  | set(range(0, len(good), max(1, len(good) // 40))))
    for cut in cuts:
        refused(tmp_path, good[:cut])


def test_every_single_byte_flip_is_refused_or_harmless(tmp_path, good_bytes):
    obj, good = good_bytes
    path = tmp_path / "flip.pt"
    outcomes = collections.Counter()
    for i in range(len(good)):
        damaged = bytearray(good)
        damaged[i] ^= 0x5A
        path.write_bytes(bytes(damaged))
        try:
            loaded = ag.load(path)
        except SerializationError:
            outcomes["refused"] += 1
        else:  # only bytes nobody reads (zip timestamps, padding) may change without notice
            same(loaded, obj)
            outcomes["harmless"] += 1
    assert outcomes["refused"] > 0.8 * len(good)


def test_random_bytes(tmp_path):
    rng = np.random.default_rng(0)
    for n in (1, 7, 100, 5000):
        refused(tmp_path, rng.integers(0, 256, n, dtype=np.uint8).tobytes())
    refused(tmp_path, b"", match="empty")
    refused(tmp_path, b"PK\x03\x04" + rng.integers(0, 256, 300, dtype=np.uint8).tobytes(), match="damaged")


def test_pickle_files_are_never_unpickled(tmp_path):
    for protocol in (2, 4, 5):
        msg = refused(tmp_path, pickle.dumps({"x": Evil()}, protocol=protocol), match="pickle")
        assert "can run code" in msg
    buf = io.BytesIO()
    torch.save({"x": torch.ones(2)}, buf, _use_new_zipfile_serialization=False)
    refused(tmp_path, buf.getvalue(), match="pickle")
    assert not PAYLOAD_RAN


def test_torch_checkpoint_is_named(tmp_path):
    buf = io.BytesIO()
    torch.save({"x": torch.ones(2)}, buf)
    refused(tmp_path, buf.getvalue(), match="PyTorch")


def test_npy_and_unrelated_npz(tmp_path):
    buf = io.BytesIO()
    np.save(buf, np.arange(3))
    refused(tmp_path, buf.getvalue(), match=r"\.npy")
    buf = io.BytesIO()
    np.savez(buf, a=np.arange(3), b=np.ones(2))
    refused(tmp_path, buf.getvalue(), match="without the autograd_lite index")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    refused(tmp_path, buf.getvalue(), match="index")
    buf = io.BytesIO()
    zipfile.ZipFile(buf, "w").close()
    refused(tmp_path, buf.getvalue(), match="empty zip")


def archive(index, arrays=(), allow_pickle=False, raw_index=None):
    """An archive laid out like ag.save's, with a hand-made index."""
    text = raw_index if raw_index is not None else json.dumps(index).encode()
    members = {INDEX_MEMBER: np.frombuffer(text, np.uint8) if isinstance(text, bytes) else text}
    members.update((f"a{i}", a) for i, a in enumerate(arrays))
    buf = io.BytesIO()
    np.savez(buf, allow_pickle=allow_pickle, **members)
    return buf.getvalue()


def index_of(root, arrays=()):
    return {"format": "autograd_lite", "version": 1,
            "arrays": [{"dtype": a.dtype.str, "shape": list(a.shape)} for a in arrays], "root": root}


def test_handmade_archive_helper_makes_loadable_files(tmp_path):
    arr = np.arange(3.0)
    path = tmp_path / "ok.pt"
    path.write_bytes(archive(index_of({"type": "tensor", "array": 0, "requires_grad": False, "parameter": False},
                                      [arr]), [arr]))
    same(ag.load(path), ag.tensor(arr))  # so the refusals below are for the damage alone


TENSOR = {"type": "tensor", "array": 0, "requires_grad": False, "parameter": False}
BAD_INDEXES = {
    "not json": (None, b"{not json"),
    "not utf-8": (None, b"\xff\xfe{}"),
    "json list": ([1, 2], None),
    "wrong format": ({"format": "other", "version": 1, "arrays": [], "root": {"type": "none"}}, None),
    "newer version": ({"format": "autograd_lite", "version": 99, "arrays": [], "root": {"type": "none"}}, None),
    "string version": ({"format": "autograd_lite", "version": "1", "arrays": [], "root": {"type": "none"}}, None),
    "extra field": (dict(index_of({"type": "none"}), extra=1), None),
    "unknown type": (index_of({"type": "pickle", "value": "x"}), None),
    "root not object": (index_of([1, 2]), None),
    "missing field": (index_of({"type": "str"}), None),
    "extra node field": (index_of({"type": "none", "value": 1}), None),
    "wrong value type": (index_of({"type": "int", "value": "12"}), None),
    "bool as int": (index_of({"type": "int", "value": True}), None),
    "items not list": (index_of({"type": "list", "items": {"a": 1}}), None),
    "keys values differ": (index_of({"type": "dict", "keys": [{"type": "int", "value": 1}], "values": []}), None),
    "unhashable key": (index_of({"type": "dict", "keys": [{"type": "list", "items": []}],
                                 "values": [{"type": "none"}]}), None),
    "array out of range": (index_of(dict(TENSOR, array=3)), None),
    "array index not int": (index_of(dict(TENSOR, array="0")), None),
    "requires_grad not bool": (index_of(dict(TENSOR, requires_grad=1)), None),
    "too deep": (index_of(json.loads('{"type": "list", "items": [' * 300 + "]}" * 300)), None),
    "json too deep": (None, b'{"a":' * 100000 + b"1" + b"}" * 100000),
}


@pytest.mark.parametrize("name", BAD_INDEXES)
def test_corrupted_index_is_refused(tmp_path, name):
    index, raw = BAD_INDEXES[name]
    refused(tmp_path, archive(index, raw_index=raw))


def test_index_and_arrays_must_agree(tmp_path):
    arr = np.arange(4, dtype=np.int64)
    idx = index_of(TENSOR, [arr])
    refused(tmp_path, archive(idx, []), match="members")  # missing array
    refused(tmp_path, archive(idx, [arr, arr]), match="members")  # unexpected array
    wrong = dict(idx, arrays=[{"dtype": "<f4", "shape": [4]}])
    refused(tmp_path, archive(wrong, [arr]), match="index says")
    wrong = dict(idx, arrays=[{"dtype": "<i8", "shape": [2, 2]}])
    refused(tmp_path, archive(wrong, [arr]), match="index says")
    wrong = dict(idx, arrays=[{"dtype": "not a dtype", "shape": [4]}])
    refused(tmp_path, archive(wrong, [arr]), match="dtype")
    wrong = dict(idx, arrays=[{"dtype": "<i8", "shape": [-4]}])
    refused(tmp_path, archive(wrong, [arr]), match="malformed")
    grad_int = index_of(dict(TENSOR, requires_grad=True), [arr])
    refused(tmp_path, archive(grad_int, [arr]), match="requires grad")
    refused(tmp_path, archive(None, raw_index=np.arange(3.0)), match="byte array")


def test_object_array_member_is_not_unpickled(tmp_path):
    evil = np.array([Evil(), 1], dtype=object)
    idx = index_of({"type": "ndarray", "array": 0}, [evil])
    msg = refused(tmp_path, archive(idx, [evil], allow_pickle=True))
    assert "allow_pickle" in msg
    assert not PAYLOAD_RAN


def test_np_load_is_called_with_allow_pickle_false(tmp_path, good_bytes, monkeypatch):
    calls = []
    real = np.load

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(np, "load", spy)
    path = tmp_path / "good.pt"
    ag.load(path)
    assert calls and all(kw.get("allow_pickle") is False for kw in calls)


def test_text_mode_file_is_a_type_error(tmp_path, good_bytes):
    with open(tmp_path / "good.pt", encoding="latin-1") as fh:
        with pytest.raises(TypeError, match="binary"):
            ag.load(fh)


def test_handmade_integer_float_value_loads_as_float(tmp_path):
    path = tmp_path / "f.pt"
    path.write_bytes(archive(index_of({"type": "list", "items": [{"type": "float", "value": 2}]})))
    same(ag.load(path), [2.0])
