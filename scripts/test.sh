#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, then `swift test`, then the fault test of outputs and
# the ledger (scripts/fault-test.sh: about a minute with the debug binaries the tests use).
# Tests that need ../shared/reference skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="/opt/swift/usr/bin:$PATH"
swift build --build-tests
swift test --skip-build
MI_BIN="$(swift build --show-bin-path)" scripts/fault-test.sh
