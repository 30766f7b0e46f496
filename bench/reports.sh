#!/usr/bin/env bash
# Report benchmark (issues "Briefing reports" and "Hardening"): the whole
# quarterly report in every format with charts at district scale (10 k cases,
# median of 9 runs), all three reports at 1 M cases, and the quarterly report
# at 10 M cases, with wall time and peak RSS (/usr/bin/time -v).
#
#   bash bench/reports.sh [path/to/jiucuo]
#
# Environment:
#   REPORTS_PARTS   which parts to run (default "10k 1m"; add 10m for 10 M cases;
#                   empty: only rebuild REPORTS.md from the log)
#   REPORTS_10M_DIR folder with ledger.csv and volume.csv of 10 M cases
#                   (default: generated into bench/out/reports/10m, ~3.7 GB)
#
# Every measurement is appended to bench/out/reports/results.tsv; bench/REPORTS.md
# is rebuilt from the latest measurement of each row, so parts can be run apart.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_bin "${1:-}"
bash scripts/setup.sh
out=bench/out/reports
mkdir -p "$out"
parts="${REPORTS_PARTS-10k 1m}"
results="$out/results.tsv"
commit="$(bench_commit)"

record() { # cases, report, wall, rss, runs
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$commit" "$(date -u +%Y-%m-%d)" "$1" "$2" "$3" "$4" "$5" "$load" >>"$results"
}

for part in $parts; do
  case "$part" in
    10k)
      [ -f "$out/10k/ledger.csv" ] || "$bin" generate --rows 10000 --seed 1 --out "$out/10k" 2>/dev/null
      walls=()
      for _ in 1 2 3 4 5 6 7 8 9; do
        read -r w r < <(measure q10k "$bin" report quarterly "$out/10k/ledger.csv" --quarter 2026Q3 --volume "$out/10k/volume.csv" --out "$out/r10k")
        walls+=("$w"); rss=$r
      done
      median=$(printf '%s\n' "${walls[@]}" | sort -g | sed -n 5p)
      record 10000 "quarterly" "$median" "$rss" "$(IFS=,; echo "${walls[*]}")"
      ;;
    1m)
      [ -f "$out/1m/ledger.csv" ] || "$bin" generate --rows 1000000 --seed 1 --out "$out/1m" 2>/dev/null
      for kind in quarterly warnings review; do
        args=(report "$kind" "$out/1m/ledger.csv" --volume "$out/1m/volume.csv" --out "$out/r1m")
        [ "$kind" = review ] && args+=(--as-of 2026-11-30) || args+=(--quarter 2026Q3)
        read -r w r < <(measure "$kind-1m" "$bin" "${args[@]}")
        record 1000000 "$kind" "$w" "$r" "$w"
      done
      ;;
    10m)
      dir="${REPORTS_10M_DIR:-$out/10m}"
      [ -f "$dir/ledger.csv" ] || "$bin" generate --rows 10000000 --seed 1 --out "$dir" 2>/dev/null
      read -r w r < <(measure quarterly-10m "$bin" report quarterly "$dir/ledger.csv" --quarter 2026Q3 --volume "$dir/volume.csv" --out "$out/r10m")
      record 10000000 "quarterly" "$w" "$r" "$w"
      ;;
    *) echo "unknown part $part (10k, 1m, 10m)" >&2; exit 2 ;;
  esac
done

python3 - "$results" bench/REPORTS.md "$(nproc)" "$(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)" <<'PY'
import sys
results, md, cores, mem = sys.argv[1:]
latest = {}
for line in open(results, encoding="utf-8"):
    commit, day, cases, report, wall, rss, runs, load = line.rstrip("\n").split("\t")
    latest[(int(cases), report)] = (commit, day, float(wall), int(rss), runs, load)
order = {"quarterly": 0, "warnings": 1, "review": 2}
L = ["# Report benchmark", "",
     f"Written by `bench/reports.sh` on {cores} cores, {mem}. Each run writes the report(s)",
     "as Word, HTML and Excel with all charts (PNG + SVG); wall time and peak RSS from",
     "`/usr/bin/time -v`. The latest measurement of each row is shown (log: `bench/out/reports/results.tsv`).",
     "", "| cases | report | wall s | peak RSS MiB | runs (wall s) | commit | date | load before |",
     "|---:|---|---:|---:|---|---|---|---:|"]
for (cases, report), (commit, day, wall, rss, runs, load) in sorted(latest.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 9))):
    runs_text = runs.replace(",", ", ") if "," in runs else ""
    L.append(f"| {cases:,} | {report} | {wall:.2f} | {rss:,} | {runs_text} | {commit} | {day} | {load} |")
q10k = latest.get((10000, "quarterly"))
L += ["", "Goals:", ""]
if q10k:
    # every 10 k run of the latest row's commit, pooled
    import statistics
    pooled = []
    for line in open(results, encoding="utf-8"):
        commit, _, cases, report, _, _, runs, _ = line.rstrip("\n").split("\t")
        if commit == q10k[0] and cases == "10000" and report == "quarterly":
            pooled += [float(x) for x in runs.split(",")]
    med = statistics.median(pooled)
    L.append(f"- 10 k cases, whole quarterly report ≤ 0.5 s wall (median of all {len(pooled)} runs at "
             f"{q10k[0]}): {med:.2f} s, " + ("**met**" if med <= 0.5 else "**not met**") + ".")
q10m = latest.get((10000000, "quarterly"))
if q10m:
    gib = q10m[3] / 1024
    L.append(f"- 10 M cases, quarterly report peak memory ≤ 3 GiB: {gib:.1f} GiB, "
             + ("**met**" if gib <= 3 else "**not met**") + ".")
import os
notes = os.path.join(os.path.dirname(md), "REPORTS.notes.md")
if os.path.exists(notes):
    L += ["", open(notes, encoding="utf-8").read().rstrip("\n")]
open(md, "w", encoding="utf-8").write("\n".join(L) + "\n")
PY
cat bench/REPORTS.md
