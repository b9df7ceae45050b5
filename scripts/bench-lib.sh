# The set-up every scripts/bench-*.sh shares; sourced, never run: `. "$(dirname "$0")/bench-lib.sh"`.
# Sourcing it stops on the first error (set -euo pipefail), moves to the project root, puts the toolchain on PATH
# and names the release build: $build (BUILD=dir, default .build-release) and $bin, its binaries; BIN=dir takes
# the binaries in dir and builds nothing (to compare two builds with the same script: before and after a change).
#   bench_need CMD...           installs the Debian packages of missing commands (jq, bc)
#   bench_build PRODUCT...      release-builds the products into $build (nothing with BIN)
#   bench_tmpdir                $dir: a temporary directory removed at exit
#   bench_run NAME CMD...       runs CMD (stdout to $dir/out, stderr to $dir/err; on failure shows the error and
#                               exits 1) and sets $secs (wall), $cpu (user + system), $rss (peak KB), also kept
#                               in $dir/t-NAME, $dir/c-NAME and $dir/m-NAME
#   bench_line NAME N BYTES     prints the last run: wall, records/s, MB/s, CPU and peak RSS
#   bench_ratio A B             A / B (e.g. bench_ratio t-jq t-mi-group: how many times faster than jq)
#   bench_median                the median of the numbers on standard input, one a line
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="/opt/swift/usr/bin:$PATH"
build=${BUILD:-.build-release}
bin=${BIN:-$build/release}

bench_need() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null || { echo "bench: installing $c" >&2; apt-get install -y "$c" >/dev/null; }
  done
}

bench_build() {
  local p
  [ -z "${BIN:-}" ] || return 0
  for p in "$@"; do swift build -c release --scratch-path "$build" --product "$p" >&2; done
}

bench_tmpdir() {
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
}

bench_run() {
  local name=$1 t0 t1 user sys
  shift
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$dir/time" "$@" > "$dir/out" 2> "$dir/err" || { cat "$dir/err" >&2; exit 1; }
  t1=$(date +%s.%N)
  read -r rss user sys < "$dir/time"
  secs=$(echo "$t1 - $t0" | bc -l)
  cpu=$(echo "$user + $sys" | bc -l)
  echo "$secs" > "$dir/t-$name"
  echo "$cpu" > "$dir/c-$name"
  echo "$rss" > "$dir/m-$name"
}

bench_line() {
  printf '%-14s wall %8.3f s %10.0f rec/s %7.1f MB/s | cpu %7.2f s | peak RSS %7d KB\n' "$1" "$secs" \
    "$(echo "$2 / $secs" | bc -l)" "$(echo "$3 / $secs / 1000000" | bc -l)" "$cpu" "$rss"
}

bench_ratio() { echo "$(cat "$dir/$1") / $(cat "$dir/$2")" | bc -l; }

bench_median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
