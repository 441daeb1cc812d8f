"""set_printoptions / get_printoptions and tensor reprs against PyTorch: the repr of
many tensors (4-decimal floats, whole floats, values that switch to scientific notation,
ints, bools, summarised long tensors, multi-dimensional, empty, non-finite, with
grad_fn / requires_grad and dtype suffixes) is PyTorch's text, with the default options
and after each set_printoptions call. The defaults are restored after every test.

Two differences are ignored on purpose: autograd_lite's dtypes print as `float64`, not
`torch.float64` (the `dtype=` suffix), so `torch.` is dropped from PyTorch's text; and
its grad_fn names have no version number (`MulBackward`, not `MulBackward0`)."""
import numpy as np
import pytest
import torch

import autograd_lite as ag


@pytest.fixture(autouse=True)
def _restore_defaults():
    yield
    ag.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


def _values():
    rng = np.random.default_rng(0)
    return [
        [1.5, 2.0], [0.123456, 100.0], 2.5, 3.0, -0.0, [1e-8, 1.0], [float("inf"), 1.5], [float("nan"), 2.0],
        [float("-inf"), float("nan"), 0.0], [0.0, 0.0], [[1.25, 2.0], [3.0, 4.0]], [1e-5, 1.0, 3.0],
        [123456789.0, 1.5], [1e10, 2e10], [1.0, 1000.0], [1.0, 1001.0], [0.5, 1e-4], [-3.14159, 2.71828],
        rng.standard_normal((3, 4)).tolist(), (rng.standard_normal((2, 3, 4)) * 100).tolist(),
        (rng.standard_normal((2, 2, 2, 3)) * 1e-6).tolist(), np.round(rng.standard_normal(50) * 1e4).tolist(),
        rng.standard_normal(1500).tolist(), rng.standard_normal((40, 40)).tolist(),
        rng.standard_normal((12, 10, 11)).tolist(), (rng.standard_normal(30) * 1e9).tolist(),
    ]


def _int_values():
    rng = np.random.default_rng(1)
    return [[1, 2], 7, -3, [[1, -20], [300, 4]], list(range(2000)), rng.integers(-10**6, 10**6, (40, 30)).tolist(),
            list(range(60)), [True, False], True, (rng.random((3, 4)) > 0.5).tolist(),
            (rng.random(1200) > 0.5).tolist()]


def _pairs():
    """(autograd_lite tensor, torch tensor) with the same values, in several dtypes."""
    for v in _values():
        for dt in ("float32", "float64", "float16", "bfloat16"):
            yield ag.tensor(v, dtype=getattr(ag, dt)), torch.tensor(v, dtype=getattr(torch, dt))
    for v in _int_values():
        yield ag.tensor(v), torch.tensor(v)
        if not isinstance(v, bool) and not (isinstance(v, list) and isinstance(np.ravel(v)[0], np.bool_)):
            yield ag.tensor(v, dtype=ag.int32), torch.tensor(v, dtype=torch.int32)
    for shape in ((0,), (0, 3), (2, 0, 1)):
        yield ag.zeros(shape), torch.zeros(shape)
        yield ag.zeros(shape, dtype=ag.int64), torch.zeros(shape, dtype=torch.int64)
        yield ag.zeros(shape, dtype=ag.float64), torch.zeros(shape, dtype=torch.float64)
    x, y = ag.tensor([1.5, -2.25, 3.0], requires_grad=True), torch.tensor([1.5, -2.25, 3.0], requires_grad=True)
    yield x, y
    yield x * 2, y * 2
    rng = np.random.default_rng(5)
    a = rng.standard_normal((6, 7))
    yield ag.tensor(a, dtype=ag.float64, requires_grad=True), torch.tensor(a, requires_grad=True)
    yield ag.tensor(a, dtype=ag.float64, requires_grad=True) * 3, torch.tensor(a, requires_grad=True) * 3
    # non-contiguous views
    yield ag.tensor(a).t(), torch.tensor(a).t()
    yield ag.tensor(a)[::2, 1::3], torch.tensor(a)[::2, 1::3]


