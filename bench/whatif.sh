#!/usr/bin/env bash
# whatif benchmark (issue 21): `jiucuo whatif` against one `jiucuo analyze`
# on the same ledger in the same run, alternating, median of N runs each.
# Goal: whatif at most 2.2 × analyze (both readings share one read).
#
#   bash bench/whatif.sh [ROWS]        default 1000000
#
# Environment: CARGO_TARGET_DIR (release build; default
# ~/.cache/jiucuo/target-release), WHATIF_REPS (default 3),
# BENCH_SKIP_BUILD=1 to use the binary as it is.
# Uses bench/out/ROWS/ledger.csv and roster.csv (written by bench/run.sh;
# generated here when missing). Writes bench/WHATIF.md and appends each run
# to bench/out/whatif.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
reps="${WHATIF_REPS:-3}"
source bench/lib.sh
bench_bin ""
dir="bench/out/$rows"
if [ ! -f "$dir/ledger.csv" ]; then
  mkdir -p "$dir"
  "$bin" generate --rows "$rows" --seed 20251 --out "$dir" >/dev/null 2>&1
fi
out=bench/out/whatif
mkdir -p "$out"
commit="$(bench_commit)"

analyze=() whatif=() analyze_rss=() whatif_rss=()
for i in $(seq "$reps"); do
  rm -rf "$out/a" "$out/w"
  read -r w r < <(measure analyze "$bin" analyze "$dir/ledger.csv" --roster "$dir/roster.csv" \
    --as-of 2026-11-30 --format parquet --out "$out/a")
  analyze+=("$w"); analyze_rss+=("$r")
  read -r w r < <(measure whatif "$bin" whatif "$dir/ledger.csv" --roster "$dir/roster.csv" \
    --as-of 2026-11-30 --vs 工作日计算短期间 --out "$out/w")
  whatif+=("$w"); whatif_rss+=("$r")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%F)" "$commit" "$rows" \
    "${analyze[-1]}" "${whatif[-1]}" "${analyze_rss[-1]}" "${whatif_rss[-1]}" >> bench/out/whatif.tsv
done

python3 - "$rows" "$commit" "${analyze[*]}" "${whatif[*]}" "${analyze_rss[*]}" "${whatif_rss[*]}" <<'PY'
import statistics, sys
rows, commit, a, w, ar, wr = sys.argv[1:]
a = [float(x) for x in a.split()]; w = [float(x) for x in w.split()]
ar = [int(x) for x in ar.split()]; wr = [int(x) for x in wr.split()]
ma, mw = statistics.median(a), statistics.median(w)
ratio = mw / ma
goal = "met" if ratio <= 2.2 else "**not met**"
with open("bench/WHATIF.md", "w") as f:
    f.write("# whatif benchmark\n\n")
    f.write("Written by `bench/whatif.sh` on 2 cores, 24 GiB: `jiucuo analyze` (all tables, Parquet) and\n")
    f.write("`jiucuo whatif --vs 工作日计算短期间` (every analysis under two readings, one read) on the\n")
    f.write(f"same generated ledger with its roster, alternating; median of {len(a)} runs each.\n\n")
    f.write("| cases | analyze s | whatif s | whatif / analyze | analyze peak MiB | whatif peak MiB | commit |\n")
    f.write("|---:|---:|---:|---:|---:|---:|---|\n")
    f.write(f"| {int(rows):,} | {ma:.2f} | {mw:.2f} | {ratio:.2f} | {max(ar):,} | {max(wr):,} | {commit} |\n\n")
    f.write(f"Runs (s): analyze {', '.join(f'{x:.2f}' for x in a)}; whatif {', '.join(f'{x:.2f}' for x in w)}.\n\n")
    f.write(f"Goal: whatif at most 2.2 × analyze on 1 M cases: {ratio:.2f} ×, {goal}.\n")
print(f"analyze {ma:.2f} s, whatif {mw:.2f} s, ratio {ratio:.2f}")
PY
