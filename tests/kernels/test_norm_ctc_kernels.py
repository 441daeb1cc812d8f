"""The group-norm kernels (kernels/normalization.py) against their NumPy references
(ops/group_norm.py), and the CTC kernels (kernels/ctc.py) against a plain NumPy
recursion, over random geometries (also run under NUMBA_BOUNDSCHECK=1 by
test_boundscheck.py)."""
import math

import numpy as np
import pytest

from autograd_lite.kernels import ctc as C, normalization as K
from autograd_lite.ops import group_norm as G

DTYPES = [pytest.param(np.float64, id="float64"), pytest.param(np.float32, id="float32")]


def _tol(dtype):
    return dict(rtol=1e-11, atol=1e-11) if dtype == np.float64 else dict(rtol=3e-5, atol=3e-5)


# ---- group norm -------------------------------------------------------------------------------------
def _group_geometries(count=12, seed=0):
    rng = np.random.default_rng(seed)
    out = [((3, 6, 5), 3), ((2, 4), 2), ((2, 6, 3, 2), 6), ((1, 4, 7), 1), ((0, 4, 3), 2), ((2, 3, 0), 3)]
    for _ in range(count):
        groups = int(rng.integers(1, 4))
        channels = groups * int(rng.integers(1, 4))
        spatial = tuple(int(s) for s in rng.integers(1, 5, int(rng.integers(0, 3))))
        out.append(((int(rng.integers(1, 4)), channels) + spatial, groups))
    return out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,groups", _group_geometries())
def test_group_norm_kernels_match_numpy(shape, groups, dtype):
    tol = _tol(dtype)
    rng = np.random.default_rng(2)
    x = (rng.standard_normal(shape[::-1]).T * 2 + 1).astype(dtype)  # non-contiguous
    g = rng.standard_normal(shape).astype(dtype)
    c = shape[1]
    w, b = rng.standard_normal(c).astype(dtype), rng.standard_normal(c).astype(dtype)
    mean, var = K.group_norm_stats(x, groups)
    r_mean, r_var = G.group_norm_stats_numpy(x, groups)
    assert mean.shape == var.shape == (shape[0] * groups,)
    if x.size:
        np.testing.assert_allclose(mean, r_mean, **tol)
        np.testing.assert_allclose(var, r_var, **tol)
    invstd = (1 / np.sqrt(r_var + 1e-5)).astype(dtype)
    out, xhat = K.group_norm_forward(x, groups, r_mean, invstd, w, b)
    r_out, r_xhat = G.group_norm_forward_numpy(x, groups, r_mean, invstd, w, b)
    assert out.dtype == xhat.dtype == dtype and out.shape == shape
    np.testing.assert_allclose(out, r_out, **tol)
    np.testing.assert_allclose(xhat, r_xhat, **tol)
    gx = K.group_norm_grad_input(g, r_xhat, groups, invstd, w)
    assert gx.dtype == dtype and gx.shape == shape
    np.testing.assert_allclose(gx, G.group_norm_grad_input_numpy(g, r_xhat, groups, invstd, w), **tol)


