#!/usr/bin/env bash
# Measures speed and size: the Go benchmarks (with allocations) of the SIP
# and media engines, and the size of the browser deliverable.
#
#   scripts/bench.sh              all benchmarks, 1s each
#   BENCHTIME=200x scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BENCHTIME="${BENCHTIME:-1s}"
go test -run '^$' -bench . -benchmem -benchtime "$BENCHTIME" ./sipcore/... ./mediacore/...
./build.sh build
