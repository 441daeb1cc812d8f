"""kernels/background.py: jobs run once on a helper thread, failures warn and leave
the job not ready, forks and exits wait for a compile in flight."""
import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from autograd_lite.kernels import background


def test_a_job_runs_once_on_another_thread():
    threads = []
    job = background.Job("a test job", lambda: threads.append(threading.current_thread()))
    assert not job.ready and not job.requested
    job.request()
    job.request()
    assert job.wait() and job.ready
    assert job.wait()  # waiting again doesn't run it again
    assert len(threads) == 1 and threads[0] is not threading.current_thread()


def test_jobs_run_in_turn_and_wait_for_all_waits():
    order = []
    gate = threading.Event()
    first = background.Job("first", lambda: (gate.wait(5), order.append("first")))
    second = background.Job("second", lambda: order.append("second"))
    first.request()
    second.request()
    assert not second.ready  # queued behind the first, which waits for the gate
    gate.set()
    background.wait_for_all()
    assert order == ["first", "second"] and first.ready and second.ready


def test_a_failing_job_warns_and_stays_not_ready():
    def build():
        raise ValueError("no such signature")

    job = background.Job("the fused test loop", build)
    with pytest.warns(RuntimeWarning, match="compiling the fused test loop failed .*no such signature"):
        assert not job.wait()
    assert not job.ready and job.requested


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_waits_for_the_job_in_flight():
    """The child starts after the compile finished (Numba's lock free); a job the
    child asks for runs on the child's own helper."""
    job = background.Job("slow", lambda: time.sleep(0.3))
    job.request()
    pid = os.fork()
    if pid == 0:  # the child: report through the exit code, never return into pytest
        code = 1
        try:
            again = background.Job("in the child", lambda: None)
            code = 0 if job.ready and again.wait() else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert job.ready


def test_the_process_waits_at_exit_for_a_job_in_flight(tmp_path):
    done = tmp_path / "done"
    script = textwrap.dedent(f"""
        import time
        from autograd_lite.kernels import background
        background.Job("slow", lambda: (time.sleep(0.5), open({str(done)!r}, "w").close())).request()
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert done.exists()
