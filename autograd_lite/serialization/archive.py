"""The container of an autograd_lite file: a zip of stored (uncompressed) `.npy` members, as
`np.savez` writes, each member's data starting at a multiple of 64 bytes (so `mmap=True`
maps it in place). Reading checks every name, size, header and dtype against what `save`
writes before anything is allocated: compressed members (zip bombs), duplicate or
overlapping members, arrays larger than their member and object dtypes are refused."""
import collections
import io
import struct
import zipfile

import ml_dtypes
import numpy as np

from .errors import Unreadable

ALIGN = 64
PAD_FIELD = 0x6C61  # id of the zip "extra field" that pads a local header to ALIGN ("al")
ZIP64_FIELD = 0x0001
LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature ... name length, extra length: 30 bytes
LOCAL_MAGIC = b"PK\x03\x04"
NPY_HEADER_LIMIT = 10000  # np.load's own default max_header_size
MAX_NDIM = 64  # NumPy's limit
_KINDS = "biufcmMSU"  # numbers, bools, datetimes, fixed-size strings: what np.save writes without pickle
_NEVER_LOADED = ("which autograd_lite never loads (object and structured arrays would need pickle; "
                 "np.load(allow_pickle=False) refuses them)")
_METHODS = {zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}

_BFLOAT16 = np.dtype(ml_dtypes.bfloat16)
Header = collections.namedtuple("Header", "shape fortran dtype header_len data_start")


def allowed_dtype(dtype):
    """Whether a file may hold arrays of `dtype`: never object (pickled) or structured ones;
    bfloat16 (ml_dtypes', NumPy kind "V") is allowed by name."""
    if dtype == _BFLOAT16:
        return True
    return dtype.kind in _KINDS and dtype.fields is None and dtype.subdtype is None and dtype.itemsize > 0


def dtype_text(dtype):
    """How the file spells `dtype`: `dtype.str` ('<f4'), and 'bfloat16' for bfloat16,
    whose `str` ('<V2') would read back as raw bytes."""
    return "bfloat16" if dtype == _BFLOAT16 else dtype.str


def parse_dtype(text, what):
    """The allowed dtype spelled `text` (as `dtype.str`), else Unreadable naming `what`."""
    if not isinstance(text, str) or len(text) > 64:
        raise Unreadable(f"{what} has an unknown dtype {text!r}")
    try:
        dtype = np.dtype(text)
    except Exception:  # noqa: BLE001 - any parse failure means "unknown"
        raise Unreadable(f"{what} has an unknown dtype {text!r}") from None
    if not allowed_dtype(dtype):
        raise Unreadable(f"{what} has dtype {dtype}, {_NEVER_LOADED}")
    return dtype


# ---- writing ------------------------------------------------------------------------------------
def write_archive(fh, members):
    """Write `members`, (name, ndarray) pairs, to the binary file `fh` as stored .npy members."""
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, arr in members:
            _write_member(zf, name + ".npy", arr)


def _npy_header(arr):
    fields = np.lib.format.header_data_from_array_1_0(arr)
    fields["descr"] = dtype_text(arr.dtype) if arr.dtype == _BFLOAT16 else fields["descr"]
    buf = io.BytesIO()
    try:
        np.lib.format.write_array_header_1_0(buf, fields)
    except ValueError:  # a header longer than 65535 bytes (very many dimensions of long names)
        buf = io.BytesIO()
        np.lib.format.write_array_header_2_0(buf, fields)
    return buf.getvalue(), fields["fortran_order"]


def _padding(zf, fixed):
    """An extra field that makes the local header end at a multiple of ALIGN (the .npy header
    is a multiple of 64 long, so the array data is aligned too)."""
    try:
        pos = zf.fp.tell()
    except (AttributeError, OSError):
        return b""
    pad = -(pos + LOCAL_HEADER.size + fixed + 4) % ALIGN
    return struct.pack("<HH", PAD_FIELD, pad) + bytes(pad)


def _write_member(zf, name, arr):
    header, fortran = _npy_header(arr)
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # reproducible files
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = len(header) + arr.nbytes
    zip64 = info.file_size * 1.05 > zipfile.ZIP64_LIMIT  # zipfile's own rule; adds a 20-byte field
    info.extra = _padding(zf, len(name) + (20 if zip64 else 0))
    with zf.open(info, "w", force_zip64=zip64) as out:
        out.write(header)
        if arr.size:
            data = arr.T if fortran else np.ascontiguousarray(arr)
            out.write(data.reshape(-1).view(np.uint8))


# ---- reading ------------------------------------------------------------------------------------
def _extra_fields(extra, what):
    fields, pos = [], 0
    while pos < len(extra):
        if pos + 4 > len(extra):
            raise Unreadable(f"{what} has a damaged extra field")
        field_id, n = struct.unpack_from("<HH", extra, pos)
        if pos + 4 + n > len(extra):
            raise Unreadable(f"{what} has a damaged extra field")
        fields.append((field_id, extra[pos + 4:pos + 4 + n]))
        pos += 4 + n
    for field_id, data in fields:
        if field_id not in (PAD_FIELD, ZIP64_FIELD) or (field_id == PAD_FIELD and data.count(0) != len(data)):
            raise Unreadable(f"{what} has an extra field autograd_lite does not write (id {field_id:#06x})")
    return [f for f in fields if f[0] != ZIP64_FIELD]  # zip64 fields differ between the two headers


def _member_name(filename):
    return filename[:-4] if filename.endswith(".npy") else filename


