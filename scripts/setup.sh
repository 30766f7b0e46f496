#!/usr/bin/env bash
# Installs what jiucuo's tests and charts need on a fresh Debian machine.
# Safe to run again; installs only what is missing.
#   - a CJK font (Chinese labels in PNG charts, and in the printed reports)
#   - LibreOffice Writer (headless) and poppler-utils: tests/rendering.rs
#     prints the Word reports to PDF and reads the pages back, as a reader
#     in an office on a domestic desktop would see them
#   - Chromium and its WebDriver: tests/browser.rs drives the workbench
#     (`jiucuo serve`) in a real headless browser
set -euo pipefail

missing=()
have_font=0
for f in /usr/share/fonts/truetype/wqy/wqy-microhei.ttc /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc; do
  [ -f "$f" ] && have_font=1
done
[ "$have_font" = 1 ] || missing+=(fonts-wqy-microhei)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)

if [ "${#missing[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "installing: ${missing[*]}" >&2
    $SUDO apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null \
      || echo "warning: could not install ${missing[*]}; PNG charts need a CJK font and the rendering tests need LibreOffice (see README)" >&2
  else
    echo "warning: no apt-get; install ${missing[*]} by hand (see README)" >&2
  fi
fi
