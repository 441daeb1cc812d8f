"""Indexing beyond the op table (autograd_lite/ops/table/index.py, which checks values,
gradients and argument forms of t[key], gather, scatter, index_select, index_add,
index_put, masked_*, take_along_dim against PyTorch): PyTorch's key semantics for
every kind of advanced key, random keys (hypothesis), views vs copies, errors, the
forms the table can't express; and the scatter-add kernel against NumPy."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import autograd_lite as ag
from autograd_lite.kernels import scatter as kscatter
from tests.helpers import assert_same, compare, randn

SHAPE_ERRORS = (RuntimeError, ValueError)


def r(*shape, seed=0):
    return randn(*shape, seed=seed)


# ---- basic keys ---------------------------------------------------------------------------
def test_basic_index_is_a_view_like_torch():
    outs = []
    for lib in (ag, torch):
        x = lib.tensor(r(3, 4))
        v = x[1:, ::2]
        with lib.no_grad():
            v.mul_(10)
        assert v._version == x._version == 1
        outs.append(x.numpy().copy())
    np.testing.assert_array_equal(outs[0], outs[1])


def test_integer_index_to_a_single_element_is_a_view_like_torch():
    # x[i, j] is a 0-d view in torch: in-place ops on it (as init code does) write through
    outs = []
    for lib in (ag, torch):
        x = lib.tensor(r(2, 3))
        with lib.no_grad():
            x[1, 2].fill_(7.0)
            x[0][1].mul_(0)
            x[-1, ...][0].add_(1)
            x[0, -1].zero_()
        assert x._version == 4
        outs.append(x.numpy().copy())
    np.testing.assert_array_equal(outs[0], outs[1])


def test_negative_step_raises_like_torch():
    with pytest.raises(ValueError):
        torch.tensor(r(3))[::-1]
    with pytest.raises(ValueError, match="step"):
        ag.tensor(r(3))[::-1]
    with pytest.raises(ValueError, match="step"):
        ag.tensor(r(3, 2))[:, ::-2]


def test_basic_out_of_range_errors():
    x = ag.tensor(r(2, 3))
    with pytest.raises(IndexError) as e:
        x[2]
    assert "2" in str(e.value) and "(2, 3)" in str(e.value)
    with pytest.raises(IndexError, match=r"\(2, 3\)"):
        x[0, -4]
    with pytest.raises(IndexError):
        x[0, 0, 0]  # too many indices
    with pytest.raises(IndexError):
        x[1.0]
    with pytest.raises(IndexError):
        x["a"]


# ---- advanced keys ----------------------------------------------------------------------------
ADV_KEYS = {
    "list": lambda lib: [1, 0],
    "list_repeat": lambda lib: [0, 0, 1],
    "list_negative": lambda lib: [-1, 0, -2],
    "tensor_repeat": lambda lib: lib.tensor(np.array([1, 1, 0, 1])),
    "tensor_2d": lambda lib: lib.tensor(np.array([[0, 1], [1, 1]])),
    "tensor_0d": lambda lib: lib.tensor(np.array(1)),
    "int32_tensor": lambda lib: lib.tensor(np.array([1, 0, 1], dtype=np.int32)),
    "numpy": lambda lib: np.array([1, 1, 0]),
    "numpy_2d_neg": lambda lib: np.array([[-1], [0]]),
    "two_lists": lambda lib: ([0, 1, 1], [1, 2, 2]),
    "two_tensors_broadcast": lambda lib: (lib.tensor(np.array([[0], [1]])), lib.tensor(np.array([0, 2, 2]))),
    "combination": lambda lib: (0, [1, 1, 2], slice(1, None)),
    "slice_then_list": lambda lib: (slice(None), [2, 0, 2]),
    "ellipsis_then_list": lambda lib: (Ellipsis, [3, 3, 0]),
    "separated_advanced": lambda lib: ([0, 1, 1], slice(None), [1, 3, 3]),
    "advanced_with_none": lambda lib: (slice(None), [0, 2], None),
    "int_and_tensor": lambda lib: (1, lib.tensor(np.array([2, 2, 0]))),
    # PyTorch applies integer indices first (they only drop their dim); NumPy would treat
    # them as advanced indices and move the result's dims when the key separates them
    "int_slice_list": lambda lib: (0, slice(None), [1, 3, 3]),
    "int_none_list": lambda lib: (1, None, [2, 0]),
    "none_int_slice_list": lambda lib: (None, 0, slice(None), [1, 2]),
    "slice_int_list": lambda lib: (slice(None), 1, [3, 0, 0]),
    "0d_tensor_as_int": lambda lib: (lib.tensor(np.array(1)), slice(1, None), lib.tensor(np.array([[0, 3]]))),
    "int_slice_mask": lambda lib: (1, slice(None), lib.tensor(np.array([True, False, True, True]))),
    "int_mask_2d": lambda lib: (0, lib.tensor(r(3, 4, seed=2) > 0)),
    "ellipsis_int_list": lambda lib: (Ellipsis, 0, [1, 2]),
    "list_ellipsis_int": lambda lib: ([1, 0, 1], Ellipsis, 0),
    "true_int_slice_list": lambda lib: (True, 0, slice(None), [1, 2]),
    "ellipsis_for_no_dims": lambda lib: (slice(0, 1), [0, 1], Ellipsis, [0, 3]),
    "empty_list": lambda lib: [],
    "empty_tensor": lambda lib: lib.tensor(np.zeros(0, np.int64)),
}


@pytest.mark.parametrize("name", list(ADV_KEYS))
def test_advanced_indexing(name):
    key = ADV_KEYS[name]
    compare(lambda lib, x: x[key(lib)], r(2, 3, 4))


@st.composite
def _shape_and_key(draw, unique=False):
    """A shape and a key of ints, slices (positive steps), None, lists of ints (all one
    length, so they broadcast; without repeats if `unique`) and at most one `...`."""
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    n_dims = draw(st.integers(0, len(shape)))
    list_len = draw(st.integers(1, 3))
    comps = []
    for dim in range(n_dims):
        if draw(st.integers(0, 4)) == 0:
            comps.append(None)
        n = shape[dim]
        kind = draw(st.sampled_from(["int", "slice", "list"]))
        if kind == "int":
            comps.append(draw(st.integers(-n, n - 1)))
        elif kind == "list" and unique:
            if list_len > n:
                comps.append(slice(None))
                continue
            picks = draw(st.permutations(range(n)))[:list_len]
            comps.append([p - n if draw(st.booleans()) else p for p in picks])
        elif kind == "list":
            comps.append(draw(st.lists(st.integers(-n, n - 1), min_size=list_len, max_size=list_len)))
        else:
            start = draw(st.integers(0, n))
            comps.append(slice(start, draw(st.integers(start, n + 1)), draw(st.integers(1, 2))))
    where = draw(st.sampled_from(["none", "end", "anywhere"]))
    if where == "end" or (where == "anywhere" and n_dims < len(shape)):
        comps.append(Ellipsis)
    elif where == "anywhere":  # the key covers every dim: ... may stand anywhere, for no dims
        comps.insert(draw(st.integers(0, len(comps))), Ellipsis)
    return shape, tuple(comps)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(_shape_and_key())
def test_random_keys_match_torch(shape_key):
    shape, key = shape_key
    compare(lambda lib, x: x[key], r(*shape), dtypes=(np.float64,))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(_shape_and_key(unique=True))
def test_random_keys_setitem_match_torch(shape_key):
    # no repeated positions: which of several writes to one place wins is unspecified in torch
    shape, key = shape_key
    target = torch.zeros(shape)[key].shape
    outs = []
    for lib in (ag, torch):
        x = lib.tensor(r(*shape), requires_grad=True)
        v = lib.tensor(r(*target, seed=1), requires_grad=True)
        y = x * 2
        y[key] = v * 3
        (y * lib.tensor(r(*shape, seed=2))).sum().backward()
        with lib.no_grad():
            z = x * 1
            z[key] = v
        outs.append((y, z, x.grad, v.grad))
    for a, t in zip(outs[0], outs[1]):
        assert_same(a, t)


def test_repeated_indices_accumulate_like_torch():
    # plain backward of a sum: each element's grad is its pick count
    for lib in (ag, torch):
        x = lib.tensor(np.zeros(4), requires_grad=True)
        x[lib.tensor(np.array([3, 1, 3, 3, 0]))].sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), [1, 1, 0, 3])


def test_bool_mask_combinations():
    m = np.array([True, False, True])
    compare(lambda lib, x, m: x[:, m], r(2, 3, 4), m)
    compare(lambda lib, x, m: x[1, m, 1:], r(2, 3, 4), m)
    compare(lambda lib, x, m: x[..., m], r(2, 4, 3), m)
    compare(lambda lib, x, m: x[m, [0, 1]], r(3, 2), m)
    compare(lambda lib, x: x[[True, False]], r(2, 3))


def test_bool_mask_wrong_shape_raises():
    with pytest.raises(IndexError):
        torch.tensor(r(2, 3))[torch.tensor([True, False, True])]
    with pytest.raises(IndexError, match="index"):
        ag.tensor(r(2, 3))[ag.tensor(np.array([True, False, True]))]


def test_advanced_out_of_range_and_float_index_errors():
    x = ag.tensor(r(2, 3))
    for key in ([0, 2], ag.tensor(np.array([0, -3])), (0, [3]), np.array([5])):
        with pytest.raises(IndexError) as e:
            x[key]
        assert "index" in str(e.value) and "(2, 3)" in str(e.value)
    for key in (ag.tensor(np.array([0.0, 1.0])), np.array([0.0]), [0.5, 1.0]):
        with pytest.raises(IndexError):
            x[key]
    with pytest.raises(IndexError):
        torch.tensor(r(2, 3))[torch.tensor([0.0, 1.0])]


def test_advanced_index_is_a_copy_like_torch():
    outs = []
    for lib in (ag, torch):
        x = lib.tensor(r(3, 2))
        y = x[[0, 1]]
        with lib.no_grad():
            y.add_(10)
        outs.append(x.numpy().copy())
    np.testing.assert_array_equal(outs[0], outs[1])


def test_range_keys_index_like_torch():
    # x_[range(n), y] = v (the forward-forward example) and x[:, range(a, b)]: a range is a list of ints
    outs = []
    for lib in (ag, torch):
        x = lib.tensor(r(3, 4), requires_grad=True)
        y = x * 1
        y[range(3), lib.tensor([0, 2, 1])] = 7.0
        picked = y[range(1, 3)][:, range(1, 3)]
        picked.sum().backward()
        outs.append((picked.detach().numpy().copy(), x.grad.numpy().copy(), tuple(x[range(0)].shape)))
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    np.testing.assert_array_equal(outs[0][1], outs[1][1])
    assert outs[0][2] == outs[1][2] == (0, 4)


# ---- gather / scatter / scatter_add ------------------------------------------------------
def test_int32_indices_work_like_torch():
    idx = np.array([[0, 1], [1, 2], [2, 3]], dtype=np.int32)
    compare(lambda lib, x, i: x.gather(1, i), r(3, 4), idx)
    compare(lambda lib, x, i: x.index_select(1, i[0]), r(3, 4), idx)
    compare(lambda lib, x, i: x[i], r(4, 2), idx)


def test_gather_errors():
    x = ag.tensor(r(2, 3))
    with pytest.raises(IndexError) as e:
        x.gather(1, ag.tensor(np.array([[0], [3]])))
    assert "gather" in str(e.value) and "3" in str(e.value)
    with pytest.raises(RuntimeError):
        torch.tensor(r(2, 3)).gather(1, torch.tensor([[0], [-1]]))
    with pytest.raises(IndexError, match="gather"):  # negative indices are out of range, as in torch
        x.gather(1, ag.tensor(np.array([[0], [-1]])))
    with pytest.raises((TypeError, RuntimeError, IndexError), match="gather"):
        x.gather(1, ag.tensor(np.array([[0.0], [1.0]])))
    with pytest.raises(SHAPE_ERRORS, match="gather"):
        x.gather(1, ag.tensor(np.array([0, 1])))  # wrong number of dims
    with pytest.raises(SHAPE_ERRORS, match="gather"):
        x.gather(1, ag.tensor(np.zeros((3, 1), np.int64)))  # larger than input in dim 0


SCATTER_CASES = [  # no repeated positions: torch's scatter is then deterministic
    ((3, 4), 1, np.array([[0, 3], [1, 2], [3, 0]])),
    ((3, 4), 0, np.array([[2, 0, 1, 1], [0, 1, 2, 0]])),
    ((5,), 0, np.array([4, 0, 2])),
]


@pytest.mark.parametrize("case", range(len(SCATTER_CASES)))
def test_scatter_src_larger_than_index(case):
    # src may be larger than index (torch's own backward fails then, so values only)
    shape, dim, idx = SCATTER_CASES[case]
    src_shape = tuple(s + 1 for s in idx.shape)
    compare(lambda lib, x, i, s: lib.scatter(x, dim, i, s), r(*shape), idx, r(*src_shape, seed=1), grad=False)
    compare(lambda lib, x, i, s: lib.scatter_add(x, dim, i, s), r(*shape), idx, r(*src_shape, seed=2),
            grad=False)


def test_scatter_errors():
    x = ag.tensor(r(2, 3))
    with pytest.raises(IndexError, match="scatter"):
        x.scatter(1, ag.tensor(np.array([[3]])), 1.0)
    with pytest.raises(IndexError, match="scatter"):
        x.scatter(1, ag.tensor(np.array([[-1]])), 1.0)
    with pytest.raises(SHAPE_ERRORS, match="scatter"):
        x.scatter(1, ag.tensor(np.array([[0, 1]])), ag.tensor(r(1, 1)))  # src smaller than index


SCATTER_REDUCE_CASES = [  # with repeated positions
    ((3, 4), 1, np.array([[0, 0, 3], [1, 1, 1], [3, 0, 3]])),
    ((3, 4), 0, np.array([[2, 2, 1, 1], [2, 1, 2, 0], [0, 0, 0, 0]])),
    ((5,), 0, np.array([4, 4, 0, 4, 1])),
]


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
@pytest.mark.parametrize("reduce", ["add", "multiply"])
@pytest.mark.parametrize("case", range(len(SCATTER_REDUCE_CASES)))
def test_scatter_reduce_values(case, reduce):
    """torch's scatter(reduce=...) is deprecated and has no derivative: values only."""
    shape, dim, idx = SCATTER_REDUCE_CASES[case]
    compare(lambda lib, x, i, s: x.scatter(dim, i, s, reduce=reduce), r(*shape), idx, r(*idx.shape, seed=1),
            grad=False)
    compare(lambda lib, x, i: x.scatter(dim, i, 1.5, reduce=reduce), r(*shape), idx, grad=False)
    compare(lambda lib, x, i: lib.scatter(x, dim, i, value=2, reduce=reduce), np.arange(12).reshape(3, 4)
            if len(shape) == 2 else np.arange(5), idx, grad=False)
    with ag.no_grad():
        y = ag.tensor(r(*shape))
        y.scatter_(dim, ag.tensor(idx), ag.tensor(r(*idx.shape, seed=1)), reduce=reduce)
    t = torch.tensor(r(*shape)).scatter_(dim, torch.tensor(idx), torch.tensor(r(*idx.shape, seed=1)),
                                          reduce=reduce)
    assert_same(y, t)


