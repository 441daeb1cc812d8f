"""Converters of the op classes no op-table entry records (keyed by Op class name):
the fused recurrent layers (nn.RNN/LSTM/GRU run one per layer and direction), their
alias, and the gradient ops with a plain ONNX form.
Every other op's converter lives beside its entry in ops/table/ (`OpInfo.onnx`)."""
from autograd_lite.ops.opinfo import onnx_identity, onnx_scalar
from autograd_lite.ops.table.rnn import onnx_recurrence, onnx_state


def convert_recurrent_layer(b, node, inputs):
    """One layer and direction as one ONNX LSTM/GRU/RNN node (packed batches: its
    sequence_lens)."""
    lengths = inputs.arg(9)
    if lengths is not None:
        b.same_in_both("sequence lengths", lengths, b.twin.args[9] if b.twin else lengths)
    outs = onnx_recurrence(b, node, inputs, inputs[0], onnx_state(b, inputs, 1), onnx_state(b, inputs, 2),
                           reverse=node.reverse, lengths=lengths)
    return outs if node.kmode == "LSTM" else outs[:2]


def convert_tanh_grad(b, node, inputs):
    """g * (1 - y^2)."""
    y = inputs[1]
    return b.op("Mul", [inputs[0], b.op("Sub", [onnx_scalar(b, 1.0), b.op("Mul", [y, y])])])


def convert_sigmoid_grad(b, node, inputs):
    """g * y * (1 - y)."""
    y = inputs[1]
    return b.op("Mul", [b.op("Mul", [inputs[0], y]), b.op("Sub", [onnx_scalar(b, 1.0), y])])


CONVERTERS = {
    "RecurrentLayer": convert_recurrent_layer,
    "_Alias": onnx_identity,
    "TanhGrad": convert_tanh_grad,
    "SigmoidGrad": convert_sigmoid_grad,
}
