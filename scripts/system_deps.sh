#!/usr/bin/env bash
# Install the system packages zpef uses, when they are missing. Never fails the build: text-layer
# extraction needs none of them; it says clearly what is missing and how to get it.
set -u
missing=()
fc-list :lang=zh 2>/dev/null | grep -qi "wqy\|noto\|droid" || [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
tesseract --list-langs 2>/dev/null | grep -qx chi_sim || missing+=(tesseract-ocr-chi-sim)
# LibreOffice converts .doc/.wps/.odt (Writer) and workbooks xlrd cannot read (Calc), headless
{ command -v soffice || command -v libreoffice; } >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui libreoffice-calc-nogui)
# --browser (make test): Debian's Chromium, for the report's real-browser test (Playwright drives it)
if [ "${1:-}" = "--browser" ]; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
fi
# --bench (make bench, make bench-eval): poppler and Ghostscript rasterise the evaluation corpus into scans
if [ "${1:-}" = "--bench" ]; then
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  command -v gs >/dev/null 2>&1 || missing+=(ghostscript)
  # the scan corpus draws the forms again in Kai and Song (make scan-corpus: font_kai, font_song)
  [ -f /usr/share/fonts/truetype/arphic/ukai.ttc ] || missing+=(fonts-arphic-ukai)
  [ -f /usr/share/fonts/truetype/arphic/uming.ttc ] || missing+=(fonts-arphic-uming)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "system packages missing: ${missing[*]}; installing with apt-get…"
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
if [ "$sudo" = none ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "cannot install system packages here (need apt-get and root or passwordless sudo)."
  echo "please install: ${missing[*]}  (Debian/Ubuntu: apt-get install ${missing[*]})"
  echo "text-layer PDFs are still extracted; regenerating samples needs the font, scans need tesseract,"
  echo ".doc/.wps/.odt files need LibreOffice (without it their manifest rows say so)."
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -q "${missing[@]}" >/tmp/zpef-apt.log 2>&1; then
  $sudo apt-get update -q >>/tmp/zpef-apt.log 2>&1
  if ! $sudo apt-get install -y -q "${missing[@]}" >>/tmp/zpef-apt.log 2>&1; then
    echo "apt-get could not install ${missing[*]} (log: /tmp/zpef-apt.log); text-layer extraction still works"
    echo "(.doc/.wps/.odt files need LibreOffice: without it their manifest rows say so)."
    exit 0
  fi
fi
echo "installed: ${missing[*]}"
