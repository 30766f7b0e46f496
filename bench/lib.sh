# Shared by bench/reports.sh, bench/whatif.sh and bench/workbench.sh (sourced
# from the repository root).

# The release binary: the path given, else a release build in
# $CARGO_TARGET_DIR (default ~/.cache/jiucuo/target-release), built niced
# unless BENCH_SKIP_BUILD=1 and it exists. Sets `bin` (absolute).
bench_bin() {
  if [ -n "${1:-}" ]; then
    bin="$(realpath "$1")"
    return
  fi
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/jiucuo/target-release}"
  bin="$CARGO_TARGET_DIR/release/jiucuo"
  if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -x "$bin" ]; then
    nice -n 19 cargo build --release --quiet
  fi
  bin="$(realpath "$bin")"
}

# The commit measured, `+dirty` when the code differs from it.
bench_commit() {
  echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock reports queries || echo +dirty)"
}

# measure LABEL COMMAND...: run it under GNU time into $out; prints
# "wall_s peak_mib" (its stderr goes to $out/LABEL.log).
measure() {
  command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
  local label="$1"; shift
  /usr/bin/time -v -o "$out/time.txt" "$@" >/dev/null 2>"$out/$label.log"
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$out/time.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$out/time.txt")
  echo "$wall $rss"
}
