"""The recurrence drivers on the cell kernels against the same drivers on the cells'
NumPy twins, the fused float32 loops (serial and split over row blocks) against the
Python-driven loop, the float32 tanh against NumPy's, and a run of every kernel under
NUMBA_BOUNDSCHECK=1."""
import os
import subprocess
import sys
import tempfile
import textwrap
import threading

import numpy as np
import pytest

import autograd_lite as ag
import rnn_references
from autograd_lite.kernels import background, blas, rnn_cells, rnn_fused, rnn_loop

MODES = [("LSTM", False), ("GRU", False), ("RNN", False), ("RNN", True)]
GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}


def _case(mode, dtype, seed, nt=5, nb=4, nh=3, ni=2):
    """x (T, B, I), w_in = [W_ih | b] (G, I + 1), w_hh, b_hh, h0, c0, dy, dhn, dcn."""
    rng = np.random.default_rng(seed)
    ng = GATES[mode] * nh
    x = rng.standard_normal((nt, nb, ni)).astype(dtype)
    w_in = rng.standard_normal((ng, ni + 1)).astype(dtype)
    w_hh = (rng.standard_normal((ng, nh)) * 0.5).astype(dtype)
    b_hh = rng.standard_normal(ng).astype(dtype)
    h0 = rng.standard_normal((nb, nh)).astype(dtype)
    c0 = rng.standard_normal((nb, nh)).astype(dtype)
    dy = rng.standard_normal((nt, nb, nh)).astype(dtype)
    dhn = rng.standard_normal((nb, nh)).astype(dtype)
    dcn = rng.standard_normal((nb, nh)).astype(dtype)
    return x, w_in, w_hh, b_hh, h0, c0, dy, dhn, dcn


def _run(mode, relu, case, lengths, reverse, cells):
    x, w_in, w_hh, b_hh, h0, c0, dy, dhn, dcn = case
    y, hn, cn, saved = rnn_loop.recurrence_forward(mode, x, w_in, w_hh, b_hh, h0, c0, lengths,
                                                   reverse, relu, cells)
    grads = rnn_loop.recurrence_backward(mode, saved, w_hh, h0, dy, dhn, dcn, cells)
    return [y, hn, cn] + list(grads)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mode,relu", MODES)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("packed", [False, True])
def test_drivers_match_numpy_twins(mode, relu, reverse, packed, dtype):
    case = _case(mode, dtype, seed=len(mode) + 2 * reverse + 4 * packed)
    lengths = np.array([5, 2, 4, 1], np.int64) if packed else None
    got = _run(mode, relu, case, lengths, reverse, rnn_cells)
    want = _run(mode, relu, case, lengths, reverse, rnn_references)
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-6)
    for i, (g, w) in enumerate(zip(got, want)):
        if w is None:
            assert g is None
            continue
        assert g.dtype == w.dtype == dtype, i
        np.testing.assert_allclose(g, w, err_msg=f"result {i}", **tol)
    if packed:  # steps past a row's length output zero
        y = got[0]
        for b, n in enumerate(lengths):
            assert not np.any(y[n:, b])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ki", [3, 2])  # with and without the bias column
def test_step_inputs_rows_fill_whole_cache_lines(dtype, ki):
    """z = [h_prev | x_t | 1 | zeros]: every row starts a cache line (the weight GEMM's
    leading dimension), the padding is zero, and the weight gradients come out of the
    first H + ki columns only."""
    x = np.random.default_rng(0).standard_normal((4, 3, 2)).astype(dtype)
    z = rnn_loop.step_inputs(x, 5, ki)
    assert z.shape[:2] == (4, 3) and z.strides[1] % 64 == 0 and z.shape[2] >= 5 + ki
    np.testing.assert_array_equal(z[:, :, 5:7], x)
    if ki == 3:
        assert np.all(z[:, :, 7] == 1)
    assert not np.any(z[:, :, 5 + ki:])
    dg = np.random.default_rng(1).standard_normal((4, 3, 8)).astype(dtype)
    z[:, :, :5] = np.random.default_rng(2).standard_normal((4, 3, 5))
    dw_hh, dw_in = rnn_loop._weight_grads(dg, dg, z, 5, ki)
    z2, d2 = z.reshape(12, -1), dg.reshape(12, 8)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(dw_hh, d2.T @ z2[:, :5], rtol=tol, atol=tol)
    np.testing.assert_allclose(dw_in, d2.T @ z2[:, 5:5 + ki], rtol=tol, atol=tol)
    assert dw_in.shape == (8, ki)


