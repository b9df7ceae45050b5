#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, then `swift test`, then the fault test of outputs and
# the ledger (scripts/fault-test.sh: about a minute with the debug binaries the tests use).
# Tests that need ../shared/reference skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The browser test of mi-report's HTML (Tests/CLITests/ReportBrowserTests.swift) renders it with Debian's chromium
# (and CJK fonts for its text); installed here when apt-get can be used, else the test says it skipped.
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  echo "test: installing chromium and fonts-noto-cjk for the HTML report's browser test" >&2
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-cjk; } >&2 ||
    echo "test: chromium could not be installed; the browser test will say it skipped" >&2
fi
export PATH="/opt/swift/usr/bin:$PATH"
swift build --build-tests
swift test --skip-build
MI_BIN="$(swift build --show-bin-path)" scripts/fault-test.sh
