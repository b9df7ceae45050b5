#!/usr/bin/env bash
# Installs the system packages mi-tools builds against (libsqlite3-dev, zlib1g-dev, libssl-dev for libcrypto's
# SHA-256) when they are missing.
# Sourced by demo.sh and test.sh; safe to run again.
set -euo pipefail
missing=()
for pkg in libsqlite3-dev zlib1g-dev libssl-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
command -v groff >/dev/null 2>&1 || missing+=(groff-base)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
fi
command -v swift >/dev/null 2>&1 || [ -x /opt/swift/usr/bin/swift ] || {
  echo "setup: no Swift toolchain found (swift 6.1 or newer is needed: https://swift.org/install)" >&2
  exit 1
}
