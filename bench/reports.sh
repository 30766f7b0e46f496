#!/usr/bin/env bash
# Report benchmark (issue "Briefing reports"): the whole quarterly report in
# every format with charts at district scale (10 k cases), and all three
# reports at 1 M cases, with wall time and peak RSS (/usr/bin/time -v).
# Writes bench/REPORTS.md. Usage: bash bench/reports.sh [path/to/jiucuo]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-}"
if [ -z "$bin" ]; then
  cargo build --release >/dev/null
  bin="${CARGO_TARGET_DIR:-target}/release/jiucuo"
fi
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
bash scripts/setup.sh
out=bench/out/reports
mkdir -p "$out"

measure() { # label, then the command; prints "wall_s peak_mib"
  local label="$1"; shift
  /usr/bin/time -v -o "$out/time.txt" "$@" >/dev/null 2>"$out/$label.log"
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$out/time.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$out/time.txt")
  echo "$wall $rss"
}

[ -f "$out/10k/ledger.csv" ] || "$bin" generate --rows 10000 --seed 1 --out "$out/10k" 2>/dev/null
[ -f "$out/1m/ledger.csv" ] || "$bin" generate --rows 1000000 --seed 1 --out "$out/1m" 2>/dev/null

walls=()
for i in 1 2 3 4 5; do
  read -r w r < <(measure q10k "$bin" report quarterly "$out/10k/ledger.csv" --quarter 2026Q3 --volume "$out/10k/volume.csv" --out "$out/r10k")
  walls+=("$w"); rss10k=$r
done
median10k=$(printf '%s\n' "${walls[@]}" | sort -g | sed -n 3p)

rows=""
for kind in quarterly warnings review; do
  args=(report "$kind" "$out/1m/ledger.csv" --volume "$out/1m/volume.csv" --out "$out/r1m")
  [ "$kind" = review ] && args+=(--as-of 2026-11-30) || args+=(--quarter 2026Q3)
  read -r w r < <(measure "$kind-1m" "$bin" "${args[@]}")
  rows+="| 1 000 000 | $kind | $w | $r |"$'\n'
done

{
  echo "# Report benchmark"
  echo
  echo "Measured by \`bench/reports.sh\` on $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), commit $(git rev-parse --short HEAD)."
  echo "Each run writes the report(s) as Word, HTML and Excel with all charts (PNG + SVG)."
  echo
  echo "| cases | report | wall s | peak RSS MiB |"
  echo "|---|---|---|---|"
  echo "| 10 000 | quarterly (median of 5) | $median10k | $rss10k |"
  printf '%s' "$rows"
  echo
  echo "Goal: the whole quarterly report at 10 k cases in ≤ 0.5 s wall."
} > bench/REPORTS.md
cat bench/REPORTS.md
