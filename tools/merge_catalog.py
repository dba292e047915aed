#!/usr/bin/env python3
"""Merges catalog halves written in parallel into the shipped catalog, interleaving them so every
block of scenario ids (instilled 0-99, native 100-199, ...) spans many domains.
Usage: merge_catalog.py OUT_DIR scenarios_a.json scenarios_b.json roles_a.txt roles_b.txt"""
import json, sys, itertools

out, sa, sb, ra, rb = sys.argv[1:6]
a, b = json.load(open(sa)), json.load(open(sb))
scenarios = [s for pair in itertools.zip_longest(a, b) for s in pair if s is not None]
roles = [r for pair in itertools.zip_longest(open(ra).read().splitlines(), open(rb).read().splitlines()) for r in pair if r]
with open(f"{out}/scenarios.json", "w") as f:
    json.dump(scenarios, f, indent=2, ensure_ascii=False)
    f.write("\n")
with open(f"{out}/roles.txt", "w") as f:
    f.write("\n".join(roles) + "\n")
print(len(scenarios), "scenarios,", len(roles), "roles")