@pytest.mark.parametrize("shape", [(7, 5, 6, 3), (9, 6)], ids=["4d", "2d"])
def test_norm_kernels_split_over_threads_bit_for_bit_float64(shape, monkeypatch):
    """Batch and group norm kernels split over 2 threads (tiny parts): the same bits as
    on one thread (each sum over the batch keeps its order), and the references' values."""
    import autograd_lite as ag
    from autograd_lite.kernels import workers
    from autograd_lite.ops import normalization as N

    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape) * 3 + 1
    g = rng.standard_normal(shape)
    c = shape[1]
    w, b = rng.standard_normal(c), rng.standard_normal(c)
    groups = 3 if c % 3 == 0 else 1

    def everything():
        mean, var = K.batch_norm_stats(x)
        invstd = 1 / np.sqrt(var + 1e-5)
        out, xhat = K.batch_norm_forward(x, mean, invstd, w, b)
        sum_g, sum_gx = K.batch_norm_sums(g, xhat)
        n = x.size // c
        gx = K.batch_norm_grad_input(g, xhat, w * invstd, sum_g / n, sum_gx / n)
        gmean, gvar = K.group_norm_stats(x, groups)
        ginv = 1 / np.sqrt(gvar + 1e-5)
        gout, gxhat = K.group_norm_forward(x, groups, gmean, ginv, w, b)
        ggx = K.group_norm_grad_input(g, gxhat, groups, ginv, w)
        return [mean, var, out, xhat, sum_g, sum_gx, gx, gmean, gvar, gout, gxhat, ggx]

    one = everything()
    monkeypatch.setattr(workers, "PARALLEL_MIN", 0)
    before = ag.get_num_threads()
    ag.set_num_threads(2)
    try:
        two = everything()
    finally:
        ag.set_num_threads(before)
    for a, t in zip(one, two):
        np.testing.assert_array_equal(a, t)
    r_mean, r_var = N.batch_norm_stats_numpy(x)
    np.testing.assert_allclose(one[0], r_mean, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(one[1], r_var, rtol=1e-12)
    r_out, r_xhat = N.batch_norm_forward_numpy(x, one[0], 1 / np.sqrt(one[1] + 1e-5), w, b)
    np.testing.assert_allclose(one[2], r_out, rtol=1e-12, atol=1e-12)
    r_gx, r_sum_g, r_sum_gx = N.batch_norm_backward_numpy(g, one[3], w / np.sqrt(one[1] + 1e-5), True)
    np.testing.assert_allclose(one[6], r_gx, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(one[4], r_sum_g, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(one[7], G.group_norm_stats_numpy(x, groups)[0], rtol=1e-12, atol=1e-12)


# ---- CTC -----------------------------------------------------------------------------------------------
def _lse(a, b):
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    m = max(a, b)
    return m + math.log(math.exp(a - m) + math.exp(b - m))


def _ctc_reference(lp, target, blank):
    """(nll, alpha, beta) of one sample by the textbook recursions (lp (T, C))."""
    t_len = lp.shape[0]
    ext = [blank]
    for c in target:
        ext += [int(c), blank]
    states = len(ext)
    alpha = np.full((t_len, states), -math.inf)
    beta = np.full((t_len, states), -math.inf)
    if t_len == 0:
        return (0.0 if len(target) == 0 else math.inf), alpha, beta

    def skip(s, step):  # may the path jump between s and s + 2 * step? (PyTorch's rule: the two
        r = s + 2 * step  # states hold different values; so never between blanks)
        return 0 <= r < states and ext[r] != ext[s]

    alpha[0, 0] = lp[0, ext[0]]
    if states > 1:
        alpha[0, 1] = lp[0, ext[1]]
    for t in range(1, t_len):
        for s in range(states):
            a = alpha[t - 1, s]
            if s > 0:
                a = _lse(a, alpha[t - 1, s - 1])
            if s > 1 and skip(s, -1):
                a = _lse(a, alpha[t - 1, s - 2])
            alpha[t, s] = a + lp[t, ext[s]] if a != -math.inf else -math.inf
    beta[t_len - 1, states - 1] = lp[t_len - 1, ext[-1]]
    if states > 1:
        beta[t_len - 1, states - 2] = lp[t_len - 1, ext[-2]]
    for t in range(t_len - 2, -1, -1):
        for s in range(states):
            b = beta[t + 1, s]
            if s < states - 1:
                b = _lse(b, beta[t + 1, s + 1])
            if skip(s, 1):
                b = _lse(b, beta[t + 1, s + 2])
            beta[t, s] = b + lp[t, ext[s]] if b != -math.inf else -math.inf
    end = alpha[t_len - 1, states - 1]
    if states > 1:
        end = _lse(end, alpha[t_len - 1, states - 2])
    return -end, alpha, beta


def _ctc_case(seed):
    rng = np.random.default_rng(seed)
    t_max, n, classes = int(rng.integers(1, 7)), int(rng.integers(1, 4)), int(rng.integers(2, 5))
    blank = int(rng.integers(0, classes))
    s_max = int(rng.integers(0, 4))
    in_len = rng.integers(0, t_max + 1, n)
    tg_len = rng.integers(0, s_max + 1, n)
    targets = rng.integers(0, classes, (n, s_max))  # may repeat labels, may hold the blank
    logits = rng.standard_normal((t_max, n, classes))
    lp = logits - np.log(np.exp(logits).sum(axis=2, keepdims=True))
    return lp, targets.astype(np.int64), in_len.astype(np.int64), tg_len.astype(np.int64), blank


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(20))
def test_ctc_kernels_match_numpy(seed, dtype):
    lp, targets, in_len, tg_len, blank = _ctc_case(seed)
    lp = lp.astype(dtype)
    nll, alpha, beta = C.ctc_forward(lp, targets, in_len, tg_len, blank)
    scale = np.linspace(0.5, 1.5, lp.shape[1])
    for zero_infinity in (False, True):
        grad = C.ctc_grad(lp, targets, in_len, tg_len, blank, alpha, beta, nll, scale, zero_infinity)
        assert grad.dtype == dtype and grad.shape == lp.shape
        for n in range(lp.shape[1]):
            ref_nll, ref_alpha, ref_beta = _ctc_reference(lp[:in_len[n], n].astype(np.float64),
                                                          targets[n, :tg_len[n]], blank)
            if math.isinf(ref_nll):
                assert math.isinf(nll[n])
            else:
                np.testing.assert_allclose(nll[n], ref_nll, **_tol(dtype))
            states = 2 * tg_len[n] + 1
            np.testing.assert_allclose(alpha[n, :in_len[n], :states], ref_alpha, **_tol(dtype))
            np.testing.assert_allclose(beta[n, :in_len[n], :states], ref_beta, **_tol(dtype))
            assert not np.any(grad[in_len[n]:, n])  # nothing past the input length
            if zero_infinity and math.isinf(ref_nll):
                assert not np.any(grad[:, n])
            elif not math.isinf(ref_nll) and in_len[n]:
                occupancy = np.zeros(lp.shape[2])
                ext = [blank] + [c for t in targets[n, :tg_len[n]] for c in (t, blank)]
                want = np.empty((in_len[n], lp.shape[2]))
                for t in range(in_len[n]):
                    occupancy[:] = 0
                    for s, c in enumerate(ext):
                        occupancy[c] += math.exp(ref_alpha[t, s] + ref_beta[t, s] + ref_nll - lp[t, n, c])
                    want[t] = (np.exp(lp[t, n].astype(np.float64)) - occupancy) * scale[n]
                np.testing.assert_allclose(grad[:in_len[n], n], want, **_tol(dtype))
