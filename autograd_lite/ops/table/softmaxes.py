"""Table entries of softmax and log_softmax (ops/softmaxes.py)."""
from .. import softmaxes as ops
from ..opinfo import Dtype, OpInfo, S, T
from .activation import onnx_log_softmax, onnx_softmax  # shared with F.softmax's entries


def samples():
    """Each dim, negative dims, 0-d and empty inputs, large values (stability) and
    `dtype=` (also for an integer input, which needs it). -inf entries, where gradcheck
    can't take differences, are in tests/ops/test_softmax.py."""
    return [
        S(T(3, 4), 1), S(T(3, 4), 0), S(T(2, 3, 4), -1), S(T(2, 3, 4), 1), S(T(2, 3, 4), -3),
        S(T(5), 0), S(T(), 0), S(T(), -1), S(T(0, 3), 1), S(T(0, 3), 0), S(T(2, 0), 0),
        S(T(4, 3, layout="transposed"), 1), S(T(2, 6, layout="strided"), 0),
        S(T(2, 3, low=500, high=1000), 1), S(T(2, 3, low=-1000, high=-500), 0),
        S(T(3, 4), dim=-1), S(T(3, 4), 1, dtype=Dtype("float64")),
        S(T(2, 3, kind="index", low=-3, high=4), 1, dtype=Dtype("float64")),
    ]



ENTRIES = [
    OpInfo("softmax", ops.softmax, samples(), onnx={"Softmax": onnx_softmax},
           doc="`exp(x) / sum(exp(x))` along `dim` (required), computed stably; `dtype` casts the "
               "input first, and integer tensors become the default float dtype."),
    OpInfo("log_softmax", ops.log_softmax, samples(), onnx={"LogSoftmax": onnx_log_softmax},
           doc="`log(softmax(x))` along `dim` (required), computed stably as `x - logsumexp(x)`; "
               "`dtype` casts the input first, and integer tensors become the default float "
               "dtype."),
]
