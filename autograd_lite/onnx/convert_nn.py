"""Converters of layer ops that no op-table entry records (keyed by Op class name):
the fused recurrent layers (nn.RNN/LSTM/GRU run one per layer and direction). The
layer families' other converters live beside their entries in ops/table/."""
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


CONVERTERS = {
    "RecurrentLayer": convert_recurrent_layer,
}
