"""Table entries of nn.functional's poisson_nll_loss and gaussian_nll_loss
(compositions in nn/functional/likelihood_loss.py) and ctc_loss (ops/ctc.py), each
sample run with every reduction. ctc_loss's gradient is PyTorch's (exp(log_probs)
minus the occupancy: the derivative through the log_softmax that made log_probs), not
the partial derivative for free log_probs, so it is compared with PyTorch's but not
gradchecked; as PyTorch's, it is not differentiable again."""
from ..opinfo import FLOATS, OpInfo, S, T
from .distance import FLOOR_ONNX
from .loss import REDUCTIONS, _every_reduction

F = "nn.functional."


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, _every_reduction(samples, REDUCTIONS), namespace="nn.functional", **kw)


def _ints(*shape, values):
    return T(*shape, kind="index", values=values)


POISSON_NLL = [
    S(T(3, 4), T(3, 4, low=0, high=3, grad=False)), S(T(3, 4, low=0.1, high=3), T(3, 4, low=0, high=3, grad=False), False),
    S(T(3, 4), T(3, 4, low=1.5, high=5, grad=False), full=True),
    S(T(3, 4, low=0.1, high=2), T(3, 4, low=0, high=4, grad=False), log_input=False, full=True, eps=1e-3),
    S(T(), T(low=0, high=2, grad=False)),
]
GAUSSIAN_NLL = [
    S(T(3, 4), T(3, 4), T(3, 4, low=0.2, high=2)), S(T(3, 4), T(3, 4), T(3, low=0.2, high=2)),
    S(T(3, 4), T(3, 4), T(3, 1, low=0.2, high=2), full=True), S(T(3, 4), T(3, 4), 0.5),
    S(T(2, 3, 4), T(2, 3, 4), T(2, 1, 4, low=0.2, high=2), eps=1e-2),
]

CTC = [
    S(T(6, 2, 4, low=-3, high=-0.1), _ints(2, 3, values=[[1, 2, 2], [3, 1, 0]]), _ints(2, values=[6, 5]),
      _ints(2, values=[3, 2])),
    S(T(6, 2, 4, low=-3, high=-0.1), _ints(5, values=[1, 2, 2, 3, 1]), (6, 5), (3, 2)),  # concatenated
    S(T(5, 4, low=-3, high=-0.1), _ints(2, values=[2, 3]), _ints(values=5), _ints(values=2)),  # unbatched
    S(T(6, 2, 4, low=-3, high=-0.1), _ints(2, 3, values=[[1, 1, 1], [3, 1, 0]]), (4, 5), (3, 2),
      zero_infinity=True),  # an impossible alignment
    S(T(5, 3, 5, low=-3, high=-0.1), _ints(3, 2, values=[[0, 1], [2, 2], [3, 0]]), (5, 3, 4), (2, 2, 0),
      blank=4),
    S(T(4, 2, 3, low=-3, high=-0.1, layout="strided"), _ints(2, 2, values=[[1, 2], [2, 1]]), (4, 4), (2, 1)),
]

ENTRIES = [
    _functional("poisson_nll_loss", POISSON_NLL),
    _functional("gaussian_nll_loss", GAUSSIAN_NLL, onnx=FLOOR_ONNX),
    _functional("ctc_loss", CTC, gradcheck=False, twice=False, dtypes=FLOATS,
                note="PyTorch's CPU ctc_loss has no bfloat16 kernel to compare with; ours runs it"),
]