def _tanh32(x):
    """The float32 tanh of the kernels, through an RNN step from xp = x, hh = -0 (x + -0
    is x, signed zeros included)."""
    x = np.ascontiguousarray(x, np.float32).reshape(1, -1)
    out, y = np.empty_like(x), np.empty_like(x)
    rnn_cells.rnn_step32(x, np.full_like(x, -0.0), x, out, y, 0, np.ones(1, np.int64), False)
    return out[0]


def test_tanh32_within_a_few_ulp():
    x = np.concatenate([np.linspace(-12, 12, 200_001), np.geomspace(1e-30, 1, 2000),
                        -np.geomspace(1e-30, 1, 2000), [0.0, -0.0]]).astype(np.float32)
    out = _tanh32(x)
    ref = np.tanh(x.astype(np.float64))
    rel = np.abs(out.astype(np.float64) - ref) / np.maximum(np.abs(ref), 1e-38)
    assert rel.max() < 5e-7
    far = np.abs(x) >= 9  # where float32's exact tanh is +-1: exactly that, not an ulp below
    np.testing.assert_array_equal(out[far], np.sign(x[far]))
    assert out[-2] == 0 and np.signbit(out[-1])
    o = _tanh32(np.array([np.inf, -np.inf, np.nan, 20.0], np.float32))
    assert o[0] == 1 and o[1] == -1 and np.isnan(o[2]) and o[3] == 1


def test_float32_relu_step_keeps_nan():
    x = np.array([[-1.0, 0.0, 2.0, np.nan]], np.float32)
    out, y = np.empty_like(x), np.empty_like(x)
    rnn_cells.rnn_step32(x, np.zeros_like(x), x, out, y, 0, np.ones(1, np.int64), True)
    np.testing.assert_array_equal(out, np.maximum(x, 0))
    np.testing.assert_array_equal(y, out)


@pytest.mark.skipif(not blas.address(np.float32), reason="no BLAS the kernels can call")
@pytest.mark.parametrize("mode,relu", MODES)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("packed", [False, True])
@pytest.mark.parametrize("rows", [None, [0, 4], [0, 1, 4], [0, 2, 3, 4]])
def test_fused_loops_match_python_loop(mode, relu, reverse, packed, rows):
    """One kernel call per loop (rows None: the serial driver; else the parallel one
    on those row blocks) against the Python-driven loop on the same cell kernels."""
    case = _case(mode, np.float32, seed=3 + len(mode) + 2 * reverse + 4 * packed)
    lengths = np.array([5, 2, 4, 1], np.int64) if packed else None
    got, want, saved = _fused_and_python_loop(mode, relu, case, lengths, reverse, rows)
    for i, (g, w) in enumerate(zip(got, want)):
        if w is None:
            assert g is None
            continue
        assert g.dtype == w.dtype == np.float32 and g.shape == w.shape, i
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6, err_msg=f"result {i}")
    x, w_in, w_hh, b_hh, h0, c0 = case[:6]
    for k in ("hs", "act", "cs", "tcs"):
        if k in saved:
            ref = rnn_loop.recurrence_forward(mode, x, w_in, w_hh, b_hh, h0, c0, lengths, reverse, relu)[3][k]
            np.testing.assert_allclose(saved[k], ref, rtol=1e-5, atol=1e-6, err_msg=k)


def _fused_and_python_loop(mode, relu, case, lengths, reverse, rows):
    """(results of the fused loop on the row blocks `rows` (None: serial), those of the
    Python loop, the fused forward's saved arrays)."""
    plan = rnn_loop.Plan(blas.address(np.float32), np.array(rows or [0, 4], np.int64))
    assert plan.parallel == (rows is not None and len(rows) > 2)
    x, w_in, w_hh, b_hh, h0, c0, dy, dhn, dcn = case
    y, hn, cn, saved = rnn_loop.recurrence_forward(mode, x, w_in, w_hh, b_hh, h0, c0, lengths, reverse, relu,
                                                   plan=plan)
    got = [y, hn, cn] + list(rnn_loop.recurrence_backward(mode, saved, w_hh, h0, dy, dhn, dcn))
    return got, _run(mode, relu, case, lengths, reverse, rnn_cells), saved


