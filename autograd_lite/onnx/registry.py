"""Where converters come from: the op table's entries (`OpInfo.onnx`, beside each
op's declaration) and, for op classes no entry records (the fused recurrent layers,
gradient ops), this package's `converters` module; both keyed by Op class name."""
from autograd_lite.ops.table import ENTRIES

from . import converters as own

_GRADIENT = "a gradient op (recorded only by a forward that differentiates with create_graph=True)"
_RANDOM = "random sampling (ONNX's random operators draw other numbers than autograd_lite's generator)"
_LINALG = "a matrix decomposition or solve ONNX has no operator for (it has only Det)"
_SPARSE = "an op of sparse COO tensors (the export writes dense graphs: make the tensor dense first)"
_DISTRIBUTIONS = ("a distributions-internal op (gamma and Dirichlet draws): ONNX has no such "
                  "operator, and a distribution's sampling is no model to export")
_GAMMA = ("ONNX has no lgamma, digamma or polygamma operator (mvlgamma is built on lgamma, "
          "so it does not export either)")
_SPECIAL = "ONNX has no operator for the Bessel functions, erfcx, the incomplete gamma or the zeta function"
NOT_MAPPED = {
    "ConvWeightGrad": _GRADIENT, "MaxPoolScatter": _GRADIENT, "AvgPool2dGrad": _GRADIENT,
    "AdaptiveAvgPool2dGrad": _GRADIENT, "IndexScatter2d": _GRADIENT, "IndexGrad": _GRADIENT,
    "EmbeddingGrad": _GRADIENT, "EluGrad": _GRADIENT, "GeluGrad": _GRADIENT, "SiluGrad": _GRADIENT,
    "SoftplusGrad": _GRADIENT, "CrossEntropyLossGrad": _GRADIENT, "KernelValued": _GRADIENT,
    "SincGrad": _GRADIENT, "BackwardWeighted": _GRADIENT, "ForwardWeighted": _GRADIENT,
    "CtcLossGrad": _GRADIENT, "SoftmaxGrad": _GRADIENT, "LogSoftmaxGrad": _GRADIENT,
    "SampledDot": _GRADIENT,
    "GridSampleGrad": _GRADIENT, "_GridSampleAlias": _GRADIENT,
    "Conv3dWeightGrad": _GRADIENT, "MaxPool3dScatter": _GRADIENT, "AvgPool3dGrad": _GRADIENT,
    "AdaptiveAvgPool3dGrad": _GRADIENT,
    "SparseDenseMM": _SPARSE, "DenseSourceMM": _SPARSE, "SegmentSum": _SPARSE, "ScatterToDense": _SPARSE,
    "DenseOfSource": _SPARSE, "SparseCooTensorWithDimsAndTensors": _SPARSE,
    "NormalSample": "random sampling with tensor mean/std (ONNX's RandomNormalLike draws other numbers)",
    "RandomSample": _RANDOM, "FixedProbabilitySample": _RANDOM,
    "RandomLeakyRelu": "rrelu's random slopes while training (in eval mode rrelu is a leaky_relu with "
                       "the mean slope, which exports)",
    "NoiseAffine": "the random noise of alpha and feature dropout while training (in eval mode they "
                   "are the identity, which exports)",
    "Cumprod": "ONNX has no cumulative product (and exp(cumsum(log x)) fails for x <= 0)",
    "CtcLoss": "ONNX has no CTC loss (a dynamic-programming recursion over time and labels)",
    "Inv": _LINALG, "Solve": _LINALG, "Cholesky": _LINALG, "QR": _LINALG, "SVD": _LINALG,
    "SVDVals": _LINALG, "Eigh": _LINALG, "EigvalsH": _LINALG, "Pinv": _LINALG,
    "LU": _LINALG, "InvEx": _LINALG, "SolveEx": _LINALG, "CholeskyEx": _LINALG,
    "MatrixExp": _LINALG, "LDLFactor": _LINALG, "LDLSolve": _LINALG,
    "MaxUnpool": "ONNX's MaxUnpool takes indices into the whole tensor (PyTorch's index each plane); "
                 "no converter written yet",
    "MaxUnpool3d": "ONNX's MaxUnpool takes indices into the whole tensor (PyTorch's index each volume); "
                   "no converter written yet",
    "SlogDet": "ONNX has only Det, and log|det| through it overflows where slogdet exists not to",
    "_CellOp": "the recurrent cells' base class (LSTMCell and OneOutputCell are mapped)",
    "Lgamma": _GAMMA, "Digamma": _GAMMA, "Polygamma": _GAMMA,
    "I0": _SPECIAL, "I0e": _SPECIAL, "I1": _SPECIAL, "I1e": _SPECIAL, "Erfcx": _SPECIAL, "Igamma": _SPECIAL,
    "Zeta": _SPECIAL,
    "StandardGamma": _DISTRIBUTIONS, "DirichletSample": _DISTRIBUTIONS,
    "CopySlices": "an in-place change through a view while recording gradients: an export "
                  "traces the forward, whose in-place writes ONNX has no form for",
    "StridedView": "the history a view takes after its base changed in place (as CopySlices)",
    "_PiecewiseLinear": "the piecewise-linear activations' base class (each activation is mapped)",
    "BinaryFloat": "the binary float ops' base class (atan2, hypot, logaddexp, xlogy... are mapped)",
    "EvenlySelected": "median() over every element: ONNX has no median operator (the value is "
                      "picked outside the graph; median with dim exports as a gather)",
    "SlidingWindowsGrad": _GRADIENT, "StorageMove": _GRADIENT,
    "AsStrided": "as_strided views memory by strides and offset, which ONNX tensors don't have",
    "Mantissa": "frexp: ONNX has no frexp operator",
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
