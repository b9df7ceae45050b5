#!/bin/sh
# Logic lines per executable target (Sources/mi-*), for the rule "no executable target holds more than ~150 lines
# of logic" (README, Development). An approximation with awk:
#   logic        code lines without blank lines, comment lines, lines inside """ help strings, and
#                @Option/@Flag/@Argument/@OptionGroup declarations with their help arguments (a declaration runs
#                until its parentheses close and its `var` line; parentheses in string literals do not count);
#   without-decl also without `import` lines and `static let configuration = CommandConfiguration(...)` blocks
#                (command names, abstracts, subcommand tables).
# Usage: scripts/exe-logic-lines.sh [SOURCES_DIR]   (default: Sources)
set -eu
src=${1:-Sources}
count() { # $1: 0 (logic) or 1 (without-decl); files on standard input
  awk -v strict="$1" '
    function parens(s,   u, o, c) {
      u = s; gsub(/"([^"\\]|\\.)*"/, "", u)
      o = gsub(/\(/, "(", u); c = gsub(/\)/, ")", u)
      return o - c
    }
    BEGIN { inhelp = 0; indecl = 0; inconf = 0; depth = 0; cdepth = 0 }
    {
      t = $0; sub(/^[ \t]+/, "", t)
      if (inhelp) {
        if (t !~ /"""/) next
        inhelp = 0
        if (!inconf) next
        # the rest of the line after the closing """ may close the configuration
        sub(/^.*"""/, "", t); cdepth += parens(t)
        if (cdepth <= 0) inconf = 0
        next
      }
      if (t == "") next
      if (t ~ /^\/\//) next
      if (indecl) {
        depth += parens(t)
        if (depth <= 0 && t ~ /(^|[ \t])(var|let)[ \t]/) indecl = 0
        next
      }
      if (t ~ /^@(Option|Flag|Argument|OptionGroup)/) {
        depth = parens(t)
        if (!(depth <= 0 && t ~ /[ \t](var|let)[ \t]/)) indecl = 1
        next
      }
      q = gsub(/"""/, "\"\"\"", t)
      if (strict) {
        if (inconf) {
          if (q % 2 == 1) { inhelp = 1; next }
          cdepth += parens(t)
          if (cdepth <= 0) inconf = 0
          next
        }
        if (t ~ /^import /) next
        if (t ~ /CommandConfiguration\(/) {
          cdepth = parens(t)
          if (q % 2 == 1) inhelp = 1
          if (cdepth > 0) inconf = 1
          next
        }
      }
      if (q % 2 == 1) { inhelp = 1; next }
      print
    }' | wc -l
}
printf 'target\tlogic\twithout-decl\n'
for dir in "$src"/mi-*/; do
  name=$(basename "$dir")
  printf '%s\t%d\t%d\n' "$name" "$(cat "$dir"*.swift | count 0)" "$(cat "$dir"*.swift | count 1)"
done