def test_scatter_multiply_has_no_derivative_like_torch():
    x = ag.tensor(r(3, 4), requires_grad=True)
    y = x.scatter(1, ag.tensor(np.array([[0], [1], [1]])), 2.0, reduce="multiply")
    with pytest.raises(RuntimeError, match="scatter.*multiply"):
        y.sum().backward()
    with pytest.raises(ValueError, match="scatter.*reduce"):
        x.scatter(1, ag.tensor(np.array([[0]])), 2.0, reduce="mean")


def test_scatter_add_errors():
    x = ag.tensor(r(2, 3))
    with pytest.raises(IndexError, match="scatter_add"):
        x.scatter_add(0, ag.tensor(np.array([[2, 0, 0]])), ag.tensor(r(1, 3)))


# ---- index_select ---------------------------------------------------------------------------
def test_index_select_errors():
    x = ag.tensor(r(2, 4))
    with pytest.raises(IndexError, match="index_select"):
        x.index_select(1, ag.tensor(np.array([[0]])))
    with pytest.raises(IndexError, match="index_select"):
        x.index_select(1, ag.tensor(np.array([4])))
    with pytest.raises(IndexError, match="index_select"):
        x.index_select(1, ag.tensor(np.array([-1])))  # torch refuses negative indices here
    with pytest.raises(IndexError, match="index_select"):
        x.index_select(1, ag.tensor(np.array([0.0])))


