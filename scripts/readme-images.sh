#!/usr/bin/env bash
# Regenerates the pictures the README shows: a chart and the first page of the
# quarterly report, both from the demo, and the workbench's overview page
# (needs Python's PIL to crop it). Needs a release build and Chromium
# (installed here from Debian if missing). Run from the repository root:
#   bash scripts/readme-images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
out=$(mktemp -d)
cargo run --release -- demo --out "$out/demo" >/dev/null 2>&1
mkdir -p docs/images
cp "$out/demo/图表/heatmap.png" docs/images/chart-heatmap.png
cp "$out/demo/图表/trend.png" docs/images/chart-trend.png
report=$(ls "$out"/demo/报告/季度报告-*.html | head -1)
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$out/chrome" --hide-scrollbars --window-size=1000,1400 \
  --screenshot="$PWD/docs/images/report-page.png" "file://$report" >/dev/null 2>&1
# the workbench's overview, as the real-browser test photographs it
target="${CARGO_TARGET_DIR:-target}"
cargo test --test integration browser >/dev/null 2>&1
python3 - "$target/tmp/workbench-screenshots/02-overview.png" docs/images/workbench-overview.png <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).crop((0, 0, 1300, 1100)).convert("RGB")
im.resize((1000, 846), Image.LANCZOS).save(sys.argv[2], optimize=True)
PY
echo "wrote docs/images/chart-heatmap.png, chart-trend.png, report-page.png, workbench-overview.png"
