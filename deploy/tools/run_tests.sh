#!/usr/bin/env bash
# The test run behind `make test`: every tier, against real PostgreSQL and a real broker.
# pytest's exit code 5 ("no tests collected") is a failure here, not a pass.
set -uo pipefail
cd "$(dirname "$0")/../.."
.tools/bin/uv run --frozen pytest --durations=25 "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing the run" >&2
  exit 1
fi
exit "$status"