# ---- masked_fill / masked_select ----------------------------------------------------------
def test_masked_fill_errors():
    m = np.array([True, False, True])
    x = ag.tensor(r(2, 3))
    with pytest.raises((TypeError, RuntimeError), match="masked_fill"):
        x.masked_fill(ag.tensor(np.array([1, 0, 1])), 1.0)
    with pytest.raises(SHAPE_ERRORS, match="masked_fill"):
        x.masked_fill(ag.tensor(np.ones((3, 2), bool)), 1.0)
    with pytest.raises(SHAPE_ERRORS, match="masked_fill"):
        x.masked_fill(ag.tensor(m), ag.tensor(np.ones(3)))


def test_masked_select_errors():
    x = ag.tensor(r(2, 3))
    with pytest.raises((TypeError, RuntimeError), match="masked_select"):
        x.masked_select(ag.tensor(np.array([1, 0, 1])))
    with pytest.raises(SHAPE_ERRORS, match="masked_select"):
        x.masked_select(ag.tensor(np.ones(2, bool)))


# ---- take_along_dim ----------------------------------------------------------------------
def test_take_along_dim_with_argmax_and_errors():
    compare(lambda lib, x: x.take_along_dim(x.argmax(1, keepdim=True), 1), r(4, 5))
    x = ag.tensor(r(2, 3))
    with pytest.raises(SHAPE_ERRORS, match="take_along_dim"):
        x.take_along_dim(ag.tensor(np.array([0, 2])), 1)
    with pytest.raises(SHAPE_ERRORS, match="take_along_dim"):
        x.take_along_dim(ag.tensor(np.array([[0, 2]])), 0)
    with pytest.raises(IndexError, match="take_along_dim|gather|index"):
        x.take_along_dim(ag.tensor(np.array([[3], [0]])), 1)
    with pytest.raises(IndexError, match="take_along_dim|index"):
        x.take_along_dim(ag.tensor(np.array([6])))
    with pytest.raises(IndexError, match="take_along_dim"):
        x.take_along_dim(ag.tensor(np.array([[0.0]])), 1)


