"""Turn a benchmark result file into a Markdown table and a bar chart of ratios.

    python -m benchmarks.report                          # results/latest.json
    python -m benchmarks.report results/x.json -o out/   # another file / folder
    python -m benchmarks.run --report                    # measure, then report

Writes `report.md` (the table, with the machine it ran on) and `ratios.png` (one bar
per workload: autograd_lite's time over PyTorch's, below 1 is faster, with the
target marked) next to the results unless `-o` says where. The chart needs
matplotlib (`pip install -e ".[notebooks]"`); without it only the table is written.
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


def markdown_table(report):
    """The results as a Markdown table, preceded by the machine line."""
    m = report.get("machine", {})
    lines = [
        f"Measured {report.get('date', '?')} on {m.get('cpu', '?')} ({m.get('cores', '?')} cores, "
        f"{m.get('threads', '?')} thread(s) per library; Python {m.get('python', '?')}, NumPy "
        f"{m.get('numpy', '?')}, PyTorch {m.get('torch', '?')}), median of {report.get('rounds', '?')} "
        f"interleaved rounds.",
        "",
        "| workload | autograd_lite | PyTorch | ratio | target | meets target |",
        "|---|---|---|---|---|---|",
    ]
    for row in report["results"]:
        s = row["seconds"]
        target = row.get("target_ratio")
        ratio = row["ratio_vs_torch"]
        ok = "" if target is None else ("yes" if ratio <= target else "no")
        lines.append(
            f"| {row['workload']} | {_fmt_time(s['autograd_lite'])} | {_fmt_time(s['torch'])} | "
            f"{ratio:.2f} | {'' if target is None else f'≤ {target:.2f}'} | {ok} |"
        )
    return "\n".join(lines) + "\n"


def bar_chart(report, path):
    """A horizontal bar per workload (ratio to PyTorch), targets as ticks; returns path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = report["results"]
    names = [r["workload"] for r in rows]
    ratios = [r["ratio_vs_torch"] for r in rows]
    colours = ["#2b8a3e" if r.get("target_ratio") is None or r["ratio_vs_torch"] <= r["target_ratio"]
               else "#c92a2a" for r in rows]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(rows) + 1.2))
    y = range(len(rows))
    ax.barh(y, ratios, color=colours)
    for i, r in enumerate(rows):
        if r.get("target_ratio") is not None:
            ax.plot([r["target_ratio"]] * 2, [i - 0.4, i + 0.4], color="black", linewidth=2)
        ax.text(r["ratio_vs_torch"], i, f" {r['ratio_vs_torch']:.2f}", va="center", fontsize=8)
    ax.axvline(1.0, color="#868e96", linestyle="--", linewidth=1)
    right = max(ratios + [r.get("target_ratio") or 0 for r in rows] + [1.0])
    ax.set_xlim(0, right * 1.15)
    ax.set_yticks(list(y), names)
    ax.invert_yaxis()
    ax.set_xlabel("time autograd_lite / time PyTorch (below 1 is faster; black tick: target)")
    ax.set_title("autograd_lite vs PyTorch")
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
