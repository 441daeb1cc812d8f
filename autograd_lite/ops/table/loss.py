"""Table entries of nn.functional's losses (ops/loss.py and compositions in
nn/functional): each sample runs with every reduction. Class weights are constants in
PyTorch (no gradient) and here; targets of the regression losses, kl_div and the
binary cross entropies carry gradients, as in PyTorch."""
import numpy as np

from ..opinfo import BF16_CANCELLING, OpInfo, S, Sample, T, onnx_scalar

F = "nn.functional."
REDUCTIONS = ("mean", "sum", "none")


def _every_reduction(samples, reductions=REDUCTIONS):
    return [Sample(s.args, {**s.kwargs, "reduction": r}) for s in samples for r in reductions]


# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
def _class_loss(op_type, reduction_arg):
    """cross_entropy / nll_loss as SoftmaxCrossEntropyLoss / NegativeLogLikelihoodLoss."""
    def convert(b, node, inputs):
        if op_type == "SoftmaxCrossEntropyLoss" and inputs.arg(4):
            raise b.error("cross entropy with label_smoothing has no ONNX mapping")
        target = inputs[1]
        if b.in_dtype(1) != np.int64:
            target = b.cast(target, np.int64)
        weight = inputs.arg(2)
        ins = [inputs[0], target] + ([b.const(weight)] if weight is not None else [])
        return b.op(op_type, ins, reduction=inputs.arg(reduction_arg), ignore_index=int(inputs.arg(3)))

    return convert


def _binary_cross_entropy(b, node, inputs):
    """-(y max(log x, -100) + (1 - y) max(log(1 - x), -100)), elementwise."""
    x, y = inputs[0], inputs[1]
    floor, one = onnx_scalar(b, -100.0), onnx_scalar(b, 1.0)
    log_x = b.op("Max", [b.op("Log", [x]), floor])
    log_1mx = b.op("Max", [b.op("Log", [b.op("Sub", [one, x])]), floor])
    pos = b.op("Mul", [y, log_x])
    neg = b.op("Mul", [b.op("Sub", [one, y]), log_1mx])
    return b.op("Neg", [b.op("Add", [pos, neg])])


def _functional(name, samples, reductions=REDUCTIONS, **kw):
    return OpInfo(name, F + name, _every_reduction(samples, reductions), namespace="nn.functional", **kw)


def _probs(*shape, **kw):
    return T(*shape, low=0.05, high=0.95, **kw)


def _classes(*shape, high=3):
    return T(*shape, kind="index", low=0, high=high)


def _log_probs(*shape, **kw):
    return T(*shape, low=-3.0, high=-0.05, **kw)


def _weight(*shape):
    return T(*shape, low=0.2, high=2.0, grad=False)


REGRESSION = [
    S(T(3, 4), T(3, 4)), S(T(), T()), S(T(2, 3, 2), T(2, 3, 2)),
    S(T(4, 3, layout="transposed"), T(4, 3)), S(T(3, 4), T(4)),  # broadcast (PyTorch warns)
    S(T(4), T(3, 4)),
]
WEIGHTED = [S(T(3, 4), T(3, 4), weight=T(3, 4, low=0.2, high=2.0)),
            S(T(2, 3), T(2, 3), weight=_weight(2, 3))]

SMOOTH_L1 = REGRESSION + [
    S(T(3, 4), T(3, 4), beta=0.5), S(T(2, 5, low=-3, high=3), T(2, 5), beta=2.0),
    S(T(3, 4), T(3, 4), beta=0.0), S(T(2, 3), T(2, 3), None, None, beta=0.3),
]
HUBER = REGRESSION + [
    S(T(3, 4), T(3, 4), delta=0.5), S(T(2, 5, low=-3, high=3), T(2, 5), delta=2.5),
    S(T(3, 4), T(3, 4), delta=0.7, weight=T(3, 4, low=0.2, high=2.0)),
]

KL_DIV = [
    S(_log_probs(3, 4), _probs(3, 4)), S(_log_probs(2, 3, 2), _probs(2, 3, 2)),
    S(_log_probs(3, 4), _log_probs(3, 4), log_target=True),
    S(_log_probs(4), T(4, values=[0.0, 0.5, 0.0, 0.5], grad=False)),  # zero targets add 0
    S(_log_probs(4, 3, layout="transposed"), _probs(4, 3)), S(_log_probs(), _probs()),
    S(_log_probs(3, 4), _probs(4)),  # the target broadcasts
]

