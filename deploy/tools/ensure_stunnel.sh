#!/usr/bin/env bash
# The managed-service tests put Debian's stunnel in front of the embedded broker and
# PostgreSQL to speak TLS as a managed Kafka or PostgreSQL does. Install it when missing;
# needs root and apt-get, as on CI (like ensure_chromium.sh).
set -euo pipefail
if command -v stunnel4 >/dev/null || command -v stunnel >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "stunnel4 is missing and cannot be installed here: run 'apt-get install stunnel4' as root" >&2
  echo "(without it the TLS tests in tests/managed are skipped)" >&2
  exit 0
fi
echo "installing Debian's stunnel4 for the TLS tests..." >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stunnel4 >/dev/null
