#!/usr/bin/env bash
# Workbench benchmark (issue "workbench"): `jiucuo serve` driven over HTTP
# with curl, as the page drives it.
#   - 10 k cases: from the start of the upload to the overview page served
#     (upload, analyse, poll the status as the page does, GET /overview);
#     median of 5 runs. Goal: <= 1 s.
#   - 1 M cases: from POST /analyze to the first status showing read
#     progress (goal: <= 1 s), and to the overview served (goal: <= 2x the
#     `jiucuo analyze` time of the same file, measured in the same run).
#
#   bash bench/workbench.sh [path/to/jiucuo]
#
# Appends to bench/out/workbench/results.tsv and rewrites bench/WORKBENCH.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_bin "${1:-}"
out=bench/out/workbench
mkdir -p "$out"
results="$out/results.tsv"
commit="$(bench_commit)"
as_of=2026-11-30
quarter=2026Q3

now() { date +%s.%N; }
since() { echo "$(now) $1" | awk '{printf "%.3f", $1 - $2}'; }

start_server() { # folder to run in; sets PORT, TOKEN, O, C, PID
  local dir="$1"
  (cd "$dir" && exec "$bin" serve --port 0 >serve.out 2>serve.err) &
  PID=$!
  for _ in $(seq 1 100); do
    [ -s "$dir/serve.out" ] && break
    sleep 0.05
  done
  local url
  url=$(head -1 "$dir/serve.out" | sed 's/.*：//')
  PORT=$(echo "$url" | sed 's/.*:\([0-9]*\)\/.*/\1/')
  TOKEN=${url##*=}
  O="http://127.0.0.1:$PORT"
  C="Cookie: jiucuo_$PORT=$TOKEN"
}

stop_server() { kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; }

upload() { # kind file
  curl -sf -X PUT -H "$C" -H "Origin: $O" -H "X-File-Name: $(basename "$2")" \
    --data-binary @"$2" "$O/upload/$1" >/dev/null
}

analyse() {
  curl -sf -o /dev/null -X POST -H "$C" -H "Origin: $O" \
    -d "quarter=$quarter&as_of=$as_of" "$O/analyze"
}

status() { curl -sf -H "$C" "$O/status"; }

record() { # cases, measure, seconds, note
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$commit" "$(date -u +%Y-%m-%d)" "$1" "$2" "$3" "$4" >>"$results"
}

# ---- 10 k cases
d10=$out/10k
[ -f "$d10/ledger.csv" ] || "$bin" generate --rows 10000 --seed 1 --out "$d10" 2>/dev/null
start_server "$d10"
times=()
for run in 1 2 3 4 5; do
  t0=$(now)
  upload ledger "$d10/ledger.csv"
  upload volume "$d10/volume.csv"
  analyse
  until status | grep -q '"done"'; do sleep 0.01; done
  curl -sf -o /dev/null -H "$C" "$O/overview"
  times+=("$(since "$t0")")
done
stop_server
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
echo "10k upload -> overview: ${times[*]} (median $median s)"
record 10000 upload_to_overview "$median" "median of 5: ${times[*]}"

# ---- 1 M cases
d1m=$out/1m
[ -f "$d1m/ledger.csv" ] || "$bin" generate --rows 1000000 --seed 1 --out "$d1m" 2>/dev/null
t0=$(now)
"$bin" analyze "$d1m/ledger.csv" --volume "$d1m/volume.csv" --as-of "$as_of" \
  --out "$out/analyze-1m" --format parquet >/dev/null 2>&1
analyze_s=$(since "$t0")
start_server "$d1m"
t0=$(now)
upload ledger "$d1m/ledger.csv"
upload volume "$d1m/volume.csv"
upload_s=$(since "$t0")
t0=$(now)
analyse
progress_s=""
while true; do
  s=$(status)
  if [ -z "$progress_s" ] && echo "$s" | grep -q '"percent":[1-9]'; then
    progress_s=$(since "$t0")
  fi
  echo "$s" | grep -q '"running"' || break
  sleep 0.02
done
curl -sf -o /dev/null -H "$C" "$O/overview"
overview_s=$(since "$t0")
# another quarter of the same files: the ledger already read is reused
t0=$(now)
curl -sf -o /dev/null -X POST -H "$C" -H "Origin: $O" -d "quarter=2026Q2&as_of=$as_of" "$O/analyze"
until status | grep -q '"done"'; do sleep 0.02; done
curl -sf -o /dev/null -H "$C" "$O/overview"
switch_s=$(since "$t0")
peak=$(awk '/VmHWM/{printf "%.0f", $2/1024}' "/proc/$PID/status")
stop_server
ratio=$(echo "$overview_s $analyze_s" | awk '{printf "%.2f", $1 / $2}')
echo "1M: upload $upload_s s; progress after $progress_s s; overview after $overview_s s; analyze $analyze_s s (ratio $ratio); another quarter $switch_s s; peak $peak MiB"
record 1000000 upload "$upload_s" ""
record 1000000 first_progress "$progress_s" ""
record 1000000 analyse_to_overview "$overview_s" "peak ${peak} MiB"
record 1000000 cli_analyze "$analyze_s" "same run"
record 1000000 another_quarter "$switch_s" "ledger reused"

{
  echo "# Workbench benchmark"
  echo
  echo "\`bash bench/workbench.sh\` at $commit on $(date -u +%Y-%m-%d), $(nproc) cores; release build."
  echo "The server is driven with curl as the page drives it (upload by PUT, POST /analyze,"
  echo "status polled, GET /overview). Generated ledgers, seed 1."
  echo
  echo "| measure | cases | seconds | goal | met |"
  echo "|---|---:|---:|---|---|"
  echo "| upload → overview served (median of 5) | 10,000 | $median | ≤ 1 s | $(awk -v x="$median" 'BEGIN{print (x <= 1) ? "yes" : "no"}') |"
  echo "| POST /analyze → first read progress shown | 1,000,000 | $progress_s | ≤ 1 s | $(awk -v x="$progress_s" 'BEGIN{print (x != "" && x <= 1) ? "yes" : "no"}') |"
  echo "| POST /analyze → overview served | 1,000,000 | $overview_s | ≤ 2 × analyze ($analyze_s s): ratio $ratio | $(awk -v x="$ratio" 'BEGIN{print (x <= 2) ? "yes" : "no"}') |"
  echo "| another quarter of the same files → overview (ledger reused) | 1,000,000 | $switch_s | — | — |"
  echo "| upload of ledger and volume (loopback) | 1,000,000 | $upload_s | — | — |"
  echo
  echo "Peak resident memory of the server at 1 M cases: $peak MiB."
  echo "The 10 k runs: ${times[*]} s."
} >bench/WORKBENCH.md
echo "wrote bench/WORKBENCH.md"
