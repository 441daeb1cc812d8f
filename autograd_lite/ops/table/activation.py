"""Table entries of nn.functional's activations (ops/activation.py, ops/softmaxes.py,
and elementwise.py's relu, tanh, sigmoid). The `inplace=True` forms and the trailing
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
