"""Table entries of nn.functional's activations (ops/activation.py, ops/piecewise_linear.py,
ops/softmaxes.py, elementwise.py's relu, tanh, sigmoid, and compositions in
nn/functional/activation.py). The `inplace=True` forms and the trailing
underscore functions take inputs that don't require grad (a leaf that does is refused,
as in PyTorch); their gradients are pinned by tests/nn/test_activation.py."""
from ..opinfo import FLOATS, INTS, Dtype, OpInfo, S, T, unary

F = "nn.functional."


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, samples, namespace="nn.functional", **kw)


def _fixed(*shape, **kw):
    """An input an in-place form may write to: no gradient (a leaf)."""
    return T(*shape, grad=False, **kw)


def _softmax_samples():
    return [S(T(3, 4), 1), S(T(3, 4), dim=-1), S(T(2, 3, 4), 0), S(T(), 0), S(T(2, 3)),
            S(T(2, 3, 2)), S(T(4, 3, layout="transposed"), dim=0), S(T(2, 5, layout="strided"), 1),
            S(T(3, 4), dim=1, dtype=Dtype("float64")), S(T(2, 3), -2, dtype=Dtype("float64")),
            S(T(0, 3), dim=1)]


ENTRIES = [
    _functional("relu", unary(margin=0.2) + [S(_fixed(3, 4, margin=0.2), inplace=True)],
                dtypes=FLOATS + INTS),
    _functional("relu_", [S(_fixed(3, 4, margin=0.2)), S(_fixed(0, 2))], dtypes=FLOATS + INTS),
    _functional("leaky_relu", unary(margin=0.2) + [
        S(T(3, 4, margin=0.2), 0.2), S(T(2, 3, margin=0.2), negative_slope=-0.5),
        S(_fixed(3, 4), 0.1, inplace=True)]),
    _functional("leaky_relu_", [S(_fixed(3, 4)), S(_fixed(2, 3), negative_slope=0.3)]),
    _functional("elu", unary(low=-3, high=3) + [
        S(T(3, 4, low=-3, high=3), 0.3), S(T(2, 3), alpha=2.0), S(_fixed(3, 4), 0.5, inplace=True)]),
    _functional("elu_", [S(_fixed(3, 4)), S(_fixed(2, 3), alpha=0.5)]),
    _functional("gelu", unary(low=-3, high=3) + [
        S(T(3, 4, low=-3, high=3), approximate="tanh"), S(T(2, 3), approximate="none"),
        S(T(4, 3, layout="transposed"), approximate="tanh")]),
    _functional("silu", unary(low=-4, high=4) + [S(_fixed(3, 4), inplace=True)]),
    _functional("tanh", unary()),
    _functional("sigmoid", unary(low=-4, high=4)),
    _functional("softplus", unary(low=-3, high=3) + [
        S(T(3, 4, low=-3, high=3), 2.0, 1.0), S(T(2, 3, low=-4, high=4), beta=0.5),
        S(T(3, 4, low=-30, high=30), threshold=5.0), S(T(2, 3), beta=-1.0)]),
    _functional("logsigmoid", unary(low=-5, high=5)),
    _functional("softmax", _softmax_samples()),
    _functional("log_softmax", _softmax_samples()),
]


def _rrelu_random():
    return [S(T(3, 4), training=True), S(T(2, 3, 2), 0.1, 0.6, True), S(T(), training=True),
            S(T(4, 3, layout="transposed"), 0.2, 0.3, training=True), S(T(0, 3), training=True),
            S(_fixed(3, 4), training=True, inplace=True)]


ENTRIES += [
    _functional("threshold", [S(T(3, 4), 0.5, -1.0), S(T(2, 3, 2), -0.3, 2.0), S(T(), 0.1, 0.0),
                              S(T(4, 3, layout="transposed"), 0.0, 0.5), S(T(0, 3), 1.0, 2.0),
                              S(_fixed(3, 4), 0.2, 7.0, inplace=True)]),
    _functional("threshold_", [S(_fixed(3, 4), 0.5, -1.0), S(_fixed(2, 3), -0.2, 0.0)]),
    _functional("hardtanh", unary(low=-3, high=3) + [
        S(T(3, 4, low=-3, high=3), -0.5, 2.0), S(T(2, 3), min_val=0.0, max_val=0.5),
        S(_fixed(3, 4), -0.2, 0.4, inplace=True)]),
    _functional("hardtanh_", [S(_fixed(3, 4)), S(_fixed(2, 3), -0.3, max_val=0.8)]),
    _functional("relu6", unary(low=-3, high=9) + [S(_fixed(3, 4, low=-3, high=9), inplace=True)]),
    _functional("hardsigmoid", unary(low=-5, high=5) + [S(_fixed(3, 4, low=-5, high=5), True)]),
    _functional("hardswish", unary(low=-5, high=5) + [S(_fixed(3, 4, low=-5, high=5), inplace=True)]),
    _functional("mish", unary(low=-4, high=4) + [S(_fixed(3, 4), inplace=True)]),
    _functional("selu", unary(low=-3, high=3) + [S(_fixed(3, 4), True)]),
    _functional("selu_", [S(_fixed(3, 4)), S(_fixed(2, 3, 2))]),
    _functional("celu", unary(low=-3, high=3) + [
        S(T(3, 4, low=-3, high=3), 0.5), S(T(2, 3), alpha=2.0), S(T(2, 3), alpha=-1.5),
        S(_fixed(3, 4), 1.5, inplace=True)]),
    _functional("celu_", [S(_fixed(3, 4)), S(_fixed(2, 3), alpha=0.7)]),
    _functional("hardshrink", unary(low=-2, high=2) + [
        S(T(3, 4), 1.0), S(T(2, 3), lambd=0.0), S(T(2, 3), lambd=-0.5)]),
    _functional("softshrink", unary(low=-2, high=2) + [S(T(3, 4), 1.0), S(T(2, 3), lambd=0.0)]),
    _functional("rrelu", unary(low=-3, high=3) + [  # eval: the mean slope
        S(T(3, 4, margin=0.1), 0.1, 0.3), S(T(2, 3, margin=0.1), lower=0.2, upper=0.2, training=False),
        S(_fixed(3, 4), inplace=True)]),
    OpInfo("rrelu", F + "rrelu", _rrelu_random(), namespace="nn.functional", random=True),
    _functional("rrelu_", [S(_fixed(3, 4)), S(_fixed(2, 3), 0.2, 0.4)]),
    _functional("glu", [S(T(3, 4)), S(T(4, 3), 0), S(T(2, 6, 2), dim=1), S(T(2, 3, 4), -1),
                        S(T(4, 3, layout="transposed"), 0), S(T(0, 4))]),
    _functional("prelu", [S(T(3, 4), T(1)), S(T(3, 4, margin=0.1), T(4)), S(T(2, 3, 4, 2), T(3)),
                          S(T(5), T(1)), S(T(), T(1)), S(T(2, 3, layout="transposed"), T(3)),
                          S(T(0, 3), T(3))]),
    _functional("softsign", unary(low=-4, high=4, margin=0.1)),
    _functional("tanhshrink", unary(low=-3, high=3)),
    _functional("softmin", _softmax_samples()),
]
