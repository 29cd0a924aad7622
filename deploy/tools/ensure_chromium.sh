#!/usr/bin/env bash
# Browser tests drive Debian's chromium (Playwright's own browser download cannot work on
# our machines). Install it when missing; needs root and apt-get, as on CI.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "chromium is missing and cannot be installed here: run 'apt-get install chromium' as root" >&2
  exit 1
fi
echo "installing Debian's chromium for the browser tests..." >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
