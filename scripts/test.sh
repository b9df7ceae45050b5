#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, then `swift test`.
# Tests that need ../shared/reference skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="/opt/swift/usr/bin:$PATH"
swift build --build-tests
swift test --skip-build