# ---- the scatter-add kernel against NumPy ----------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("out_shape,idx", [
    ((5, 3), np.array([0, 4, 4, -1, -5, 2, 2, 2])),
    ((4,), np.array([1, 1, -1, 3, 0, -4])),
    ((3, 2, 2), np.array([[2, -3], [2, 2]])),
    ((4, 3), np.zeros(0, np.int64)),
    ((6, 1), np.array([5, 5, 5], dtype=np.int32)),
])
def test_kernel_index_add_rows_matches_numpy(dtype, out_shape, idx):
    rng = np.random.default_rng(1)
    out = rng.standard_normal(out_shape).astype(dtype)
    src = rng.standard_normal(idx.shape + out_shape[1:]).astype(dtype)
    expected = out.copy()
    np.add.at(expected, idx, src)
    kscatter.index_add_rows(out, idx, src)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, expected, rtol=1e-6 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernel_index_add_rows_non_contiguous_src_and_bounds(dtype):
    rng = np.random.default_rng(2)
    out = np.zeros((4, 3), dtype)
    src = rng.standard_normal((3, 6)).astype(dtype)[:, ::2]  # non-contiguous
    idx = np.array([3, -1, 0])
    expected = out.copy()
    np.add.at(expected, idx, src)
    kscatter.index_add_rows(out, idx, src)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    for bad in (np.array([4]), np.array([0, -5])):
        with pytest.raises(IndexError):
            kscatter.index_add_rows(np.zeros((4, 3), dtype), bad, np.ones((1, 3), dtype)[[0] * len(bad)])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("out_shape,key_fn", [
    ((5, 3), lambda: (np.array([0, 4, 4, -1, -5, 2]),)),                        # row kernel path
    ((5, 3), lambda: (np.array([[1, -1], [1, 1]]),)),                            # 2-D index, row kernel
    ((5, 3), lambda: (np.array([0, 0, -1]), np.array([2, 2, -3]))),              # two index arrays
    ((5, 3), lambda: (slice(None), np.array([1, 1, -1, 0]))),                    # index on dim 1
    ((5, 3), lambda: (np.array([True, False, True, True, False]),)),            # bool mask
    ((2, 3, 4), lambda: (np.array([1, 1]), slice(None), np.array([-1, 3]))),     # separated advanced
    ((4,), lambda: (np.array([3, 3, 3, -4]),)),
])
def test_kernel_scatter_add_matches_numpy(dtype, out_shape, key_fn):
    rng = np.random.default_rng(3)
    key = key_fn()
    out = rng.standard_normal(out_shape).astype(dtype)
    vals = rng.standard_normal(out[key].shape).astype(dtype)
    expected = out.copy()
    np.add.at(expected, key, vals)
    kscatter.scatter_add(out, key, vals)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, expected, rtol=1e-6 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("case", ["int_out", "non_contiguous_out", "float64_values_into_float32",
                                  "numpy_fallback_for_big_tensors"])
