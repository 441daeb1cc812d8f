"""Where converters come from: the op table's entries (`OpInfo.onnx`, beside each
op's declaration) and, for op classes no entry records (the fused recurrent layers,
gradient ops), this package's `converters` module; both keyed by Op class name."""
from autograd_lite.ops.table import ENTRIES

from . import converters as own

_GRADIENT = "a gradient op (recorded only by a forward that differentiates with create_graph=True)"
NOT_MAPPED = {
    "ConvWeightGrad": _GRADIENT, "MaxPoolScatter": _GRADIENT, "AvgPool2dGrad": _GRADIENT,
    "AdaptiveAvgPool2dGrad": _GRADIENT, "IndexScatter2d": _GRADIENT, "IndexGrad": _GRADIENT,
    "EmbeddingGrad": _GRADIENT, "EluGrad": _GRADIENT, "GeluGrad": _GRADIENT, "SiluGrad": _GRADIENT,
    "SoftplusGrad": _GRADIENT, "CrossEntropyLossGrad": _GRADIENT, "KernelValued": _GRADIENT,
    "NormalSample": "random sampling with tensor mean/std (ONNX's RandomNormalLike draws other numbers)",
    "Cumprod": "ONNX has no cumulative product (and exp(cumsum(log x)) fails for x <= 0)",
    "_CellOp": "the recurrent cells' base class (LSTMCell and OneOutputCell are mapped)",
}
"""Op classes with no converter, and why (the export's error says it)."""


def converters():
    """{Op class name: converter}, from the op table and this package's own."""
    table = dict(own.CONVERTERS)
    from_entries = {}
    for entry in ENTRIES:
        for cls_name, fn in (getattr(entry, "onnx", None) or {}).items():
            if from_entries.get(cls_name, fn) is not fn:
                raise RuntimeError(f"onnx: op table entries map {cls_name} to two different converters "
                                   f"({entry!r} and another)")
            from_entries[cls_name] = fn
    both = set(table) & set(from_entries)
    if both:
        raise RuntimeError(f"onnx: {sorted(both)} have converters both in the op table and in "
                           f"autograd_lite/onnx/converters.py; keep the op table's")
    table.update(from_entries)
    return table
