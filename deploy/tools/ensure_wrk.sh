#!/usr/bin/env bash
# bench/gateway_overhead.py drives its targets with Debian's wrk, a load generator in C that
# leaves the 2 cores to the servers measured. Install it when missing; needs root and
# apt-get, as on CI (like ensure_stunnel.sh). Without it the benchmark uses aiohttp in a
# process of its own, and says so.
set -euo pipefail
if command -v wrk >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "wrk is missing and cannot be installed here: run 'apt-get install wrk' as root" >&2
  echo "(without it bench/gateway_overhead.py loads with aiohttp instead)" >&2
  exit 0
fi
echo "installing Debian's wrk for the benchmarks..." >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