def test_kernel_scatter_add_other_paths_match_numpy(case, monkeypatch):
    rng = np.random.default_rng(4)
    out = rng.standard_normal((5, 4))
    key = (np.array([0, -1, 0, 2]), np.array([[1], [1]]))
    if case == "int_out":
        out = (out * 10).astype(np.int64)
    elif case == "non_contiguous_out":
        out = np.asfortranarray(out)
    elif case == "numpy_fallback_for_big_tensors":
        monkeypatch.setattr(kscatter, "_GRID_LIMIT", 0)
    vals = rng.standard_normal(out[key].shape)
    vals = (vals * 10).astype(out.dtype) if case == "int_out" else vals
    if case == "float64_values_into_float32":
        out = out.astype(np.float32)
    expected = out.copy()
    np.add.at(expected, key, vals.astype(out.dtype))
    kscatter.scatter_add(out, key, vals)
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_kernel_scatter_add_out_of_range_raises():
    with pytest.raises(IndexError):
        kscatter.scatter_add(np.zeros((3, 2)), (np.array([0, 3]),), np.ones((2, 2)))
    with pytest.raises(IndexError):
        kscatter.scatter_add(np.zeros((3, 2)), (np.array([-4]),), np.ones((1, 2)))
    with pytest.raises(IndexError):  # the flat kernel's path
        kscatter.scatter_add(np.zeros((3, 2)), (np.array([0, 1]), np.array([0, 2])), np.ones(2))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradient_of_an_index_of_a_permuted_tensor_keeps_its_layout(dtype):
    """The gradient of `y.transpose(0, 1)[:, -1]` reaches y in C order (its zeros are laid
    out as the indexed view was, as PyTorch's gradients follow their input's strides), so
    a consumer that needs C order copies nothing; values as PyTorch's, for basic and
    advanced keys and a permutation of three axes."""
    a = np.random.default_rng(0).standard_normal((5, 4, 3)).astype(dtype)
    cases = [((1, 0, 2), (slice(None), -1)), ((2, 0, 1), (1, slice(1, 3))), ((1, 0, 2), ([0, 2, 2], slice(None)))]
    for axes, key in cases:
        grads = {}
        for lib in (ag, torch):
            mid = lib.tensor(a, requires_grad=True) * 1.0
            mid.retain_grad()
            out = mid.permute(*axes)[key]
            weights = lib.tensor(np.arange(out.numel()).reshape(tuple(out.shape)).astype(dtype))
            (out * weights).sum().backward()
            grads[lib] = mid.grad
        np.testing.assert_array_equal(grads[ag].numpy(), grads[torch].numpy())
        assert grads[ag].numpy().dtype == dtype
    mid = ag.tensor(a, requires_grad=True) * 1.0
    seen = []
    mid.register_hook(lambda g: seen.append(g.numpy().flags.c_contiguous))
    mid.transpose(0, 1)[:, -1].sum().backward()
    assert seen == [True]
