"""Hostile files: everything ag.load refuses before allocating (zip bombs, duplicate and
overlapping members, sizes the file cannot hold, disallowed dtypes, bad views and references,
classes it must not import), and the corrupted-file fuzz run in a memory-capped child process.

The fuzz tries AG_SERIALIZATION_FUZZ corruptions (default 2500; e.g. 200000 for a long run)
from seed AG_SERIALIZATION_FUZZ_SEED (default 0)."""
import io
import json
import os
import pathlib
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.serialization import INDEX_MEMBER, SerializationError, WeightsOnlyError
from serialization_fuzz import (BOMB_BYTES, bomb_stream, central_entries, members_of, npy_bytes, raw_zip,
                                stored_zip)

FUZZ_SCRIPT = pathlib.Path(__file__).with_name("serialization_fuzz.py")


def saved(obj):
    buf = io.BytesIO()
    ag.save(obj, buf)
    return buf.getvalue()


def refused(data, match, **load_args):
    with pytest.raises(SerializationError, match=match) as info:
        ag.load(io.BytesIO(data), **load_args)
    assert "<BytesIO>" in str(info.value) and info.value.__context__ is None
    return str(info.value)


def with_index(data, edit):
    """`data` with its JSON index passed through `edit` (the arrays unchanged)."""
    members = members_of(data)
    payload = dict(members)[INDEX_MEMBER + ".npy"]
    header_len = 10 + struct.unpack_from("<H", payload, 8)[0]
    index = json.loads(payload[header_len:])
    edit(index)
    raw = json.dumps(index).encode()
    return stored_zip([(n, npy_bytes((len(raw),), "|u1", data=raw) if n == INDEX_MEMBER + ".npy" else p)
                       for n, p in members])


GOOD = saved({"w": ag.arange(6.0).reshape(2, 3), "b": ag.tensor([1, 2, 3]), "n": 3})


