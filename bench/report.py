#!/usr/bin/env python3
"""Write bench/RESULTS.md from bench/out/results.jsonl.

For each ledger size the records of the latest run that measured that size are
used; with several repetitions the median wall time and the median peak RSS
are shown (a failed repetition makes the cell show the failure).
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

GIB = 1024 ** 3
TOOLS = ["jiucuo", "duckdb", "pandas"]
TASKS = [("validate", "ingest + validate"), ("analyze", "analytic core (analyze)")]


def fmt_rows(n: int) -> str:
    return f"{n // 1_000_000} M" if n % 1_000_000 == 0 else f"{n:,}"


def load(path: Path):
    recs = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    # For each size × tool × task, the latest run that measured it.
    latest = {}
    for r in recs:
        if r.get("kind") != "measure":
            continue
        k = (r["rows"], r["tool"], r["task"])
        latest[k] = max(latest.get(k, ""), r["run_id"])
    chosen = [r for r in recs if r.get("kind") == "measure"
              and latest.get((r["rows"], r["tool"], r["task"])) == r["run_id"]]
    runs = {r["run_id"]: r for r in recs if r.get("kind") == "run"}
    load.all = [r for r in recs if r.get("kind") == "measure" and r["status"] == "ok"]
    return chosen, runs


def summarise(recs):
    """{(rows, tool, task): dict(wall, rss_mib, status, reps)}"""
    groups = defaultdict(list)
    for r in recs:
        groups[(r["rows"], r["tool"], r["task"])].append(r)
    out = {}
    for key, rs in groups.items():
        ok = [r for r in rs if r["status"] == "ok"]
        failed = [r for r in rs if r["status"] != "ok"]
        rss = [r.get("max_rss_kib", r.get("group_peak_rss_kib", 0)) / 1024 for r in ok]
        by_rep = {(r["run_id"], r["rep"]): r["wall_s"] for r in ok}
        out[key] = dict(
            by_rep=by_rep,
            wall=statistics.median(r["wall_s"] for r in ok) if ok else None,
            rss=statistics.median(rss) if ok else None,
            status="ok" if not failed else failed[0]["status"],
            fail=failed[0] if failed else None,
            reps=len(rs),
            walls=[round(r["wall_s"], 2) for r in ok],
            run_ids=sorted({r["run_id"] for r in rs}),
            file_bytes=rs[0].get("file_bytes"),
            loadavg=max(r.get("loadavg_before", 0) for r in rs),
        )
    return out


def cell_status(s):
    f = s["fail"]
    if f["status"] == "timeout":
        return f"> {f.get('limit_s', 900) / 60:.0f} min"
    if f["status"] == "OOM":
        return f"OOM (> {f.get('limit_mib', 0) / 1024:.0f} GiB after {f['wall_s']:.0f} s)"
    return f["status"]


def main():
    here = Path(__file__).resolve().parent
    results = Path(sys.argv[1]) if len(sys.argv) > 1 else here / "out" / "results.jsonl"
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else here / "RESULTS.md"
    recs, runs = load(results)
    s = summarise(recs)
    sizes = sorted({k[0] for k in s})
    run_ids = sorted({r["run_id"] for r in recs})
    run = runs.get(run_ids[-1], {}) if run_ids else {}

    L = []
    L.append("# Benchmark results: jiucuo vs DuckDB vs pandas")
    L.append("")
    L.append("Written by `bench/run.sh` (via `bench/report.py`); see `bench/README.md` for what each "
             "side does and where the comparison is not apples-to-apples.")
    L.append("")
    L.append("## Setup")
    L.append("")
    for rid in run_ids:
        r = runs.get(rid, {})
        L.append(f"- run `{rid}`: commit `{r.get('commit', '?')}` ({r.get('commit_subject', '')}); "
                 f"contains main up to `{r.get('main_commit', '?')}` (main head then: `{r.get('main_head', '?')}`); sizes {', '.join(fmt_rows(int(x)) for x in r.get('sizes', []))}")
    L.append(f"- machine: {run.get('nproc', '?')} cores ({run.get('cpu', '?')}), "
             f"{run.get('mem_gib', '?')} GiB memory; {run.get('os', '')}")
    L.append(f"- tools: jiucuo release build (polars 0.55), DuckDB {run.get('duckdb', '?')} (Python), "
             f"pandas {run.get('pandas', '?')} (pyarrow {run.get('pyarrow', '?')}), Python {run.get('python', '?')}")
    L.append("- data: `jiucuo generate --rows N --seed 20251 --dirty` (UTF-8 with BOM, Chinese headers, "
             "mixed date forms, a handful of planted bad rows); analyze with the generated volume.csv, "
             "`--as-of 2026-11-30`, Parquet output")
    L.append("- each measurement: `/usr/bin/time -v` (wall clock, maximum resident set size); where a "
             "size was run several times the table shows the median (every run in the last column); limits per run: "
             f"{run.get('timeout_s', 900) / 60:.0f} min wall, {run.get('mem_limit_mib', 0) / 1024:.0f} GiB "
             "memory guard on the process group (see `bench/measure.py`)")
    L.append("- the machine is shared: other builds may have been running (load average before each "
             "measurement is in `bench/out/results.jsonl`; highest per size shown below)")
    L.append("")
    L.append("## Figures")
    L.append("")
    L.append("| size | CSV file | tool | task | wall s | peak RSS MiB | wall vs DuckDB | RSS vs DuckDB | runs (wall s) | run |")
    L.append("|---|---|---|---|---:|---:|---:|---:|---|---|")
    for n in sizes:
        for task, task_label in TASKS:
            duck = s.get((n, "duckdb", task))
            for tool in TOOLS:
                x = s.get((n, tool, task))
                if not x:
                    continue
                fb = x["file_bytes"]
                size_txt = f"{fb / 1e6:,.0f} MB" if fb else ""
                if x["status"] != "ok":
                    L.append(f"| {fmt_rows(n)} | {size_txt} | {tool} | {task_label} | {cell_status(x)} | "
                             f"| | | {x['walls']} | {', '.join(x['run_ids'])} |")
                    continue
                rw = rr = ""
                if duck and duck["status"] == "ok" and tool != "duckdb":
                    rw = f"{x['wall'] / duck['wall']:.2f}×"
                    rr = f"{x['rss'] / duck['rss']:.2f}×"
                L.append(f"| {fmt_rows(n)} | {size_txt} | {tool} | {task_label} | {x['wall']:.2f} | "
                         f"{x['rss']:,.0f} | {rw} | {rr} | {x['walls']} | {', '.join(x['run_ids'])} |")
    L.append("")
    L.append("Paired ratios, jiucuo wall time / the other tool's measured back to back in the same repetition of the same run (closer in background load than the medians):")
    L.append("")
    walls = {(r["run_id"], r["rows"], r["tool"], r["task"], r["rep"]): r["wall_s"] for r in load.all}
    for n in sizes:
        for task, task_label in TASKS:
            for other in ("duckdb", "pandas"):
                pairs = defaultdict(list)
                for (rid, rows, tool, t, rep), w in walls.items():
                    if rows == n and tool == "jiucuo" and t == task and (rid, n, other, task, rep) in walls:
                        pairs[rid].append(w / walls[(rid, n, other, task, rep)])
                for rid in sorted(pairs):
                    rs = pairs[rid]
                    L.append(f"- {fmt_rows(n)}, {task_label}, vs {other} (run {rid}): "
                             + ", ".join(f"{x:.2f}×" for x in rs)
                             + (f" (median {statistics.median(rs):.2f}×)" if len(rs) > 1 else ""))
    L.append("")
    loads = ", ".join(f"{fmt_rows(n)}: {max(v['loadavg'] for k, v in s.items() if k[0] == n):.1f}" for n in sizes)
    L.append(f"Highest 1-minute load average seen before a measurement: {loads}.")
    L.append("")

    # Goals.
    L.append("## Goals (from the issues)")
    L.append("")
    L.append("| goal | figure | met? |")
    L.append("|---|---|---|")

    def paired_ratios(n, tool, base, task):
        """Ratios of back-to-back runs (same run, same repetition) in the run(s) the
        table's figure comes from."""
        shown = set(s[(n, tool, task)]["run_ids"]) if (n, tool, task) in s else set()
        out = []
        for (rid, rows, t, tk, rep), w in walls.items():
            if (rid in shown and rows == n and t == tool and tk == task
                    and (rid, n, base, task, rep) in walls):
                out.append(w / walls[(rid, n, base, task, rep)])
        return out

    def ratio(n, tool, task, base, key="wall"):
        a, b = s.get((n, tool, task)), s.get((n, base, task))
        if not a or not b:
            return None, "not measured"
        if a["status"] != "ok":
            return None, f"{tool}: {cell_status(a)}"
        if b["status"] != "ok":
            return None, f"{base}: {cell_status(b)} (jiucuo {a[key]:.2f} s)"
        paired = paired_ratios(n, tool, base, task)
        extra = (f" (paired runs {min(paired):.2f}–{max(paired):.2f}×)" if len(paired) > 1 else "")
        return a[key] / b[key], f"{a[key]:.2f} s / {b[key]:.2f} s = {a[key] / b[key]:.2f}×{extra}"

    def verdict(v, limit, note=""):
        if v is None:
            return "not determined" + note
        return ("**met**" if v <= limit else "**not met**") + note

    m1 = 1_000_000
    v, t = ratio(m1, "jiucuo", "validate", "duckdb")
    shaky = ""
    if v is not None:
        paired = paired_ratios(m1, "jiucuo", "duckdb", "validate")
        if v <= 1.0 and any(x > 1.0 for x in paired):
            shaky = " on the medians, not in every paired run"
    L.append(f"| ingest + validate ≤ 1.0× DuckDB at 1 M | {t} | {verdict(v, 1.0, shaky)} |")
    v, t = ratio(m1, "jiucuo", "analyze", "duckdb")
    L.append(f"| analytic core ≤ 0.8× DuckDB at 1 M | {t} | {verdict(v, 0.8)} |")
    v, t = ratio(m1, "jiucuo", "analyze", "pandas")
    pd_fail = s.get((m1, "pandas", "analyze"))
    note = ""
    if v is None and pd_fail and pd_fail["status"] != "ok":
        j = s.get((m1, "jiucuo", "analyze"))
        if j and j["status"] == "ok":
            lim = pd_fail["fail"].get("limit_s", 900)
            if pd_fail["fail"]["status"] == "timeout":
                v = j["wall"] / lim
                note = f" (upper bound: pandas > {lim:.0f} s)"
    L.append(f"| analytic core ≤ 0.1× pandas at 1 M | {t} | {verdict(v, 0.1, note)} |")
    big = [n for n in sizes if n >= 10_000_000]
    if big:
        n = max(big)
        for task, limit_txt in (("validate", "peak RSS ≤ 2× file size"), ("analyze", "peak RSS ≤ 3 GiB")):
            x = s.get((n, "jiucuo", task))
            if not x:
                L.append(f"| {fmt_rows(n)} {task}: {limit_txt} | not measured | not determined |")
                continue
            if x["status"] != "ok":
                extra = ""
                if x["fail"]["status"] == "OOM" and x["file_bytes"]:
                    extra = (f": peak RSS > {x['fail']['limit_mib'] / 1024:.0f} GiB = "
                             f"> {x['fail']['limit_mib'] * 2**20 / x['file_bytes']:.1f}× file size")
                L.append(f"| {fmt_rows(n)} {task}: {limit_txt} | {cell_status(x)}{extra} | **not met** |")
                continue
            rss_b = x["rss"] * 1024 * 1024
            if task == "validate":
                r = rss_b / x["file_bytes"]
                L.append(f"| {fmt_rows(n)} validate: {limit_txt} | {x['rss']:,.0f} MiB / "
                         f"{x['file_bytes'] / 2**20:,.0f} MiB = {r:.2f}× | {'**met**' if r <= 2 else '**not met**'} |")
            else:
                L.append(f"| {fmt_rows(n)} analyze: {limit_txt} | {x['rss'] / 1024:.2f} GiB "
                         f"({rss_b / x['file_bytes']:.2f}× file size) | {'**met**' if rss_b <= 3 * GIB else '**not met**'} |")
    else:
        L.append("| 10 M validate: peak RSS ≤ 2× file size | not measured in this run | not determined |")
        L.append("| 10 M analyze: peak RSS ≤ 3 GiB | not measured in this run | not determined |")
    L.append("")
    for n in sizes:
        for task in ("validate", "analyze"):
            x = s.get((n, "jiucuo", task))
            if x and x["status"] == "ok" and x["file_bytes"]:
                L.append(f"- jiucuo {task} at {fmt_rows(n)}: peak RSS / file size = "
                         f"{x['rss'] * 2**20 / x['file_bytes']:.2f}×")
    L.append("")
    # the other benchmarks keep their own tables; their latest figures are
    # repeated here so one file has them all
    for other in ("WHATIF.md", "REPORTS.md"):
        path = here / other
        if path.exists():
            lines = path.read_text().splitlines()
            L.append(f"## From bench/{other}")
            L.append("")
            L.extend(l for l in lines[1:] if l.startswith("|"))
            L.append("")
            L.extend(l for l in lines[1:] if l.startswith("Goal:")
                     or (l.startswith("- ") and ("**met**" in l or "not met" in l)))
            L.append("")
    target.write_text("\n".join(L))
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
