#!/bin/sh
# Logic lines per executable target (Sources/mi-*): code lines, without blank lines, comment lines,
# lines inside """ help strings, and @Option/@Flag/@Argument/@OptionGroup declarations with their help
# arguments, parentheses inside string literals not counted (a declaration runs until its parentheses close and the `var` line that follows).
# An approximation of the rule "no executable target holds more than ~150 lines of logic" (README, Development).
# Usage: scripts/exe-logic-lines.sh [SOURCES_DIR]   (default: Sources)
set -eu
src=${1:-Sources}
for dir in "$src"/mi-*/; do
  name=$(basename "$dir")
  n=$(cat "$dir"*.swift | awk '
    BEGIN { inhelp = 0; indecl = 0; depth = 0 }
    {
      line = $0
      if (inhelp) { if (line ~ /"""/) inhelp = 0; next }
      t = line; sub(/^[ \t]+/, "", t)
      if (t == "") next
      if (t ~ /^\/\//) next
      if (indecl) {
        u = t; gsub(/"[^"]*"/, "", u)
        o = gsub(/\(/, "(", u); c = gsub(/\)/, ")", u); depth += o - c
        if (depth <= 0 && t ~ /(^|[ \t])(var|let)[ \t]/) indecl = 0
        else if (depth <= 0 && t !~ /[(,]$/ && t ~ /^(var|let)[ \t]/) indecl = 0
        next
      }
      if (t ~ /^@(Option|Flag|Argument|OptionGroup)/) {
        u = t; gsub(/"[^"]*"/, "", u)
        o = gsub(/\(/, "(", u); c = gsub(/\)/, ")", u); depth = o - c
        if (!(depth <= 0 && t ~ /[ \t](var|let)[ \t]/)) indecl = 1
        next
      }
      # a line opening a help string: count it unless the string closes on the same line
      q = gsub(/"""/, "\"\"\"", t)
      if (q % 2 == 1) { inhelp = 1; next }
      print
    }' | wc -l)
  printf '%s\t%d\n' "$name" "$n"
done
