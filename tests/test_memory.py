"""Memory stays flat over training (issue 15): 1,000 steps each of an MLP, a CNN and an
LSTM, in a child process (tests/memory_run.py) so that no other test's allocations
count, leave no tensor alive and grow the resident set by less than GROWTH_LIMIT_KIB.
A step that kept its graph, a saved tensor or an optimizer buffer alive would leak
at least a few KiB per step: megabytes per 1,000 steps. Longer runs:

    python tests/memory_run.py --steps 20000
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parent / "memory_run.py"
GROWTH_LIMIT_KIB = 1024  # per 1,000 steps; measured: about 100-200 KiB (allocator noise)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the RSS from /proc (Linux)")
def test_training_memory_is_flat():
    done = subprocess.run([sys.executable, str(RUNNER), "--steps", "1000", "--warmup", "100"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["model"] for r in results] == ["mlp", "cnn", "lstm"]
    for r in results:
        assert r["tensor_growth"] == 0, f"{r['model']}: {r['tensor_growth']} more live tensors after 1,000 steps"
        assert r["growth_kib"] < GROWTH_LIMIT_KIB, f"{r['model']}: RSS grew by {r['growth_kib']} KiB: {r}"
        assert r["final_loss"] == r["final_loss"], f"{r['model']}: the loss is NaN"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the RSS from /proc (Linux)")
def test_the_measurement_sees_a_leak():
    """The same runner, with a step that keeps a 16 KiB tensor alive each time,
    reports the tensors and the RSS growing: the test above can fail."""
    code = "\n".join([
        f"import json, sys; sys.path.insert(0, {str(RUNNER.parent)!r})",
        "import autograd_lite as ag",
        "import memory_run",
        "kept = []",
        "make = memory_run.MODELS['mlp']",
        "def leaky(rng):",
        "    step = make(rng)",
        "    def run():",
        "        kept.append(ag.randn(64, 64))  # 16 KiB a step",
        "        return step()",
        "    return run",
        "memory_run.MODELS['mlp'] = leaky",
        "print(json.dumps(memory_run.measure('mlp', 300, 20)))",
    ])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["tensor_growth"] == 300
    assert result["growth_kib"] > 300 * 64 * 64 * 4 // 1024 * 0.8
