"""Reading a file's index and arrays, in an order that checks before it allocates: the zip's
layout, then the index member's header and JSON, then each array's header against the
index, and only then the array data."""
import json

import numpy as np

from .archive import Archive, parse_dtype
from .errors import Unreadable

FORMAT = "autograd_lite"
VERSION = 2  # 2 added references, views, objects and the other node types; 1 files still load
INDEX_MEMBER = "autograd_lite_index"


def _index_missing(archive):
    names = set(archive.infos)
    if any(n == "data.pkl" or n.endswith("/data.pkl") for n in names):
        return ("it looks like a PyTorch checkpoint (torch.save); load it with torch.load and save its tensors "
                "as NumPy arrays with ag.save")
    return f"a zip/.npz archive without the {FORMAT} index"


def _read_index(archive):
    header = archive.header(INDEX_MEMBER)
    if header.dtype != np.uint8 or len(header.shape) != 1:
        raise Unreadable("the index is not a byte array")
    raw = archive.read(INDEX_MEMBER, header)
    try:
        index = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise Unreadable(f"the index is not valid UTF-8 JSON ({type(e).__name__}: {e})") from None
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise Unreadable(f"the index does not say format '{FORMAT}'")
    version = index.get("version")
    if type(version) is not int:
        raise Unreadable("the index has no integer version")
    if version > VERSION:
        raise Unreadable(f"it was written by a newer autograd_lite (format version {version}; this one reads "
                         f"up to {VERSION})")
    if version < 1 or set(index) != {"format", "version", "arrays", "root"}:
        raise Unreadable("the index has unexpected fields")
    if not isinstance(index["arrays"], list):
        raise Unreadable("the index's 'arrays' is not a list")
    return index


def _array_header(archive, i, spec):
    if (not isinstance(spec, dict) or set(spec) != {"dtype", "shape"} or not isinstance(spec["dtype"], str)
            or not isinstance(spec["shape"], list) or not all(type(s) is int and s >= 0 for s in spec["shape"])):
        raise Unreadable(f"array {i} has a malformed entry in the index")
    dtype = parse_dtype(spec["dtype"], f"array {i}")
    header = archive.header(f"a{i}")
    if header.dtype != dtype or list(header.shape) != spec["shape"]:
        raise Unreadable(f"array {i} is {header.dtype}{list(header.shape)} but the index says {dtype}{spec['shape']}")
    return header


def read_file(fh, size, mmap_path=None):
    """(index, arrays) of the autograd_lite file open in `fh` at its start, `size` bytes long.
    With `mmap_path`, array data are mapped copy-on-write from that file instead of read."""
    archive = Archive(fh, size)
    try:
        if INDEX_MEMBER not in archive.infos:
            raise Unreadable(_index_missing(archive))
        archive.check_layout()
        index = _read_index(archive)
        specs = index["arrays"]
        expected = {INDEX_MEMBER} | {f"a{i}" for i in range(len(specs))}
        names = set(archive.infos)
        if names != expected or len(archive.infos) != len(expected):
            extra, missing = sorted(names - expected), sorted(expected - names)
            raise Unreadable(f"the archive's members do not match its index (missing {missing}, "
                             f"unexpected {extra})")
        headers = [_array_header(archive, i, spec) for i, spec in enumerate(specs)]
        arrays = [archive.read(f"a{i}", h, mmap_path) for i, h in enumerate(headers)]
    finally:
        archive.close()
    return index, arrays
