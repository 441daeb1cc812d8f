"""Corrupted-file fuzzing of ag.load, run as a script in a child process (see
tests/test_serialization_fuzz.py): valid files get thousands of random corruptions (bit
flips, truncations, member swaps and duplicates, zip bombs, .npy header and JSON index
edits, zip directory edits) and every load must either succeed with a well-formed result
or raise SerializationError. The address space is capped with RLIMIT_AS, so a load that
allocates what the file does not hold fails with MemoryError and is reported.

    python tests/serialization_fuzz.py --count 2000 --seed 0 [--memory-mb 512]

prints a JSON summary and exits 1 if any load misbehaved.
"""
import argparse
import collections
import io
import json
import resource
import struct
import sys
import time
import warnings
import zipfile
import zlib

import numpy as np

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.serialization import INDEX_MEMBER, SerializationError, safe_globals

BOMB_BYTES = 1 << 30  # a deflated member that would expand to 1 GiB, far above the memory cap


# ---- the valid files ------------------------------------------------------------------------------
def _saved(obj):
    buf = io.BytesIO()
    ag.save(obj, buf)
    return buf.getvalue()


def _version_1_file():
    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    index = {"format": "autograd_lite", "version": 1, "arrays": [{"dtype": arr.dtype.str, "shape": [2, 3]}],
             "root": {"type": "dict", "keys": [{"type": "str", "value": "w"}],
                      "values": [{"type": "tensor", "array": 0, "requires_grad": True, "parameter": False}]}}
    buf = io.BytesIO()
    np.savez(buf, allow_pickle=False, **{INDEX_MEMBER: np.frombuffer(json.dumps(index).encode(), np.uint8),
                                         "a0": arr})
    return buf.getvalue()