# ---- the zip container ----------------------------------------------------------------------------
def test_zip_bomb_is_refused_without_decompressing(monkeypatch):
    header, stream = bomb_stream()
    members = members_of(GOOD)
    entries = [(n, zipfile.ZIP_STORED, zlib.crc32(p), len(p), p) for n, p in members]
    entries[1] = ("a0.npy", zipfile.ZIP_DEFLATED, 0, BOMB_BYTES + len(header), stream)
    monkeypatch.setattr(zipfile.zlib, "decompressobj", lambda *a: pytest.fail("a member was decompressed"))
    tracemalloc.start()
    msg = refused(raw_zip(entries), "compressed .deflate.")
    assert tracemalloc.get_traced_memory()[1] < 20 * 2 ** 20
    tracemalloc.stop()
    assert "zip bomb" in msg
    for method in (zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", method) as z:
            for n, p in members:
                z.writestr(n, p)
        refused(buf.getvalue(), "is compressed")


@pytest.mark.parametrize("name", [INDEX_MEMBER + ".npy", "a0.npy", "a1.npy"])
def test_duplicate_members_are_refused(name):
    members = members_of(GOOD)
    with pytest.warns(UserWarning, match="Duplicate"):
        data = stored_zip(members + [(name, dict(members)[name])])
    refused(data, f"2 members named '{name[:-4]}'")


def test_declared_size_larger_than_the_member_is_refused_before_allocating():
    members = members_of(GOOD)
    huge = npy_bytes((10 ** 12,), "<f8", data=b"\0" * 48)
    for index_too in (False, True):
        data = stored_zip([(n, huge if n == "a0.npy" else p) for n, p in members])
        if index_too:  # the index agrees with the header: the member's size still gives it away
            data = with_index(data, lambda idx: idx["arrays"][0].update(shape=[10 ** 12]))
        tracemalloc.start()
        msg = refused(data, "declares a float64 array of shape .1000000000000,. .8000000000000 bytes. but holds 48")
        assert tracemalloc.get_traced_memory()[1] < 2 ** 20
        tracemalloc.stop()
        assert "'a0.npy'" in msg


def test_overlapping_members_are_refused():
    members = members_of(GOOD)
    entries = [(n, zipfile.ZIP_STORED, zlib.crc32(p), len(p), p) for n, p in members]
    data = bytearray(raw_zip(entries))
    pos = central_entries(bytes(data))[1][0]  # a0's central entry claims its data run over a1's record
    struct.pack_into("<2L", data, pos + 20, len(members[1][1]) + 200, len(members[1][1]) + 200)
    refused(bytes(data), "overlap|runs past")


def test_local_and_central_headers_must_agree():
    data = bytearray(GOOD)
    with zipfile.ZipFile(io.BytesIO(GOOD)) as z:
        info = z.getinfo("a0.npy")
    start = info.header_offset + 30 + len("a0.npy")
    data[start + 4] = 1  # a non-zero byte in the alignment padding
    refused(bytes(data), "extra field")
    data = bytearray(GOOD)
    struct.pack_into("<H", data, info.header_offset + 6, 1)  # the encryption flag, in both headers
    struct.pack_into("<H", data, central_entries(GOOD)[1][0] + 8, 1)
    refused(bytes(data), "encrypted")
    data = bytearray(GOOD)
    struct.pack_into("<L", data, central_entries(GOOD)[1][0] + 24, info.file_size + 1)
    refused(bytes(data), "sizes differ")


def test_max_bytes_bounds_the_file():
    big = saved({"w": ag.zeros(1000)})
    msg = refused(big, "more than max_bytes=4000", max_bytes=4000)
    assert "pass a larger max_bytes=" in msg
    assert ag.load(io.BytesIO(big), max_bytes=len(big))["w"].shape == (1000,)
    assert ag.serialization.DEFAULT_MAX_BYTES == 8 * 2 ** 30


# ---- dtypes, views, references ------------------------------------------------------------------
@pytest.mark.parametrize("descr", ["|O", "|V8", [("a", "<f8"), ("b", "<i4")], ("<f8", (2,))])
def test_members_of_disallowed_dtypes_are_refused(descr):
    members = members_of(GOOD)
    data = stored_zip([(n, npy_bytes((3,), descr, data=b"\0" * 48) if n == "a1.npy" else p) for n, p in members])
    refused(data, "never loads|declares")


SHARED = saved({"base": ag.arange(8.0), "view": ag.arange(8.0)})
VIEWS = saved([t := ag.arange(8.0), t[2:6], t[::2]])  # float32: 4-byte elements


def edit_view(field, value):
    return with_index(VIEWS, lambda idx: idx["root"]["items"][1]["view"].__setitem__(field, value))


@pytest.mark.parametrize("field, value, match", [
    ("offset", 4 * 7, "reaches bytes"), ("offset", -8, "malformed"), ("offset", 3, "not aligned"),
    ("strides", [-8], "reaches bytes"), ("strides", [12], "reaches bytes|not aligned"),
    ("shape", [10 ** 12], "more than max_bytes"), ("shape", [4, 1], "malformed"), ("dtype", "|O", "never loads"),
    ("dtype", "V8", "never loads"), ("dtype", "(2,)<f8", "never loads"), ("dtype", "nonsense", "unknown dtype"),
])
def test_bad_views_are_refused(field, value, match):
    assert ag.load(io.BytesIO(VIEWS))[1]._data.base is not None
    refused(edit_view(field, value), match)


def test_stride_zero_views_within_max_bytes_load():
    data = edit_view("strides", [0])
    assert ag.load(io.BytesIO(data))[1]._data.tolist() == [2.0] * 4


@pytest.mark.parametrize("node, match", [
    ({"type": "ref", "id": 5}, "comes before"), ({"type": "ref", "id": "0"}, "comes before"),
    ({"type": "list", "items": [{"type": "ref", "id": 1}]}, "comes before"),
    ({"type": "dtype", "value": "|O"}, "never loads"), ({"type": "complex", "real": "1", "imag": 0}, "complex"),
    ({"type": "tensor", "array": 0, "requires_grad": False, "parameter": False, "view": [1]}, "not a block|malformed"),
    ({"type": "object", "class": "os.system"}, "not .module, name."),
    ({"type": "enum", "class": ["os", "system"], "name": "x"}, "weights only"),
    ({"type": "bytes", "array": 1}, "should hold bytes"),
])
def test_bad_nodes_are_refused(node, match):
    refused(with_index(GOOD, lambda idx: idx.__setitem__("root", node)), match)


def test_version_1_files_hold_only_version_1_entries():
    refused(with_index(GOOD, lambda idx: idx.update(version=1, root={"type": "set", "items": []})),
            "unknown entry type 'set'")


# ---- classes ------------------------------------------------------------------------------------
def test_weights_only_never_imports_or_calls_what_a_file_names(capsys):
    sys.modules.pop("this", None)  # importing `this` would print the Zen of Python
    for node in ({"type": "global", "module": "os", "name": "system"},
                 {"type": "object", "class": ["this", "Anything"], "state": {"type": "none"}}):
        with pytest.raises(WeightsOnlyError, match="weights only load failed"):
            ag.load(io.BytesIO(with_index(GOOD, lambda idx: idx.__setitem__("root", node))))
    assert "this" not in sys.modules and capsys.readouterr().out == ""


class Fragile:
    def __init__(self):
        self.x = 1

    def __setstate__(self, state):
        raise KeyError("missing field 'x'")


def test_weights_only_false_reports_missing_classes_and_their_failures():
    node = {"type": "object", "class": ["no_such_module_xyz", "C"]}
    refused(with_index(GOOD, lambda idx: idx.__setitem__("root", node)), "cannot be found", weights_only=False)
    node = {"type": "object", "class": ["os", "getcwd"]}
    refused(with_index(GOOD, lambda idx: idx.__setitem__("root", node)), "names os.getcwd as a class, but it is <built-in function getcwd>", weights_only=False)
    node = {"type": "object", "class": ["os", "<lambda>"]}
    refused(with_index(GOOD, lambda idx: idx.__setitem__("root", node)), "not a valid name", weights_only=False)
    with pytest.raises(SerializationError, match="Fragile failed in __setstate__") as info:
        ag.load(io.BytesIO(saved(Fragile())), weights_only=False)
    assert isinstance(info.value.__cause__, KeyError)  # the class's own error, chained


# ---- fuzzing ------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.lists(st.integers(0, 50), min_size=1, max_size=6),
       value=st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=4)),
                          lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(st.sampled_from(
                              ["type", "items", "array", "view", "id", "class", "keys", "values", "state"]),
                              c, max_size=3)), max_leaves=8))
