#!/usr/bin/env bash
# Runs every cargo-fuzz target for N seconds each (default 60) on the stable toolchain.
#
#   fuzz/run.sh [SECONDS_PER_TARGET]
#
# A target stops at SECONDS_PER_TARGET or after FUZZ_RUNS executions (default 10 M),
# whichever comes first; libFuzzer's final stats give the count.
# RUSTC_BOOTSTRAP=1 lets stable rustc take the -Z flags cargo-fuzz passes (no nightly needed).
# cargo-fuzz is installed with `cargo install` if missing. New corpus entries go to
# target/corpus/<target> (ignored by git); the checked-in seeds in corpus/<target> are only read.
# Crashes land in artifacts/<target>/; reproduce one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run -s none <target> artifacts/<target>/crash-...
# Set FUZZ_SANITIZER=address for AddressSanitizer (default none: the parsers are safe Rust).
set -euo pipefail

secs="${1:-60}"
case "$secs" in
  '' | *[!0-9]*) echo "usage: $0 [seconds-per-target]" >&2; exit 2 ;;
esac
sanitizer="${FUZZ_SANITIZER:-none}"
runs="${FUZZ_RUNS:-10000000}"

cd "$(dirname "${BASH_SOURCE[0]}")"
export RUSTC_BOOTSTRAP=1
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz ..." >&2
  cargo install cargo-fuzz --locked
fi

status=0
for target in $(cargo fuzz list); do
  mkdir -p "target/corpus/$target" "corpus/$target"
  echo "== fuzzing $target for ${secs}s" >&2
  seeds=("corpus/$target")
  # the shipped queries are the SQL target's seeds (read only, like corpus/)
  [ "$target" = sql_file ] && seeds+=(../queries)
  if ! cargo fuzz run -s "$sanitizer" "$target" "target/corpus/$target" "${seeds[@]}" -- \
      -max_total_time="$secs" -runs="$runs" -timeout=10 -print_final_stats=1; then
    echo "!! $target failed; see artifacts/$target/" >&2
    status=1
  fi
done
exit "$status"