class Archive:
    """The members of a zip whose structure is what `write_archive` makes: `infos` maps member
    names (without `.npy`) to ZipInfo. Nothing is decompressed or allocated unchecked."""

    def __init__(self, fh, size):
        self._fh = fh
        self._size = size  # bytes from the archive's start to the end of the file
        self._zip = zipfile.ZipFile(fh)
        infos = self._zip.infolist()
        counts = collections.Counter(_member_name(i.filename) for i in infos)
        dups = sorted(name for name, n in counts.items() if n > 1)
        if dups:
            raise Unreadable(f"the archive has {counts[dups[0]]} members named {dups[0]!r} "
                             "(autograd_lite writes each name once; which copy to load would be a guess)")
        self.infos = {_member_name(i.filename): i for i in infos}
        self._starts = {}

    def close(self):
        self._zip.close()

    def check_layout(self):
        """Refuse encrypted, compressed, inconsistent or overlapping members, so that loading
        reads each byte of the file at most once and allocates no more than the file holds."""
        for info in self.infos.values():
            what = f"member {info.filename!r}"
            if info.flag_bits & 0x1:
                raise Unreadable(f"{what} is encrypted")
            if info.compress_type != zipfile.ZIP_STORED:
                method = _METHODS.get(info.compress_type, f"method {info.compress_type}")
                raise Unreadable(f"{what} is compressed ({method}); autograd_lite writes uncompressed members "
                                 "only and refuses compressed ones, which could expand without bound (a zip bomb)")
            if info.file_size != info.compress_size:
                raise Unreadable(f"{what} is stored uncompressed but its sizes differ "
                                 f"({info.compress_size} bytes stored, {info.file_size} declared)")
        end_of_data = getattr(self._zip, "start_dir", self._size)
        previous_end, previous = 0, None
        for info in sorted(self.infos.values(), key=lambda i: i.header_offset):
            start = self._data_start(info)
            if info.header_offset < previous_end:
                raise Unreadable(f"members {previous!r} and {info.filename!r} overlap in the archive")
            previous_end, previous = start + info.compress_size, info.filename
            if previous_end > end_of_data:
                raise Unreadable(f"member {info.filename!r} runs past the end of the archive's data "
                                 f"({info.compress_size} bytes declared)")

    def _data_start(self, info):
        """Where the member's bytes start, from its local header, which must agree with the
        central directory."""
        what = f"member {info.filename!r}"
        self._fh.seek(info.header_offset)
        raw = self._fh.read(LOCAL_HEADER.size)
        if len(raw) < LOCAL_HEADER.size:
            raise Unreadable(f"{what}'s local header is cut off")
        magic, _, _, method, _, _, _, _, _, name_len, extra_len = LOCAL_HEADER.unpack(raw)
        name, extra = self._fh.read(name_len), self._fh.read(extra_len)
        if magic != LOCAL_MAGIC or method != info.compress_type or name != info.filename.encode("utf-8", "replace"):
            raise Unreadable(f"{what}'s local header is damaged")
        if len(extra) != extra_len or _extra_fields(extra, what) != _extra_fields(info.extra, what):
            raise Unreadable(f"{what}'s local header and the central directory disagree")
        start = self._starts[info.filename] = info.header_offset + LOCAL_HEADER.size + name_len + extra_len
        return start

    def header(self, name):
        """The member's .npy header, checked: an allowed dtype, and exactly as many data bytes
        as the shape needs (so a header declaring 10**12 elements in a small member fails here)."""
        info = self.infos[name]
        what = f"member {info.filename!r}"
        start = self._starts[info.filename]
        self._fh.seek(start)
        head = io.BytesIO(self._fh.read(min(info.file_size, NPY_HEADER_LIMIT + 16)))
        try:
            version = np.lib.format.read_magic(head)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(head, NPY_HEADER_LIMIT)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(head, NPY_HEADER_LIMIT)
            else:
                raise Unreadable(f"{what} is in .npy format {version}, which autograd_lite does not write")
        except (ValueError, EOFError, TypeError, SyntaxError, RecursionError, MemoryError) as e:
            raise Unreadable(f"{what} has a damaged .npy header ({type(e).__name__}: {e})") from None
        if not allowed_dtype(dtype):
            raise Unreadable(f"{what} holds an array of dtype {dtype}, {_NEVER_LOADED}")
        if len(shape) > MAX_NDIM or not all(type(n) is int and n >= 0 for n in shape):
            raise Unreadable(f"{what} declares an invalid shape {shape!r}")
        header_len = head.tell()
        need = dtype.itemsize
        for n in shape:
            need *= n
        if need != info.file_size - header_len:
            raise Unreadable(f"{what} declares a {dtype} array of shape {tuple(shape)} ({need} bytes) but holds "
                             f"{info.file_size - header_len} bytes of data")
        return Header(tuple(shape), fortran, dtype, header_len, start)

    def read(self, name, header, mmap_path=None):
        """The member's array, read with np.load(allow_pickle=False) (which checks the CRC), or
        mapped copy-on-write from `mmap_path` when its data are aligned for the dtype."""
        info = self.infos[name]
        offset = header.data_start + header.header_len
        if mmap_path is not None and header.dtype.itemsize * int(np.prod(header.shape)) > 0 \
                and offset % header.dtype.alignment == 0:
            mapped = np.memmap(mmap_path, header.dtype, mode="c", offset=offset, shape=header.shape,
                               order="F" if header.fortran else "C")
            return mapped.view(np.ndarray)
        with self._zip.open(info) as stream:
            arr = np.load(stream, allow_pickle=False)
        if not isinstance(arr, np.ndarray) or arr.shape != header.shape or arr.dtype != header.dtype:
            raise Unreadable(f"member {info.filename!r} changed while it was read")
        return arr
