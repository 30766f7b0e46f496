#!/usr/bin/env bash
# Benchmark jiucuo against DuckDB and pandas on generated ledgers.
#
#   bench/run.sh [ROWS ...]        default: 1000000 10000000
#
# Environment:
#   CARGO_TARGET_DIR   release build directory (default ~/.cache/jiucuo/target-release)
#   BENCH_REPS         repetitions for sizes <= 1 M (default 3); larger sizes run once
#   BENCH_TIMEOUT      wall-time limit per measurement, seconds (default 900)
#   BENCH_MEM_MIB      memory guard per measurement, MiB (default: 20 GiB, or less if
#                      less memory is available)
#   BENCH_TOOLS        tools to run (default "jiucuo duckdb pandas")
#   BENCH_SKIP_BUILD=1 use the existing binary as it is
#
# Writes bench/out/ (ledgers, outputs, results.jsonl, logs) and bench/RESULTS.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
OUT="${BENCH_OUT:-$HERE/out}"
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000000 10000000)
REPS="${BENCH_REPS:-3}"
TIMEOUT="${BENCH_TIMEOUT:-900}"
TOOLS="${BENCH_TOOLS:-jiucuo duckdb pandas}"
SEED=20251
AS_OF=2026-11-30
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/jiucuo/target-release}"
BIN="$CARGO_TARGET_DIR/release/jiucuo"
mkdir -p "$OUT"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# --- tools ---------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
    log "installing GNU time"
    (apt-get update -qq && apt-get install -y -qq time) >/dev/null
fi
if ! python3 -c "import duckdb, pandas, pyarrow, scipy" 2>/dev/null; then
    log "installing duckdb pandas pyarrow scipy"
    python3 -m pip install -q duckdb pandas pyarrow scipy
fi
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -x "$BIN" ]; then
    log "cargo build --release (target: $CARGO_TARGET_DIR)"
    (cd "$REPO" && nice -n 19 cargo build --release --quiet)
fi

# --- run metadata --------------------------------------------------------------------
RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$OUT/results.jsonl"
MEM_AVAIL_MIB=$(awk '/MemAvailable/ {print int($2/1024)}' /proc/meminfo)
MEM_LIMIT="${BENCH_MEM_MIB:-$(( MEM_AVAIL_MIB - 2048 < 20480 ? MEM_AVAIL_MIB - 2048 : 20480 ))}"
python3 - "$RESULTS" "$RUN_ID" "$REPO" "$MEM_LIMIT" "$REPS" "$TIMEOUT" "${SIZES[@]}" <<'PY'
import json, os, platform, subprocess, sys
results, run_id, repo, mem_limit, reps, timeout, *sizes = sys.argv[1:]
git = lambda *a: subprocess.run(["git", "-C", repo, *a], capture_output=True, text=True).stdout.strip()
# The result tables this script itself rewrites do not make the tree dirty
# (an earlier size of the same invocation writes RESULTS.md).
dirty = bool(git("status", "--porcelain", "--untracked-files=no", "--", ".",
                 ":(exclude)bench/RESULTS.md", ":(exclude)bench/REPORTS.md"))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
import duckdb, pandas, pyarrow
rec = dict(kind="run", run_id=run_id, commit=git("rev-parse", "--short", "HEAD") + ("+dirty" if dirty else ""),
           commit_subject=git("log", "-1", "--format=%s"),
           main_commit=git("rev-parse", "--short", git("merge-base", "HEAD", "main") or "HEAD"),
           main_head=git("rev-parse", "--short", "main"),
           sizes=[int(s) for s in sizes], nproc=os.cpu_count(), cpu=cpu, mem_gib=round(mem / 2**20, 1),
           os=platform.platform(), duckdb=duckdb.__version__, pandas=pandas.__version__,
           pyarrow=pyarrow.__version__, python=platform.python_version(), mem_limit_mib=int(mem_limit),
           reps=int(reps), timeout_s=float(timeout))
