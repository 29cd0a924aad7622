#!/usr/bin/env bash
# The test run behind `make test`: every tier, against real PostgreSQL and a real broker.
#
# Run whole, the suite takes two pytest sessions side by side, each with its own PostgreSQL,
# broker and temporary directory: the three back-end services' tests, and the shared
# library's, the gateway's and the cross-service tiers (stacks, browsers, faults). One
# session keeps about one of two cores busy (much of a test is waiting on the broker), so
# two finish in a little over half the time. The halves are balanced on measured times.
# Given arguments, it is one plain pytest session with them.
#
# pytest's exit code 5 ("no tests collected") is a failure here, not a pass.
set -uo pipefail
cd "$(dirname "$0")/../.."

PYTEST=(.tools/bin/uv run --frozen pytest --durations=15)

# A session's status, with "no tests collected" turned into a failure.
checked() {
  local status=$1 name=$2
  if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests in $name: failing the run" >&2
    return 1
  fi
  return "$status"
}

if [ "$#" -gt 0 ]; then
  "${PYTEST[@]}" "$@"
  checked $? "$*"
  exit $?
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/localrights-tests.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# One half: its lines prefixed with its name, its exit status in $tmp/<name>.status.
half() {
  local name=$1
  shift
  mkdir -p "$tmp/$name"
  "${PYTEST[@]}" --basetemp="$tmp/$name/pytest" "$@" 2>&1 | sed -u "s/^/[$name] /"
  echo "${PIPESTATUS[0]}" >"$tmp/$name.status"
}

half services services/consultation services/notifications services/recommendations &
services_pid=$!
half platform shared/tests services/gateway tests &
platform_pid=$!
wait "$services_pid" "$platform_pid"

failed=0
for name in services platform; do
  checked "$(cat "$tmp/$name.status" 2>/dev/null || echo 1)" "$name" || failed=1
done
exit "$failed"
