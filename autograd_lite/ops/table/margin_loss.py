"""Table entries of nn.functional's margin and embedding losses (compositions in
nn/functional/margin_loss.py), each sample run with every reduction. Targets and
class weights carry no gradient (PyTorch doesn't differentiate most of them)."""
from ..opinfo import FLOATS, OpInfo, S, T
from .loss import REDUCTIONS, _every_reduction

F = "nn.functional."


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, _every_reduction(samples, REDUCTIONS), namespace="nn.functional", **kw)


def _signs(*shape, values):
    return T(*shape, values=values, grad=False)


SIGNS5 = [1, -1, 1, 1, -1]
SIGNS34 = [[1, -1, 1, -1], [-1, -1, 1, 1], [1, 1, -1, 1]]

MARGIN_RANKING = [
    S(T(5), T(5), _signs(5, values=SIGNS5)), S(T(5), T(5), _signs(5, values=SIGNS5), 0.5),
    S(T(3, 4), T(1, 4), _signs(3, 1, values=[[1], [-1], [1]]), margin=0.2),
    S(T(), T(), _signs(values=-1.0)), S(T(4, 3, layout="transposed"), T(4, 3), _signs(4, 3, values=[[1, -1, 1]] * 4)),
]
HINGE_EMBEDDING = [
    S(T(3, 4), _signs(3, 4, values=SIGNS34)), S(T(3, 4), _signs(3, 4, values=SIGNS34), 0.5),
    S(T(3, 4), T(4, kind="index", values=[1, -1, 1, -1]), margin=2.0), S(T(), _signs(values=-1.0)),
]
SOFT_MARGIN = [
    S(T(3, 4, low=-4, high=4), _signs(3, 4, values=SIGNS34)), S(T(5), _signs(5, values=SIGNS5)),
    S(T(3, 4), T(4, kind="index", values=[1, -1, 1, -1])), S(T(4, 3, layout="transposed"), _signs(4, 3, values=[[1, -1, 1]] * 4)),
]
MULTILABEL_SOFT_MARGIN = [
    S(T(3, 4), T(3, 4, low=0, high=1, grad=False)), S(T(4), T(4, values=[0, 1, 1, 0], grad=False)),
    S(T(3, 4), T(3, 4, low=0, high=1, grad=False), T(4, low=0.2, high=2, grad=False)),
    S(T(2, 3, 4), T(2, 3, 4, low=0, high=1, grad=False)),
]
COSINE_EMBEDDING = [
    S(T(3, 4), T(3, 4), _signs(3, values=[1, -1, 1])), S(T(3, 4), T(3, 4), _signs(3, values=[-1, -1, 1]), 0.3),
    S(T(4), T(4), _signs(values=-1.0), margin=-0.5), S(T(4), T(4), T(kind="index", values=1)),
    S(T(3, 4), T(3, 4, layout="transposed"), T(3, kind="index", values=[1, -1, -1])),
]
TRIPLET = [
    S(T(3, 4), T(3, 4), T(3, 4)), S(T(3, 4), T(3, 4), T(3, 4), 0.5, 1), S(T(4), T(4), T(4), swap=True),
    S(T(3, 4), T(3, 4), T(3, 4), margin=2.0, p=3, eps=1e-3, swap=True), S(T(2, 3, 4), T(2, 3, 4), T(2, 3, 4)),
]
TRIPLET_WITH_DISTANCE = [
    S(T(3, 4), T(3, 4), T(3, 4)), S(T(3, 4), T(3, 4), T(3, 4), margin=0.5, swap=True),
    S(T(3, 4), T(3, 4), T(3, 4), distance_function=lambda a, b: ((a - b) ** 2).sum(-1)),
]
MULTI_MARGIN = [
    S(T(3, 4), T(3, kind="index", low=0, high=4)), S(T(3, 4), T(3, kind="index", low=0, high=4), 2, 0.5),
    S(T(4), T(kind="index", values=2)), S(T(4), T(1, kind="index", values=[3]), margin=2.0),
    S(T(5, 3), T(5, kind="index", low=0, high=3), weight=T(3, low=0.2, high=2, grad=False)),
    S(T(3, 4, layout="transposed"), T(3, kind="index", low=0, high=4), p=2, weight=T(4, low=0.5, high=1, grad=False)),
]
MULTILABEL_MARGIN = [
    S(T(3, 4), T(3, 4, kind="index", values=[[0, 3, -1, 0], [1, -1, 2, 2], [3, 2, 1, 0]])),
    S(T(4), T(4, kind="index", values=[2, 0, -1, 3])), S(T(2, 3), T(2, 3, kind="index", values=[[-1, 0, 1], [1, 1, -1]])),
    S(T(3, 4, layout="transposed"), T(3, 4, kind="index", values=[[3, -1, 0, 0], [0, 1, 2, -1], [1, -1, -1, -1]])),
]
ENTRIES = [
    _functional("margin_ranking_loss", MARGIN_RANKING),
    _functional("hinge_embedding_loss", HINGE_EMBEDDING),
    _functional("soft_margin_loss", SOFT_MARGIN),
    _functional("multilabel_soft_margin_loss", MULTILABEL_SOFT_MARGIN),
    _functional("cosine_embedding_loss", COSINE_EMBEDDING),
    _functional("triplet_margin_loss", TRIPLET),
    _functional("triplet_margin_with_distance_loss", TRIPLET_WITH_DISTANCE),
    # PyTorch's CPU kernels of these two have no bfloat16 to compare with; ours run it
    _functional("multi_margin_loss", MULTI_MARGIN, dtypes=FLOATS),
    _functional("multilabel_margin_loss", MULTILABEL_MARGIN, dtypes=FLOATS),
]