open(results, "a").write(json.dumps(rec, ensure_ascii=False) + "\n")
print(f"run {run_id}: commit {rec['commit']}, {rec['nproc']} cores, {rec['mem_gib']} GiB, guard {mem_limit} MiB")
PY

# --- data ----------------------------------------------------------------------------
for N in "${SIZES[@]}"; do
    D="$OUT/$N"
    if [ ! -s "$D/ledger.csv" ] || [ ! -s "$D/volume.csv" ]; then
        log "generating $N rows into $D"
        mkdir -p "$D"
        "$BIN" generate --rows "$N" --seed "$SEED" --out "$D" --dirty 2> "$D/generate.log"
    fi
done

# --- measurements --------------------------------------------------------------------
measure() {  # N TOOL TASK REP CMD...
    local n="$1" tool="$2" task="$3" rep="$4"; shift 4
    local d="$OUT/$n" bytes
    bytes=$(stat -c %s "$d/ledger.csv")
    rm -rf "$d/run-$tool-$task"; mkdir -p "$d/run-$tool-$task"
    python3 "$HERE/measure.py" --results "$RESULTS" --timeout "$TIMEOUT" --mem-limit-mib "$MEM_LIMIT" \
        --cwd "$d/run-$tool-$task" --log "$d/$tool-$task.log" \
        --record "{\"kind\": \"measure\", \"run_id\": \"$RUN_ID\", \"rows\": $n, \"tool\": \"$tool\", \"task\": \"$task\", \"rep\": $rep, \"file_bytes\": $bytes}" \
        -- "$@" || true
}

for N in "${SIZES[@]}"; do
    D="$OUT/$N"
    L="$D/ledger.csv"
    reps=1
    [ "$N" -le 1000000 ] && reps="$REPS"
    log "size $N: $(du -h "$L" | cut -f1) CSV, $reps repetition(s)"
    for rep in $(seq 1 "$reps"); do
        for tool in $TOOLS; do
            R="$D/run-$tool"
            case "$tool" in
            jiucuo)
                measure "$N" jiucuo validate "$rep" "$BIN" validate "$L" --format csv \
                    --output "$D/run-jiucuo-validate/findings.csv" --rejects "$D/run-jiucuo-validate/rejects.xlsx"
                measure "$N" jiucuo analyze "$rep" "$BIN" analyze "$L" --volume "$D/volume.csv" \
                    --as-of "$AS_OF" --out "$D/run-jiucuo-analyze" --format parquet
                ;;
            duckdb)
                measure "$N" duckdb validate "$rep" python3 "$HERE/duckdb_validate.py" "$L" \
                    --output "$D/run-duckdb-validate/findings.csv" --rejects "$D/run-duckdb-validate/rejects.csv"
                measure "$N" duckdb analyze "$rep" python3 "$HERE/duckdb_analyze.py" "$L" \
                    --volume "$D/volume.csv" --as-of "$AS_OF" --out "$D/run-duckdb-analyze"
                ;;
            pandas)
                measure "$N" pandas validate "$rep" python3 "$HERE/pandas_validate.py" "$L" \
                    --output "$D/run-pandas-validate/findings.csv" --rejects "$D/run-pandas-validate/rejects.csv"
                measure "$N" pandas analyze "$rep" python3 "$HERE/pandas_analyze.py" "$L" \
                    --volume "$D/volume.csv" --as-of "$AS_OF" --out "$D/run-pandas-analyze"
                ;;
            esac
        done
    done
    # Same answers? (compares the analyze outputs of whichever tools finished)
    python3 "$HERE/compare.py" "$D" >> "$OUT/compare.log" 2>&1 || true
    tail -n 8 "$OUT/compare.log" | sed 's/^/  /'
done

python3 "$HERE/report.py" "$RESULTS" "${BENCH_RESULTS_MD:-$HERE/RESULTS.md}"
