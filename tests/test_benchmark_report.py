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


THREADED = {
    "machine": {"cpu": "Test CPU", "cores": 2, "threads": [1, 2], "python": "3.11", "numpy": "2.4",
                "torch": "2.13.0"},
    "rounds": 5, "date": "2026-12-01 00:00:00",
    "results": [
        {"workload": "conv", "target_ratio": 1.0, "target_scaling": 0.7,
         "runs": {"1": {"seconds": {"autograd_lite": 0.010, "torch": 0.011}, "ratio_vs_torch": 0.91},
                  "2": {"seconds": {"autograd_lite": 0.006, "torch": 0.008}, "ratio_vs_torch": 0.75}},
         "scaling": {"autograd_lite": 0.6, "torch": 0.73}},
        {"workload": "flat", "target_ratio": 1.0, "target_scaling": 0.7,
         "runs": {"1": {"seconds": {"autograd_lite": 0.010, "torch": 0.011}, "ratio_vs_torch": 0.91},
                  "2": {"seconds": {"autograd_lite": 0.009, "torch": 0.008}, "ratio_vs_torch": 1.13}},
         "scaling": {"autograd_lite": 0.9, "torch": 0.73}},
    ],
}


def test_table_with_one_and_two_threads(tmp_path):
    src = tmp_path / "r.json"
    src.write_text(json.dumps(THREADED))
    report.write_report(src, tmp_path)
    md = (tmp_path / "report.md").read_text()
    assert "1 and 2 thread(s) per library" in md
    assert "| workload | autograd_lite (1 thread) | PyTorch (1 thread) | ratio (1 thread) | autograd_lite " \
           "(2 threads) | PyTorch (2 threads) | ratio (2 threads) | target | time on 2 threads / on 1: " \
           "autograd_lite, PyTorch | target | meets target |" in md
    assert ("| conv | 10.00 ms | 11.00 ms | 0.91 | 6.00 ms | 8.00 ms | 0.75 | ≤ 1.00 | 0.60, 0.73 | ≤ 0.70 "
            "| yes |") in md
    assert md.rstrip().endswith("| flat | 10.00 ms | 11.00 ms | 0.91 | 9.00 ms | 8.00 ms | 1.13 | ≤ 1.00 | 0.90, "
                                "0.73 | ≤ 0.70 | no |")


def test_thread_counts_parse():
    from benchmarks.run import _cores, parse_threads

    assert parse_threads("1,all") == sorted({1, _cores()})
    assert parse_threads("2, 1,2") == [1, 2]
    with pytest.raises(ValueError):
        parse_threads("0")
