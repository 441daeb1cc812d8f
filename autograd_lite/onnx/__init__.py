"""Export models to ONNX, as torch.onnx.export: `autograd_lite.onnx.export(model,
args, "model.onnx", input_names=..., output_names=..., dynamic_axes=...)`.

Needs the `onnx` package (`pip install -e ".[onnx]"`); onnxruntime runs the result.
The mapping of each op to ONNX lives beside its op-table entry (`OpInfo.onnx`) or,
for op classes no entry records, in this package's `convert_*` modules."""
from .builder import ExportError, UnsupportedOperatorError
from .exporter import DEFAULT_OPSET, export

__all__ = ["export", "ExportError", "UnsupportedOperatorError", "DEFAULT_OPSET"]
