#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (test/browser/), the same way .ci/run does:
# apt-get, only when /usr/bin/chromium is missing. Playwright drives it through playwright-core with
# executablePath '/usr/bin/chromium'; never `npx playwright install` (it downloads its own browser).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  /usr/bin/chromium --version 2>/dev/null || true
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
/usr/bin/chromium --version