BCE = [
    # targets of exactly 0 or 1 stay out of the finite differences: a step leaves [0, 1]
    S(_probs(3, 4), _probs(3, 4)), S(_probs(), T(values=1.0, grad=False)), S(_probs(2, 3, 2), _probs(2, 3, 2)),
    S(_probs(3, 4), T(3, 4, kind="data", values=[[0, 1, 1, 0]] * 3, grad=False)),
    S(_probs(3, 4), _probs(3, 4), _weight(4)),
    S(_probs(3, 4), _probs(3, 4), weight=_weight(3, 4)),
    S(_probs(4, 3, layout="transposed"), _probs(4, 3)),
]

BCE_LOGITS = [
    S(T(3, 4), _probs(3, 4)), S(T(), _probs()), S(T(2, 3, 2, low=-4, high=4), _probs(2, 3, 2)),
    S(T(3, 4), _probs(3, 4), _weight(4)),
    S(T(3, 4), _probs(3, 4), pos_weight=_weight(4)),
    S(T(3, 4), _probs(3, 4), weight=_weight(3, 1), pos_weight=_weight(3, 4)),
    S(T(3, 4, low=-4, high=4), T(3, 4, values=[[0, 1, 1, 0]] * 3), pos_weight=_weight(1)),
    S(T(4, 3, layout="transposed"), _probs(4, 3), pos_weight=_weight(3)),
]

NLL = [
    S(_log_probs(4, 3), _classes(4)), S(_log_probs(3), _classes()),
    S(_log_probs(4, 3), _classes(4), _weight(3)),
    S(_log_probs(5, 3), _classes(5), ignore_index=1),
    S(_log_probs(5, 3), _classes(5), weight=_weight(3), ignore_index=0),
    S(_log_probs(4, 3), T(4, kind="index", values=[2, -100, 0, -100]), _weight(3)),  # the default
    S(_log_probs(2, 3, 2), T(2, 2, kind="index", values=[[1, -100], [0, 2]])),
    S(_log_probs(2, 3, 2, 2), _classes(2, 2, 2)),  # K-d input (N, C, d1, d2)
    S(_log_probs(2, 4, 3), _classes(2, 3, high=4), _weight(4), ignore_index=2),
    S(_log_probs(3, 4, layout="transposed"), _classes(3, high=4)),
]

CROSS_ENTROPY = NLL + [
    S(T(4, 3), _classes(4), label_smoothing=0.2),
    S(T(5, 3), _classes(5), _weight(3), ignore_index=1, label_smoothing=0.1),
    S(T(2, 3, 2, 2), _classes(2, 2, 2), label_smoothing=0.3),
    S(T(4, 3), T(4, 3, low=0, high=1)),  # class probabilities
    S(T(3), T(3, low=0, high=1)),
    S(T(4, 3), T(4, 3, low=0, high=1), _weight(3), label_smoothing=0.25),
    S(T(2, 3, 2), T(2, 3, 2, low=0, high=1), label_smoothing=0.1),
]

ENTRIES = [
    _functional("mse_loss", REGRESSION + WEIGHTED),
    _functional("l1_loss", REGRESSION + WEIGHTED),
    _functional("smooth_l1_loss", SMOOTH_L1),
    _functional("huber_loss", HUBER),
    _functional("kl_div", KL_DIV, REDUCTIONS + ("batchmean",)),
    _functional("binary_cross_entropy", BCE, onnx={"BinaryCrossEntropy": _binary_cross_entropy}),
    _functional("binary_cross_entropy_with_logits", BCE_LOGITS, tol=BF16_CANCELLING),
    _functional("nll_loss", NLL, onnx={"NllLoss": _class_loss("NegativeLogLikelihoodLoss", 4)}),
    _functional("cross_entropy", CROSS_ENTROPY, tol=BF16_CANCELLING,
                onnx={"CrossEntropyLoss": _class_loss("SoftmaxCrossEntropyLoss", 5)}),
]
