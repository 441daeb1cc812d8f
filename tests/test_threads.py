"""one_blas_thread: NumPy's BLAS on one thread inside, as before outside."""
import contextlib
import subprocess
import sys
import textwrap

import pytest

from autograd_lite.threads import one_blas_thread


def test_one_blas_thread_limits_and_restores():
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads():
        return [i["num_threads"] for i in threadpoolctl.ThreadpoolController().select(user_api="blas").info()]

    before = blas_threads()
    if not before:
        pytest.skip("no BLAS that threadpoolctl knows")
    with one_blas_thread():
        assert blas_threads() == [1] * len(before)
    assert blas_threads() == before


# ---- the worker pool (kernels/workers.py) -------------------------------------------------------------
import threading  # noqa: E402

import numpy as np  # noqa: E402

import autograd_lite as ag  # noqa: E402
from autograd_lite.kernels import workers  # noqa: E402


@pytest.fixture
def two_threads():
    before = ag.get_num_threads()
    ag.set_num_threads(2)
    yield
    ag.set_num_threads(before)


def test_set_num_threads_holds_blas_at_one_thread(two_threads):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    info = threadpoolctl.ThreadpoolController().select(user_api="blas").info()
    assert all(i["num_threads"] == 1 for i in info)
    assert ag.get_num_threads() == 2
    with one_blas_thread():  # nothing left to limit: no threadpoolctl calls
        info = threadpoolctl.ThreadpoolController().select(user_api="blas").info()
        assert all(i["num_threads"] == 1 for i in info)
    assert isinstance(one_blas_thread(), contextlib.nullcontext)


def test_run_runs_every_task_once_on_several_threads(two_threads):
    seen = []
    names = set()

    def task(i):
        seen.append(i)
        names.add(threading.current_thread().name)
        sum(range(20000))  # long enough for the helper to take some

    workers.run(task, 200)
    assert sorted(seen) == list(range(200))
    assert any(n.startswith("autograd_lite-worker") for n in names) or len(names) == 1


def test_run_raises_a_task_error_and_stays_usable(two_threads):
    def task(i):
        if i == 3:
            raise KeyError("task 3")

    with pytest.raises(KeyError, match="task 3"):
        workers.run(task, 10)
    done = []
    workers.run(done.append, 5)
    assert sorted(done) == list(range(5))


def test_nested_regions_run_serially(two_threads):
    inner = []
    workers.run(lambda i: workers.run(lambda j: inner.append((i, j)), 3), 4)
    assert sorted(inner) == [(i, j) for i in range(4) for j in range(3)]


def test_split_covers_the_range_once(two_threads, monkeypatch):
    monkeypatch.setattr(workers, "PARALLEL_MIN", 0)
    parts = []
    workers.split(lambda lo, hi: parts.append((lo, hi)), 37, 1)
    parts.sort()
    assert parts[0][0] == 0 and parts[-1][1] == 37 and len(parts) == 8
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:]))
    parts.clear()
    monkeypatch.setattr(workers, "PARALLEL_MIN", 100)
    workers.split(lambda lo, hi: parts.append((lo, hi)), 37, 99)  # too little work: one part
    assert parts == [(0, 37)]


@pytest.mark.parametrize("shape", [(300, 200, 100), (20, 300, 900), (1, 5, 7)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matmul_split_over_threads_equals_numpy(two_threads, monkeypatch, shape, dtype):
    monkeypatch.setattr(workers, "GEMM_SPLIT_MIN", 1)
    m, k, n = shape
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((n, k)).astype(dtype).T  # a transposed operand, as Linear's weight
    got = workers.matmul(a, b)
    assert got.dtype == dtype and got.shape == (m, n)
    np.testing.assert_allclose(got, np.matmul(a, b), rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-4)
    np.testing.assert_array_equal(workers.matmul(a[None], b), np.matmul(a[None], b))  # batched: NumPy's


# ---- waiting without sleeping (kernels/spin.py) -----------------------------------------------------
from autograd_lite.kernels import spin  # noqa: E402


def test_wait_while_returns_the_new_value_or_gives_up():
    c = spin.Counters(3)
    c.values[1] = 5
    assert c.wait_while(1, 4, 10) == 5  # already different: at once
    assert c.wait_while(1, 5, 1000) == 5  # unchanged: gives up after its rounds
    assert c.finish_and_wait(2, 1, 4, 10) == 5 and c.values[2] == 1  # counted, then watched
    with pytest.raises(IndexError, match="counter 3 of 3"):
        c.wait_while(3, 0, 10)


def test_wait_while_sees_a_bump_from_another_thread():
    c = spin.Counters(2)
    timer = threading.Timer(0.01, lambda: c.values.__setitem__(0, 7))
    timer.start()
    seen = c.wait_while(0, 0, 1 << 40)  # would spin for minutes without the bump
    timer.join()
    assert seen == 7


def test_finish_and_wait_counts_every_bump_from_several_threads():
    """The bump is atomic: threads finishing at once lose none."""
    c = spin.Counters(2)
    threads = [threading.Thread(target=lambda: [c.finish_and_wait(1, 0, 0, 1) for _ in range(2000)])
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.values[1] == 8000


def test_spin_loops_compile_once_when_threads_ask_at_once():
    """The first waits of a process, from several threads at once: one compile, which
    all of them use (a second compile's engine, dropped at once, would leave its
    caller a dangling function)."""
    script = textwrap.dedent("""
        import threading
        from autograd_lite.kernels import spin
        c = spin.Counters(2)
        threads = [threading.Thread(target=lambda: [c.finish_and_wait(1, 0, 0, 1) for _ in range(100)])
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert c.values[1] == 400 and len(spin._functions) == 1
        print("ok")
    """)
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "ok" in res.stdout


def test_regions_after_idle_gaps_and_back_to_back(two_threads):
    """Helpers that stopped watching (blocked on their inbox) and helpers still
    watching both take the next region; every task runs once; the GIL switch
    interval is the caller's again afterwards."""
    import sys
    import time

    interval = sys.getswitchinterval()
    for gap in (0.0, 0.0, workers.SPIN_SECONDS * 4, 0.0):
        time.sleep(gap)
        for _ in range(50):
            seen = []
            workers.run(seen.append, 7)
            assert sorted(seen) == list(range(7))
    assert sys.getswitchinterval() == interval


def test_three_threads_take_every_task_once():
    before = ag.get_num_threads()
    ag.set_num_threads(3)
    try:
        for _ in range(200):
            seen = []
            workers.run(seen.append, 11)
            assert sorted(seen) == list(range(11))
    finally:
        ag.set_num_threads(before)


def test_omp_wait_policy_passive_turns_the_watch_off(monkeypatch):
    assert workers.spin_seconds({}) == 5e-4
    assert workers.spin_seconds({"OMP_WAIT_POLICY": "PASSIVE"}) == 0.0
    assert workers.spin_seconds({"OMP_WAIT_POLICY": "active"}) == 5e-4
    monkeypatch.setattr(workers, "SPIN_SECONDS", 0.0)
    assert workers._spin_rounds(spin.Counters(workers._MAX_THREADS + 1)) == 1  # one read, then block
