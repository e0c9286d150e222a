#!/usr/bin/env python3
"""Per-file scores of a cargo-mutants run: scores.py MUTANTS_OUT_DIR.

Score = caught / (caught + missed + timeouts); unviable mutants (that do not build)
count in neither, as cargo-mutants counts them. Prints a Markdown table."""
import collections
import json
import sys

out = json.load(open(f"{sys.argv[1]}/outcomes.json"))
rows = collections.defaultdict(collections.Counter)
for o in out["outcomes"]:
    scenario = o["scenario"]
    if not isinstance(scenario, dict) or "Mutant" not in scenario:
        continue
    kind = {
        "CaughtMutant": "caught",
        "MissedMutant": "missed",
        "Timeout": "timeout",
        "Unviable": "unviable",
    }.get(o["summary"], o["summary"])
    rows[scenario["Mutant"]["file"]][kind] += 1
print("| file | mutants | caught | missed | timeout | unviable | score |")
print("|---|---|---|---|---|---|---|")
for f in sorted(rows):
    c = rows[f]
    tested = c["caught"] + c["missed"] + c["timeout"]
    score = f"{100 * c['caught'] / tested:.1f}%" if tested else "-"
    print(f"| `{f}` | {sum(c.values())} | {c['caught']} | {c['missed']} | {c['timeout']} "
          f"| {c['unviable']} | {score} |")
