#!/usr/bin/env python3
"""person_rules.py: the part of an mi-audit rule set that may run partitioned by psn_no (mi-audit(1), PARTITIONING).

Usage: person_rules.py RULES.toml > PERSON-RULES.toml

Keeps [settings] and every [[rule]] (with its [[rule.example]] tables) whose type decides per record (a fee line,
a visit, a case) or per person, and drops the rules that decide per institution or over the whole run
(upcoding-indicator, ratio, dual-control, growth, high-cost-case, dialysis with check = provider): those need
every record of an institution (or of a DRG group) in one run. A relative file named by a kept rule
(registrations) is made absolute, so the new file may live elsewhere. Prints the dropped rule ids on stderr.
"""

import os
import re
import sys

# mi-audit(1), RULE TYPES and CASE, PERSON AND PROVIDER RULES: the state each type holds.
PER_INSTITUTION = {"upcoding-indicator", "ratio", "dual-control", "growth", "high-cost-case"}
FILE_KEYS = ("registrations", "caps")


def main(argv):
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    path = argv[0]
    base = os.path.dirname(os.path.abspath(path))
    text = open(path, encoding="utf-8").read()
    # A block starts at each top-level [[rule]]; [[rule.example]] tables belong to the block before them.
    parts = re.split(r"(?m)^(?=\[\[rule\]\]\s*$)", text)
    kept, dropped = [parts[0]], []
    for block in parts[1:]:
        kind = re.search(r'(?m)^type\s*=\s*"([^"]*)"', block)
        check = re.search(r'(?m)^check\s*=\s*"([^"]*)"', block)
        rid = re.search(r'(?m)^id\s*=\s*"([^"]*)"', block)
        kind = kind.group(1) if kind else ""
        if kind in PER_INSTITUTION or (kind == "dialysis" and check and check.group(1) == "provider"):
            dropped.append(rid.group(1) if rid else "?")
            continue
        for key in FILE_KEYS:
            block = re.sub(
                rf'(?m)^({key}\s*=\s*")([^"/][^"]*)"',
                lambda m: m.group(1) + os.path.join(base, m.group(2)) + '"',
                block,
            )
        kept.append(block)
    sys.stdout.write("".join(kept))
    print(f"person_rules: kept {len(kept) - 1} rules, dropped {len(dropped)}: {' '.join(dropped)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
