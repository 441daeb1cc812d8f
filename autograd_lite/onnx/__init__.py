"""Export models to ONNX, as torch.onnx.export: `ag.onnx.export(model,
args, "model.onnx", input_names=..., output_names=..., dynamic_axes=...)`.

Needs the `onnx` package (`pip install -e ".[onnx]"`); onnxruntime runs the result.
The mapping of each op to ONNX lives beside its op-table entry (`OpInfo.onnx`) or,
for op classes no entry records, in this package's `converters` module."""
try:
    import onnx  # noqa: F401  (checked here, so the error says what to install)
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("autograd_lite.onnx needs the onnx package: pip install onnx (or pip install -e "
                      "'.[onnx]'); onnxruntime runs the exported models") from e

from .builder import ExportError, UnsupportedOperatorError  # noqa: E402
from .exporter import DEFAULT_OPSET, export  # noqa: E402

__all__ = ["export", "ExportError", "UnsupportedOperatorError", "DEFAULT_OPSET"]
