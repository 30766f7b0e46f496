#!/usr/bin/env bash
# Writes every output a user gets from jiucuo on generated data into OUT, so
# that two builds can be compared byte for byte (diff -r OUT1 OUT2): used to
# check that a refactoring changes no output.
#
#   scripts/outputs-snapshot.sh BIN OUT [ROWS]     (ROWS default 20000)
set -euo pipefail
BIN="$1"; OUT="$2"; ROWS="${3:-20000}"
rm -rf "$OUT"; mkdir -p "$OUT"
run() { "$BIN" "$@" 2>>"$OUT/stderr.log"; }
run demo --out "$OUT/demo"
rm -f "$OUT/demo/data/truth.json.tmp"
G="$OUT/g"
run generate --rows "$ROWS" --seed 5 --dirty --out "$G"
L="$G/ledger.csv"; V="$G/volume.csv"; R="$G/roster.csv"
run analyze "$L" --volume "$V" --roster "$R" --as-of 2026-11-30 --format csv --out "$OUT/analyze"
run analyze "$L" --as-of 2026-06-30 --format parquet --out "$OUT/analyze-june"
run validate "$L" --format csv --output "$OUT/validate.csv" --rejects "$OUT/rejects.xlsx" || true
for kind in quarterly warnings; do
  run report "$kind" "$L" --quarter 2026Q3 --volume "$V" --roster "$R" --as-of 2026-11-30 --out "$OUT/report-$kind"
done
run report quarterly "$L" --quarter 2026Q2 --out "$OUT/report-q2-default"
run report review "$L" --as-of 2026-11-30 --volume "$V" --out "$OUT/report-review"
run charts "$L" --quarter 2026Q3 --volume "$V" --as-of 2026-11-30 --out "$OUT/charts"
for c in deadlines repeats outcomes; do
  run "$c" "$L" --as-of 2026-11-30 --format csv --output "$OUT/$c.csv"
done
run hotspots "$L" --as-of 2026-11-30 --volume "$V" --quarter 2026Q3 --format json --output "$OUT/hotspots-q3.json"
run hotspots "$L" --as-of 2026-11-30 --from 2026-01-01 --to 2026-06-30 --format csv --output "$OUT/hotspots-range.csv"
run query "$L" --name by_unit --quarter 2026Q3 --as-of 2026-11-30 --format csv --output "$OUT/query-by_unit.csv"
run check "$L" --officer 37011201 --problem 文书瑕疵 --as-of 2026-11-30 --format csv --output "$OUT/check.csv" || true
echo "snapshot written to $OUT"
