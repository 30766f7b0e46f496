#!/usr/bin/env bash
# Installs what jiucuo's tests and charts need on a fresh Debian machine:
# a CJK font (Chinese labels in PNG charts). Safe to run again.
set -euo pipefail
need_font=1
for f in /usr/share/fonts/truetype/wqy/wqy-microhei.ttc /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc; do
  [ -f "$f" ] && need_font=0
done
if [ "$need_font" = 1 ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null || echo "warning: could not install fonts-wqy-microhei; PNG charts will need a CJK font (see README)"
fi
