"""Turn a benchmark result file into a Markdown table and a bar chart of ratios.

    python -m benchmarks.report                          # results/latest.json
    python -m benchmarks.report results/x.json -o out/   # another file / folder
    python -m benchmarks.run --threads 1,all --report    # measure, then report

Writes `report.md` (the table, with the machine it ran on) and `ratios.png` (per
workload one bar per thread count: autograd_lite's time over PyTorch's, below 1 is
faster, with the target marked) next to the results unless `-o` says where. With
several thread counts the table also gives each library's time on the most threads
over its time on one. The chart needs matplotlib (`pip install -e ".[notebooks]"`);
without it only the table is written.
"""
import argparse
import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _fmt_time(s):
    if s >= 1.0:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.0f} us"


def runs(row):
    """{thread count: run} of a result row; a file from before per-thread runs holds
    one run at the machine's thread count."""
    if "runs" in row:
        return {int(n): run for n, run in row["runs"].items()}
    return {None: {k: row[k] for k in ("seconds", "ratio_vs_torch") if k in row}}


def _threads_label(n):
    return "" if n is None else f"{n} thread{'s' if n != 1 else ''}"


def _meets(row):
    """'yes'/'no' against every target the row has ('' without targets)."""
    checks = []
    if row.get("target_ratio") is not None:
        checks += [run["ratio_vs_torch"] <= row["target_ratio"] for run in runs(row).values()]
    if row.get("target_scaling") is not None and "scaling" in row:
        checks.append(row["scaling"]["autograd_lite"] <= row["target_scaling"])
    return "" if not checks else ("yes" if all(checks) else "no")


_GEMM = {"mkl": "MKL", "numpy": "NumPy's BLAS"}


def markdown_table(report):
    """The results as a Markdown table, preceded by the machine line."""
    m = report.get("machine", {})
    counts = sorted({n for row in report["results"] for n in runs(row)}, key=lambda n: n or 0)
    threads = m.get("threads", "?")
    if isinstance(threads, list):
        threads = " and ".join(str(t) for t in threads)
    lines = [
        f"Measured {report.get('date', '?')} on {m.get('cpu', '?')} ({m.get('cores', '?')} cores, "
        f"{threads} thread(s) per library; Python {m.get('python', '?')}, NumPy "
        f"{m.get('numpy', '?')}, autograd_lite's GEMMs on {_GEMM.get(m.get('gemm'), '?')}, PyTorch "
        f"{m.get('torch', '?')}), median of {report.get('rounds', '?')} "
        f"interleaved rounds.",
        "",
    ]
    scaled = any("scaling" in row for row in report["results"])
    head = ["workload"]
    for n in counts:
        suffix = f" ({_threads_label(n)})" if n is not None and len(counts) > 1 else ""
        head += [f"autograd_lite{suffix}", f"PyTorch{suffix}", f"ratio{suffix}"]
    head += ["target"]
    if scaled:
        head += [f"time on {_threads_label(counts[-1])} / on 1: autograd_lite, PyTorch", "target"]
    head += ["meets target"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in report["results"]:
        cells = [row["workload"]]
        by_threads = runs(row)
        for n in counts:
            run = by_threads.get(n)
            if run is None:
                cells += ["", "", ""]
                continue
            s = run["seconds"]
            cells += [_fmt_time(s["autograd_lite"]), _fmt_time(s["torch"]), f"{run['ratio_vs_torch']:.2f}"]
        target = row.get("target_ratio")
        cells.append("" if target is None else f"≤ {target:.2f}")
        if scaled:
            sc = row.get("scaling")
            cells.append("" if sc is None else f"{sc['autograd_lite']:.2f}, {sc['torch']:.2f}")
            goal = row.get("target_scaling")
            cells.append("" if goal is None else f"≤ {goal:.2f}")
        cells.append(_meets(row))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def bar_chart(report, path):
    """Per workload a horizontal bar per thread count (ratio to PyTorch), targets as
    ticks; returns path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = report["results"]
    counts = sorted({n for row in rows for n in runs(row)}, key=lambda n: n or 0)
    height = 0.8 / len(counts)
    shades = ["#2b8a3e", "#74b816", "#0b7285", "#5c940d"]
    fig, ax = plt.subplots(figsize=(8, (0.3 + 0.25 * len(counts)) * len(rows) + 1.4))
    right = 1.0
    for k, n in enumerate(counts):
        for i, row in enumerate(rows):
            run = runs(row).get(n)
            if run is None:
                continue
            ratio = run["ratio_vs_torch"]
            target = row.get("target_ratio")
            colour = "#c92a2a" if target is not None and ratio > target else shades[k % len(shades)]
            y = i - 0.4 + height * (k + 0.5)
            ax.barh(y, ratio, height=height * 0.9, color=colour,
                    label=_threads_label(n) if i == 0 and n is not None else None)
            ax.text(ratio, y, f" {ratio:.2f}", va="center", fontsize=7)
            right = max(right, ratio)
    for i, row in enumerate(rows):
        if row.get("target_ratio") is not None:
            ax.plot([row["target_ratio"]] * 2, [i - 0.45, i + 0.45], color="black", linewidth=2)
            right = max(right, row["target_ratio"])
    ax.axvline(1.0, color="#868e96", linestyle="--", linewidth=1)
    ax.set_xlim(0, right * 1.15)
    ax.set_yticks(range(len(rows)), [r["workload"] for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel("time autograd_lite / time PyTorch (below 1: faster; tick: target; red: missed)")
    ax.set_title("autograd_lite vs PyTorch")
    if len(counts) > 1:
        ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_report(results_path=None, out_dir=None):
    """Write report.md (and ratios.png when matplotlib is there); returns their paths."""
    results_path = Path(results_path) if results_path else RESULTS / "latest.json"
    try:
        report = json.loads(results_path.read_text())
        report["results"]
    except (OSError, ValueError, KeyError) as e:
        raise SystemExit(f"benchmarks.report: cannot read results from {results_path}: {e}") from None
    out = Path(out_dir) if out_dir else results_path.parent
    out.mkdir(parents=True, exist_ok=True)
    md = out / "report.md"
    md.write_text(markdown_table(report))
    written = [md]
    try:
        written.append(bar_chart(report, out / "ratios.png"))
    except ImportError:
        print("benchmarks.report: matplotlib is not installed; wrote the table only")
    return written


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", nargs="?", default=None, help="results JSON (default results/latest.json)")
    p.add_argument("-o", "--out", default=None, help="folder for report.md and ratios.png")
    args = p.parse_args(argv)
    for path in write_report(args.results, args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
