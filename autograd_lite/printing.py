"""Tensor printing, as PyTorch's (`torch._tensor_str`): the print options
(`set_printoptions`, `get_printoptions`) and the text of a tensor's values.

The layout is PyTorch's, step for step, on the NumPy array: one format for all the
values of a tensor (chosen from its nonzero finite values: whole numbers print as
`1.`, and scientific notation is used when the largest is over 1e8 or over 1000 times
the smallest, or the smallest is under 1e-4, unless `sci_mode` says otherwise), right-
aligned to one width, `linewidth` characters a line, and tensors of more than
`threshold` elements summarised to `edgeitems` items at each end of each dimension.
"""
import math
from dataclasses import asdict, dataclass

import numpy as np

from . import _dtypes

__all__ = ["set_printoptions", "get_printoptions", "format_array", "tensor_repr", "add_suffixes"]


@dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: object = None


PRINT_OPTS = _PrinterOptions()

_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """Set the options tensors print with, as PyTorch's: `precision` (digits after the
    point, 4), `threshold` (more elements than this are summarised, 1000), `edgeitems`
    (items kept at each end of a summarised dimension, 3), `linewidth` (80), `profile`
    ("default", "short" or "full": those three presets, then the other arguments given
    override them) and `sci_mode` (True/False forces scientific notation on or off;
    None, also what any call without it sets, chooses by the values)."""
    if profile is not None and profile in _PROFILES:  # PyTorch ignores other names
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options as a dict (precision, threshold, edgeitems, linewidth,
    sci_mode) that `set_printoptions(**options)` takes back."""
    return asdict(PRINT_OPTS)


class _Formatter:
    """One format for every value of an array: its mode (integer, whole floats, fixed or
    scientific) and width, from the values it will print."""

    def __init__(self, d):
        self.floating_dtype = d.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = d.reshape(-1)
        if not self.floating_dtype:
            self.max_width = max([1] + [len(f"{v}") for v in flat.tolist()])
            return
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return
        absolute = np.abs(vals).astype(np.float64)
        lo, hi = absolute.min(), absolute.max()
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        p = PRINT_OPTS.precision
        values = vals.tolist()
        if self.sci_mode:
            self.max_width = max(len(f"{v:.{p}e}") for v in values)
        elif self.int_mode:
            self.max_width = max(len(f"{v:.0f}") + 1 for v in values)
        else:
            self.max_width = max(len(f"{v:.{p}f}") for v in values)
        self.max_width = max(self.max_width, 1)

    def format(self, value):
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _vector_str(d, indent, summarize, formatter):
    element_length = formatter.max_width + 2
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        data = ["..."]
    elif summarize and d.shape[0] > 2 * edge:
        data = ([formatter.format(v) for v in d[:edge].tolist()] + [" ..."]
                + [formatter.format(v) for v in d[-edge:].tolist()])
    else:
        data = [formatter.format(v) for v in d.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _str_with_formatter(d, indent, summarize, formatter):
    if d.ndim == 0:
        return formatter.format(d.item())
    if d.ndim == 1:
        return _vector_str(d, indent, summarize, formatter)
    edge = PRINT_OPTS.edgeitems
    if summarize and d.shape[0] > 2 * edge:
        rows = list(range(edge)) + [None] + list(range(d.shape[0] - edge, d.shape[0]))
    else:
        rows = range(d.shape[0])
    slices = ["..." if i is None else _str_with_formatter(d[i], indent + 1, summarize, formatter) for i in rows]
    return "[" + ("," + "\n" * (d.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized(d):
    """The values a summarised print shows (the format is chosen from these alone)."""
    edge = PRINT_OPTS.edgeitems
    if d.ndim == 0:
        return d
    if d.ndim == 1:
        return np.concatenate((d[:edge], d[-edge:])) if d.shape[0] > 2 * edge else d
    if not edge:
        return np.empty((0,) * d.ndim, d.dtype)
    rows = list(range(edge)) + list(range(d.shape[0] - edge, d.shape[0])) if d.shape[0] > 2 * edge \
        else range(d.shape[0])
    return np.stack([_summarized(d[i]) for i in rows])


def format_array(d, prefix):
    """An array's values as PyTorch prints them after `prefix` (continuation lines
    indented under it), by the current print options."""
    if d.size == 0:
        return "[]"
    if d.dtype is _dtypes.bfloat16:  # print the float32 values (NumPy formats bfloat16 its own way)
        d = d.astype(_dtypes.float32)
    summarize = d.size > PRINT_OPTS.threshold
    formatter = _Formatter(_summarized(d) if summarize else d)
    return _str_with_formatter(d, len(prefix), summarize, formatter)


def tensor_repr(d, grad_fn_name, requires_grad):
    """`repr()` of a dense tensor with values `d`: `tensor(<values>, <suffixes>)`, the
    suffixes (size, dtype, grad_fn or requires_grad) wrapped to the line width as PyTorch's."""
    prefix = "tensor("
    suffixes = []
    if d.size == 0:
        if d.ndim != 1:
            suffixes.append(f"size={tuple(d.shape)}")
        if d.dtype != _dtypes.get_default_dtype():
            suffixes.append(f"dtype={d.dtype}")
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(d.shape)}")
        if d.dtype not in (_dtypes.get_default_dtype(), _dtypes.int64, _dtypes.bool_):
            suffixes.append(f"dtype={d.dtype}")
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return add_suffixes(prefix + format_array(d, prefix), suffixes, len(prefix))


def _printed_len(suffix):
    """The suffix's length in PyTorch's repr, where dtypes are named `torch.<name>`: line
    breaks fall where PyTorch's do although our dtype names are shorter."""
    return len(suffix) + len("torch.") * suffix.startswith("dtype=")


def add_suffixes(text, suffixes, indent, force_newline=False):
    """`text` followed by `, suffix` for each suffix (on a new line indented by `indent`
    where the line would pass the line width) and the closing parenthesis."""
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if force_newline or last_line_len + _printed_len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + _printed_len(suffix)
            force_newline = False
        else:
            parts.append(", " + suffix)
            last_line_len += _printed_len(suffix) + 2
    parts.append(")")
    return "".join(parts)