@pytest.mark.skipif(not blas.address(np.float32), reason="no BLAS the kernels can call")
@pytest.mark.parametrize("mode,relu", MODES)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("rows", [None, [0, 2, 4]])
def test_fused_loops_project_inputs_in_chunks(mode, relu, reverse, rows):
    """A sequence long enough that each thread projects its inputs in several products
    (rnn_fused.CHUNK_ROWS rows each, the last one shorter): the same bits as the Python
    loop's one product for all steps."""
    nt = rnn_fused.CHUNK_ROWS // 2 + 5  # 4 rows a thread: three products; 2 rows: two
    case = _case(mode, np.float32, seed=11 + len(mode) + 2 * reverse, nt=nt)
    lengths = np.array([nt, 2, nt // 2, 1], np.int64)
    got, want, _ = _fused_and_python_loop(mode, relu, case, lengths, reverse, rows)
    for i, (g, w) in enumerate(zip(got, want)):
        if w is None:
            assert g is None
            continue
        np.testing.assert_array_equal(g, w, err_msg=f"result {i}")


class _HeldJob(background.Job):
    """A job whose build waits until the test lets it finish."""

    def __init__(self):
        self.go = threading.Event()
        super().__init__("a test job", lambda: self.go.wait(5))


def test_plan_asks_for_the_fused_loop_at_a_layers_second_call(monkeypatch):
    """The first call of a layer runs the Python loop and asks for nothing; its second
    (the same W_hh array) queues the fused loop's compile; layers keep the Python loop
    until the compile is done."""
    if not blas.address(np.float32):
        pytest.skip("no BLAS the kernels can call: only the Python loop runs")
    job = _HeldJob()
    monkeypatch.setitem(rnn_loop.FUSED, "GRU", job)
    w1, w2 = np.zeros((6, 2), np.float32), np.zeros((6, 2), np.float32)
    assert rnn_loop.plan("GRU", 8, np.float32, w1).fn == 0 and not job.requested
    assert rnn_loop.plan("GRU", 8, np.float32, w2).fn == 0 and not job.requested
    assert rnn_loop.plan("GRU", 8, np.float32, w1).fn == 0 and job.requested
    assert rnn_loop.plan("GRU", 8, np.float32, w2).fn == 0  # compiling: still the Python loop
    job.go.set()
    assert job.wait()
    assert rnn_loop.plan("GRU", 8, np.float32, w2).fn == blas.address(np.float32)
    assert rnn_loop.plan("GRU", 8, np.float64, w2).fn == 0  # float64: always the Python loop


def test_plan_uses_threads_only_for_enough_rows():
    if not blas.address(np.float32):
        pytest.skip("no BLAS the kernels can call: only the Python loop runs")
    assert rnn_loop.FUSED["LSTM"].wait()
    before = ag.get_num_threads()
    try:
        ag.set_num_threads(1)
        p = rnn_loop.plan("LSTM", 64, np.float32)
        assert p.fn and not p.parallel and list(p.rows) == [0, 64]  # one thread: the whole batch
        ag.set_num_threads(2)
        p = rnn_loop.plan("LSTM", 64, np.float32)
        assert p.parallel and list(p.rows) == [0, 32, 64]
        p = rnn_loop.plan("LSTM", 2 * rnn_loop.PARALLEL_MIN_ROWS - 1, np.float32)
        assert p.fn and not p.parallel
        assert rnn_loop.plan("LSTM", 64, np.float64).fn == 0  # float64: the Python loop
    finally:
        ag.set_num_threads(before)


def test_gate_scale():
    np.testing.assert_array_equal(rnn_loop.gate_scale("LSTM", 2, np.float32), [.5, .5, .5, .5, 1, 1, .5, .5])
    np.testing.assert_array_equal(rnn_loop.gate_scale("GRU", 1, np.float64), [.5, .5, 1])
    np.testing.assert_array_equal(rnn_loop.gate_scale("RNN", 2, np.float64), [1, 1])


def test_kernels_under_boundscheck():
    """Every kernel, both dtypes, packed and not, the fused loops serial and on row
    blocks, with Numba's bounds checks on. The
    cache directory is private to bounds-checked builds (no unchecked code is reused;
    the first run compiles, later runs load)."""
    script = textwrap.dedent("""
        import numpy as np
        from autograd_lite.kernels import blas, rnn_cells as k, rnn_loop
        rng = np.random.default_rng(0)
        fn = blas.address(np.float32)
        plans = [rnn_loop._PYTHON_LOOP] + ([rnn_loop.Plan(fn, np.array(r)) for r in ([0, 2], [0, 1, 2])] if fn else [])
        for dtype in (np.float32, np.float64):
            for mode, relu in (("LSTM", False), ("GRU", False), ("RNN", False), ("RNN", True)):
                g = {"LSTM": 4, "GRU": 3, "RNN": 1}[mode] * 3
                x = rng.standard_normal((4, 2, 2)).astype(dtype)
                w_in = rng.standard_normal((g, 3)).astype(dtype)
                w = rng.standard_normal((g, 3)).astype(dtype)
                b = rng.standard_normal(g).astype(dtype)
                h0 = rng.standard_normal((2, 3)).astype(dtype)
                for lengths in (None, np.array([4, 2], np.int64)):
                    for rev in (False, True):
                        for plan in (plans if dtype == np.float32 else plans[:1]):
                            y, hn, cn, saved = rnn_loop.recurrence_forward(
                                mode, x, w_in, w, b, h0, h0, lengths, rev, relu, plan=plan)
                            rnn_loop.recurrence_backward(mode, saved, w, h0, np.ones_like(y), h0, h0)
        for dtype in (np.float32, np.float64):  # the split (non-fused) float32 paths too
            xp = rng.standard_normal((2, 12)).astype(dtype)
            hh = rng.standard_normal((2, 12)).astype(dtype)
            h0 = rng.standard_normal((2, 3)).astype(dtype)
            out = [np.empty((2, 3), dtype) for _ in range(5)]
            act = np.empty((2, 12), dtype)
            k.lstm_gates(act, h0, out[0], 0, np.array([1, 0], np.int64))
            k.lstm_output(act, out[1], h0, out[2], out[3], 0, np.array([1, 0], np.int64))
            k.gru_pre(xp[:, :9].copy(), hh[:, :9].copy(), xp[0, :9].copy(), act)
            k.gru_candidate(xp[:, :9].copy(), act)
            k.gru_output(act, h0, out[0], out[1], 0, np.array([1, 0], np.int64))
        print("ok")
    """)
    cache = os.path.join(tempfile.gettempdir(), "autograd_lite_numba_boundscheck")
    env = dict(os.environ, NUMBA_BOUNDSCHECK="1", NUMBA_CACHE_DIR=cache)
    res = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    assert "ok" in res.stdout


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mode,relu", MODES)
@pytest.mark.parametrize("reverse", [False, True])
def test_zero_initial_state_and_no_h0_gradient_skip_products(mode, relu, reverse, dtype):
    """A zero h0 skips the first step's product and want_dh0=False the last backward
    one (each feeds nothing else): every other result is the same with and without
    want_dh0, and the fused loop (float32) has the Python loop's bits. Their values
    against PyTorch's: tests/nn/test_rnn.py (layers without hx)."""
    case = list(_case(mode, dtype, seed=3 + len(mode) + 2 * reverse))
    case[4] = np.zeros_like(case[4])
    x, w_in, w_hh, b_hh, h0, c0, dy, dhn, dcn = case
    lengths = np.array([5, 2, 4, 1], np.int64)
    plans = [rnn_loop._PYTHON_LOOP]
    if dtype == np.float32 and blas.address(np.float32):
        plans += [rnn_loop.Plan(blas.address(np.float32), np.array(rows, np.int64)) for rows in ([0, 4], [0, 2, 4])]
    runs = []
    for plan in plans:
        for want in (True, False):
            y, hn, cn, saved = rnn_loop.recurrence_forward(mode, x, w_in, w_hh, b_hh, h0, c0, lengths, reverse,
                                                           relu, plan=plan)
            grads = rnn_loop.recurrence_backward(mode, saved, w_hh, h0, dy, dhn, dcn, want_dh0=want)
            runs.append((want, [y, hn, cn] + list(grads)))
    full = runs[0][1]
    for want, got in runs:
        for i, (g, w) in enumerate(zip(got, full)):
            if i == 4 and not want:  # dh0: not computed
                continue
            if w is None:
                assert g is None
            else:
                np.testing.assert_array_equal(g, w, err_msg=f"result {i}, want_dh0={want}")
    twin = _run(mode, relu, case, lengths, reverse, rnn_references)
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-6)
    for i, (g, w) in enumerate(zip(full, twin)):
        if w is not None:
            np.testing.assert_allclose(g, w, **tol, err_msg=f"result {i}")