def valid_files():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    base = ag.randn(4, 5)
    shared = [1, 2]
    cyclic = [0]
    cyclic.append(cyclic)
    return {
        "state_dict": _saved(model.state_dict()),
        "optimizer": _saved({"state": {0: {"step": ag.tensor(3.0), "exp_avg": ag.randn(3)}},
                             "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0]}]}),
        "scalars": _saved([None, True, -7, 2 ** 70, 1.5, float("nan"), 1 + 2j, "héllo", b"\x00\xff",
                           bytearray(b"ab"), {3, 4}, ag.float64, np.int16(3), np.arange(3.0)]),
        "views": _saved({"base": base, "row": base[1], "t": base.T, "col": base[:, 2], "data": base.data}),
        "shared": _saved({"a": shared, "b": shared, "cycle": cyclic, "counter": collections.Counter("aab"),
                          "od": collections.OrderedDict(x=ag.arange(3))}),
        "parameters": _saved({"p": nn.Parameter(ag.randn(2, 2)), "frozen": nn.Parameter(ag.ones(2), False)}),
        "module": _saved(model),
        "version_1": _version_1_file(),
    }


# ---- corruptions ----------------------------------------------------------------------------------
def members_of(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def stored_zip(members, compress=()):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, payload in members:
            z.writestr(name, payload, compress_type=zipfile.ZIP_DEFLATED if name in compress else zipfile.ZIP_STORED)
    return buf.getvalue()


def npy_bytes(shape, descr, fortran=False, data=b""):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "shape": shape, "fortran_order": fortran})
    return buf.getvalue() + data


def bomb_stream():
    """The .npy header and raw deflate stream of a member expanding to BOMB_BYTES (about 1 MB):
    a fully flushed block of 1 MiB of zeros is byte-aligned and independent, so it repeats."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    header = npy_bytes((BOMB_BYTES,), "|u1")
    start = comp.compress(header) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(bytes(1 << 20)) + comp.flush(zlib.Z_FULL_FLUSH)
    return header, start + block * (BOMB_BYTES >> 20) + comp.flush()


def raw_zip(entries):
    """A zip built by hand from (name, method, crc, uncompressed size, stored bytes) entries."""
    out, central = bytearray(), bytearray()
    for name, method, crc, size, data in entries:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 33, crc, len(data), size,
                           len(encoded), 0) + encoded + data
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 33, crc, len(data), size,
                               len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(out), 0)
    return bytes(out + central + end)


def _with_bomb(members, rng, bomb):
    """One member replaced by a deflated stream that expands to 1 GiB."""
    header, stream = bomb
    victim = int(rng.integers(len(members)))
    entries = [(name, zipfile.ZIP_STORED, zlib.crc32(payload), len(payload), payload)
               for name, payload in members]
    entries[victim] = (members[victim][0], zipfile.ZIP_DEFLATED, 0, BOMB_BYTES + len(header), stream)
    return raw_zip(entries)


def central_entries(data):
    """(position, name) of each central directory entry."""
    out, pos = [], data.find(b"PK\x01\x02")
    while pos != -1:
        name_len, extra_len, comment_len = struct.unpack_from("<3H", data, pos + 28)
        out.append((pos, data[pos + 46:pos + 46 + name_len].decode("utf-8", "replace")))
        pos = data.find(b"PK\x01\x02", pos + 46 + name_len + extra_len + comment_len)
    return out


def _edit_npy_header(members, rng):
    name, payload = members[rng.integers(len(members))]
    choice = rng.integers(8)
    if choice == 0:
        new = npy_bytes((10 ** 12,), "<f4", data=payload[128:])
    elif choice == 1:
        new = npy_bytes((int(rng.integers(1, 1 << 40)), int(rng.integers(1, 1 << 20))), "<f8", data=payload[128:])
    elif choice == 2:
        new = npy_bytes((2,), "|O", data=payload[128:])
    elif choice == 3:
        new = npy_bytes((1,), [("a", "<f8"), ("b", "<i4")], data=payload[128:])
    elif choice == 4:
        new = npy_bytes((1, 2), "<f8", fortran=True, data=payload[128:])
    elif choice == 5:
        new = payload[:6] + bytes([3, 0]) + payload[8:]  # an unknown .npy version
    elif choice == 6:
        new = payload[:8] + struct.pack("<H", int(rng.integers(0, 65536))) + payload[10:]  # header length
    else:
        text = payload[10:128].replace(b"(", b"(-", 1)  # a negative dimension
        new = payload[:10] + text[:118] + payload[128:]
    return stored_zip([(n, new if n == name else p) for n, p in members])


def _mutate_json(value, rng, depth=0):
    """A random structural change somewhere in the JSON tree."""
    if isinstance(value, dict) and value and (depth == 0 or rng.random() < 0.7):
        key = list(value)[rng.integers(len(value))]
        if rng.random() < 0.6:
            value[key] = _mutate_json(value[key], rng, depth + 1)
        elif rng.random() < 0.5:
            del value[key]
        else:
            value[key] = _random_json(rng)
        return value
    if isinstance(value, list) and value and rng.random() < 0.7:
        i = int(rng.integers(len(value)))
        action = rng.random()
        if action < 0.6:
            value[i] = _mutate_json(value[i], rng, depth + 1)
        elif action < 0.8:
            value.append(value[i])
        else:
            del value[i]
        return value
    return _random_json(rng)


def _random_json(rng):
    return [None, True, -1, 0, 1, 7, 2 ** 62, -(2 ** 70), 10 ** 30, 1.5, float("inf"), "x", "",
            "<f8", "|O", "V8", "os", "system", "builtins", "eval", [], {}, [0, 1], {"type": "none"},
            {"type": "ref", "id": 0}, {"type": "list", "items": [{"type": "ref", "id": 0}]},
            {"type": "object", "class": ["os", "system"]}, {"type": "global", "module": "os", "name": "system"},
            {"type": "tensor", "array": 0, "requires_grad": False, "parameter": False,
             "view": {"dtype": "<f8", "shape": [10 ** 9], "strides": [0], "offset": 0}},
            {"type": "ndarray", "array": 0, "view": {"dtype": "<f8", "shape": [3], "strides": [-8], "offset": 0}},
            json.loads('[' * 400 + ']' * 400)][rng.integers(31)]


def _edit_index(members, rng):
    payload = dict(members)[INDEX_MEMBER + ".npy"]
    header_len = 10 + struct.unpack_from("<H", payload, 8)[0]
    index = json.loads(payload[header_len:].decode("utf-8"))
    raw = json.dumps(_mutate_json(index, rng)).encode()
    if rng.random() < 0.1:
        raw = raw[:int(rng.integers(len(raw) + 1))] + bytes(rng.integers(0, 256, 3, dtype=np.uint8))
    new = npy_bytes((len(raw),), "|u1", data=raw)
    return stored_zip([(n, new if n == INDEX_MEMBER + ".npy" else p) for n, p in members])


def corrupt(data, rng, bomb):
    """(kind, damaged bytes) for one random corruption of `data`."""
    kind = ["bit flips", "byte run", "truncation", "insert/delete", "member swap", "member duplicate",
            "member drop", "compressed member", "zip bomb", "npy header", "json index", "directory field",
            "junk around"][rng.integers(13)]
    b = bytearray(data)
    members = members_of(data)
    if kind == "bit flips":
        for _ in range(rng.integers(1, 9)):
            b[rng.integers(len(b))] ^= 1 << int(rng.integers(8))
    elif kind == "byte run":
        i, n = int(rng.integers(len(b))), int(rng.integers(1, 17))
        b[i:i + n] = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
    elif kind == "truncation":
        b = b[:rng.integers(len(b))]
    elif kind == "insert/delete":
        i = int(rng.integers(len(b)))
        b = b[:i] + rng.integers(0, 256, rng.integers(1, 9), dtype=np.uint8).tobytes() + b[i:] \
            if rng.random() < 0.5 else b[:i] + b[i + int(rng.integers(1, 9)):]
    elif kind == "member swap":
        names = [n for n, _ in members]
        i, j = rng.integers(len(names), size=2)
        swapped = {names[i]: dict(members)[names[j]], names[j]: dict(members)[names[i]]}
        b = stored_zip([(n, swapped.get(n, p)) for n, p in members])
    elif kind == "member duplicate":
        extra = members[rng.integers(len(members))]
        b = stored_zip(members + [(extra[0], extra[1] if rng.random() < 0.5 else members[0][1])])
    elif kind == "member drop":
        dropped = rng.integers(len(members))
        b = stored_zip([m for k, m in enumerate(members) if k != dropped])
    elif kind == "compressed member":
        b = stored_zip(members, compress={members[rng.integers(len(members))][0]})
    elif kind == "zip bomb":
        b = _with_bomb(members, rng, bomb)
    elif kind == "npy header":
        b = _edit_npy_header(members, rng)
    elif kind == "json index":
        b = _edit_index(members, rng)
    elif kind == "directory field":
        entries = central_entries(data)
        pos = entries[rng.integers(len(entries))][0]
        offset = int(rng.choice([10, 20, 24, 28, 30, 42]))  # method, sizes, name/extra length, offset
        width = 2 if offset in (10, 28, 30) else 4
        value = int(rng.choice([0, 1, 8, 12, 99, (1 << (8 * width)) - 1, int(rng.integers(1 << (8 * width)))]))
        b[pos + offset:pos + offset + width] = value.to_bytes(width, "little")
    else:
        junk = rng.integers(0, 256, rng.integers(1, 64), dtype=np.uint8).tobytes()
        b = junk + b if rng.random() < 0.5 else b + junk
    return kind, bytes(b)


# ---- checking a load ------------------------------------------------------------------------------
_LEAVES = (type(None), bool, int, float, complex, str, bytes, bytearray, np.generic, np.dtype)


def well_formed(obj, depth=0):
    """Walk a loaded object: every node a type weights_only loading may build, every array
    readable at its lowest and highest addressed element."""
    stack, seen = [obj], set()
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, ag.Tensor):
            x = x._data
        if isinstance(x, np.ndarray):
            assert x.dtype.kind in "biufcmMSU", x.dtype
            if x.size:
                lo = tuple(n - 1 if s < 0 else 0 for n, s in zip(x.shape, x.strides))
                hi = tuple(n - 1 if s > 0 else 0 for n, s in zip(x.shape, x.strides))
                x[lo], x[hi]  # noqa: B018 - touch both ends of its memory
        elif isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())
        elif isinstance(x, (list, tuple, set, frozenset)):
            stack.extend(x)
        elif isinstance(x, nn.Module):
            stack.append(x.__dict__)
        else:
            assert isinstance(x, _LEAVES), type(x)


BYTE_LEVEL = {"bit flips", "byte run", "truncation", "insert/delete", "directory field", "junk around"}


def fingerprint(x, seen=None):
    """A comparable description of a loaded object: types, values, array bytes, sharing."""
    seen = {} if seen is None else seen
    if id(x) in seen:
        return ("ref", seen[id(x)])
    if isinstance(x, (list, dict, set, bytearray, ag.Tensor, np.ndarray, nn.Module)):
        seen[id(x)] = len(seen)
    if isinstance(x, ag.Tensor):
        return ("tensor", type(x).__name__, x.requires_grad, fingerprint(x._data, seen))
    if isinstance(x, np.ndarray):
        return ("array", x.dtype.str, x.shape, x.tobytes())
    if isinstance(x, nn.Module):
        return ("module", type(x).__name__, fingerprint(x.state_dict(), seen))
    if isinstance(x, dict):
        return (type(x).__name__, tuple((fingerprint(k, seen), fingerprint(v, seen)) for k, v in x.items()))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, tuple(fingerprint(v, seen) for v in x))
    if isinstance(x, (set, frozenset)):
        return (type(x).__name__, tuple(sorted(repr(fingerprint(v, seen)) for v in x)))
    return (type(x).__name__, repr(x))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memory-mb", type=int, default=512, help="address space allowed above the baseline")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # zipfile warns about the duplicate members made on purpose
    files = valid_files()
    bomb = bomb_stream()
    with open("/proc/self/status") as fh:  # the address space in use now, imports included
        baseline = int(next(line for line in fh if line.startswith("VmSize")).split()[1]) * 1024
    limit = baseline + args.memory_mb * 2 ** 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    try:  # the cap is real: an allocation beyond it fails
        np.empty((args.memory_mb + 64) << 20, np.uint8)
        cap_works = False
    except MemoryError:
        cap_works = True
    rng = np.random.default_rng(args.seed)
    outcomes, failures = collections.Counter(), []
    names = sorted(files)
    start = time.perf_counter()
    with safe_globals([nn.Sequential, nn.Linear, nn.ReLU]):
        expected = {name: fingerprint(ag.load(io.BytesIO(data))) for name, data in files.items()}
        for trial in range(args.count):
            name = names[trial % len(names)]
            kind, damaged = corrupt(files[name], rng, bomb)
            try:
                result = ag.load(io.BytesIO(damaged))
                well_formed(result)
                if kind in BYTE_LEVEL:  # raw damage may only hit bytes nobody reads (timestamps...)
                    assert fingerprint(result) == expected[name], "damaged bytes loaded as different data"
                outcomes[f"{kind}: loaded"] += 1
            except SerializationError:
                outcomes[f"{kind}: refused"] += 1
            except BaseException as e:  # noqa: BLE001 - anything else is the bug this hunts
                failures.append({"trial": trial, "file": name, "kind": kind, "error": f"{type(e).__name__}: {e}"[:500]})
    seconds = time.perf_counter() - start
    print(json.dumps({"tried": args.count, "seconds": round(seconds, 2), "memory_limit_mb": limit >> 20,
                      "memory_cap_works": cap_works,
                      "outcomes": dict(sorted(outcomes.items())), "failures": failures[:20],
                      "failure_count": len(failures)}))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