def test_random_index_edits_load_or_are_refused(path, value):
    def edit(index):
        node = index
        for step in path[:-1]:
            children = list(node.values()) if isinstance(node, dict) else node
            containers = [c for c in children if isinstance(c, (dict, list)) and c]
            if not containers:
                break
            node = containers[step % len(containers)]
        if isinstance(node, dict):
            node[sorted(node)[path[-1] % len(node)]] = value
        elif node:
            node[path[-1] % len(node)] = value

    data = with_index(SHARED if path[0] % 2 else VIEWS, edit)
    try:
        ag.load(io.BytesIO(data))
    except SerializationError:
        pass


def test_corrupted_files_fuzz():
    """Thousands of corruptions of valid files; each load succeeds with a well-formed result or
    raises SerializationError, under a capped address space (see serialization_fuzz.py)."""
    count = int(os.environ.get("AG_SERIALIZATION_FUZZ", "2500"))
    seed = int(os.environ.get("AG_SERIALIZATION_FUZZ_SEED", "0"))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", NUMBA_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, str(FUZZ_SCRIPT), "--count", str(count), "--seed", str(seed)],
                          capture_output=True, text=True, timeout=max(600, count // 50), env=env)
    assert proc.stdout, proc.stderr[-3000:]
    summary = json.loads(proc.stdout)
    print(f"\nfuzz: {summary['tried']} corruptions in {summary['seconds']} s under a "
          f"{summary['memory_limit_mb']} MB address-space cap; {summary['outcomes']}")
    assert summary["failures"] == [] and proc.returncode == 0, summary["failures"]
    assert summary["tried"] == count >= 2000 and summary["memory_cap_works"]
    assert sum(n for k, n in summary["outcomes"].items() if k.startswith("zip bomb")) > count // 20
