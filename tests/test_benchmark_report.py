"""benchmarks.report: the Markdown table and the bar chart of ratios."""
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import report  # noqa: E402

RESULTS = {
    "machine": {"cpu": "Test CPU", "cores": 2, "threads": 1, "python": "3.11", "numpy": "2.4",
                "torch": "2.13.0"},
    "rounds": 5, "date": "2026-12-01 00:00:00",
    "results": [
        {"workload": "fast", "seconds": {"autograd_lite": 0.0005, "torch": 0.001},
         "ratio_vs_torch": 0.5, "target_ratio": 0.7},
        {"workload": "slow", "seconds": {"autograd_lite": 2.5, "torch": 1.25},
         "ratio_vs_torch": 2.0, "target_ratio": 1.5},
        {"workload": "untargeted", "seconds": {"autograd_lite": 0.02, "torch": 0.01},
         "ratio_vs_torch": 2.0},
    ],
}


def test_table_and_chart(tmp_path):
    src = tmp_path / "r.json"
    src.write_text(json.dumps(RESULTS))
    written = report.write_report(src, tmp_path / "out")
    md = (tmp_path / "out" / "report.md").read_text()
    assert "Test CPU (2 cores" in md and "median of 5" in md
    assert "| fast | 500 us | 1.00 ms | 0.50 | ≤ 0.70 | yes |" in md
    assert "| slow | 2.50 s | 1.25 s | 2.00 | ≤ 1.50 | no |" in md
    assert "| untargeted | 20.00 ms | 10.00 ms | 2.00 |  |  |" in md
    pytest.importorskip("matplotlib")
    png = tmp_path / "out" / "ratios.png"
    assert png in written and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_damaged_results_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(SystemExit, match="cannot read results from .*bad.json"):
        report.write_report(bad)