def _torch_text(t):
    return repr(t).replace("torch.", "").replace("<MulBackward0>", "<MulBackward>")


def _ours_text(t):
    return repr(t)


def _compare_all():
    failures = []
    for ours, theirs in _pairs():
        if _ours_text(ours) != _torch_text(theirs):
            failures.append((_ours_text(ours), _torch_text(theirs)))
    assert not failures, f"{len(failures)} differ:\n" + "\n\n".join(f"ours:\n{a}\ntorch:\n{b}" for a, b in failures[:4])


@pytest.mark.filterwarnings("ignore:overflow encountered in cast")
def test_default_reprs_match_torch():
    assert ag.get_printoptions() == torch._tensor_str.get_printoptions()
    _compare_all()


OPTIONS = [
    dict(precision=2), dict(precision=8), dict(precision=0), dict(threshold=5), dict(threshold=50, edgeitems=1),
    dict(edgeitems=5), dict(edgeitems=0, threshold=10), dict(linewidth=40), dict(linewidth=200), dict(linewidth=10),
    dict(sci_mode=True), dict(sci_mode=False), dict(sci_mode=True, precision=2), dict(profile="short"),
    dict(profile="full"), dict(profile="short", precision=6), dict(profile="default"), dict(profile="nonsense"),
    dict(threshold=float("inf")),
]


@pytest.mark.filterwarnings("ignore:overflow encountered in cast")
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_reprs_after_set_printoptions_match_torch(options):
    ag.set_printoptions(**options)
    torch.set_printoptions(**options)
    assert ag.get_printoptions() == torch._tensor_str.get_printoptions()
    _compare_all()


def test_options_persist_and_sci_mode_resets():
    for lib, get in ((ag, ag.get_printoptions), (torch, torch._tensor_str.get_printoptions)):
        lib.set_printoptions(precision=3, sci_mode=True)
        lib.set_printoptions(linewidth=100)  # sci_mode back to None, as PyTorch
        assert get() == dict(precision=3, threshold=1000, edgeitems=3, linewidth=100, sci_mode=None)
        lib.set_printoptions(**dict(get(), precision=6))
        assert get()["precision"] == 6 and get()["linewidth"] == 100
        lib.set_printoptions(profile="default")
        assert get() == dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)


def test_examples_from_torch_docs():
    ag.set_printoptions(precision=2)
    assert repr(ag.tensor([1.12345])) == "tensor([1.12])"
    ag.set_printoptions(threshold=5)
    assert repr(ag.arange(10)) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    ag.set_printoptions(profile="default")
    assert repr(ag.tensor([1.12345])) == "tensor([1.1235])"
    assert repr(ag.arange(10)) == "tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])"


def test_parameter_and_str():
    p, q = ag.nn.Parameter(ag.tensor([[1.0, 2.5]])), torch.nn.Parameter(torch.tensor([[1.0, 2.5]]))
    assert repr(p) == repr(q)
    ag.set_printoptions(precision=1)
    torch.set_printoptions(precision=1)
    assert str(p) == str(q)
    assert str(ag.tensor([0.25, 3.5])) == str(torch.tensor([0.25, 3.5]))


def test_default_dtype_changes_the_dtype_suffix():
    ag.set_default_dtype(ag.float64)
    try:
        assert repr(ag.tensor([1.5])) == "tensor([1.5000])"
        assert repr(ag.tensor([1.5], dtype=ag.float32)) == "tensor([1.5000], dtype=float32)"
        assert repr(ag.zeros(0)) == "tensor([])"
        assert repr(ag.zeros(0, dtype=ag.float32)) == "tensor([], dtype=float32)"
    finally:
        ag.set_default_dtype(ag.float32)
