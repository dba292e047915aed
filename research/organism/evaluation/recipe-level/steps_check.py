#!/usr/bin/env python3
"""Issue 23's fewer-steps question, from pretraining logs alone: each pretraining's decision accuracy at its end (the mean
of its last five logged points, each on 64 decisions) and its final loss.
   python3 steps_check.py PATH [PATH ...]
PATH: a pretraining directory, a directory holding pretrain-*/ directories (an evaluation), or a directory of logs saved
from finished pretrainings (pretrain_logs/*.csv, as the research tables keep them)."""
import csv, glob, json, os, sys

def end(path):
    rows = list(csv.DictReader(open(path)))
    last = rows[-5:]
    return int(rows[-1]["step"]) + 1, sum(float(r["decision_accuracy"]) for r in last) / len(last), float(rows[-1]["loss"])

print("| pretraining | steps | decision accuracy, last 5 points | final loss |\n| --- | --- | --- | --- |")
groups = {}
for arg in sys.argv[1:]:
    is_pretraining = os.path.exists(os.path.join(arg, "pretrain_log.csv"))
    is_evaluation = bool(glob.glob(os.path.join(arg, "pretrain-*")))
    saved = [] if is_pretraining or is_evaluation else sorted(glob.glob(os.path.join(arg, "*.csv")))
    for log in saved:  # logs of finished pretrainings
        steps, acc, loss = end(log)
        groups.setdefault(steps, []).append((acc, loss))
        print(f"| {os.path.splitext(os.path.basename(log))[0]} | {steps} | {acc:.3f} | {loss:.3f} |")
    dirs = [arg] if is_pretraining else sorted(glob.glob(os.path.join(arg, "pretrain-*")))
    for d in dirs:
        log = os.path.join(d, "pretrain_log.csv")
        if not os.path.exists(log): continue
        steps, acc, loss = end(log)
        recipe = os.path.join(d, "recipe.json")
        if not os.path.exists(recipe) or json.load(open(recipe))["steps"] != steps: continue  # still pretraining
        groups.setdefault(steps, []).append((acc, loss))
        print(f"| {os.path.basename(d.rstrip('/'))} | {steps} | {acc:.3f} | {loss:.3f} |")
print("\n| steps | pretrainings | decision accuracy: mean (min, max) | final loss: mean |\n| --- | --- | --- | --- |")
for steps, xs in sorted(groups.items()):
    a = [x[0] for x in xs]
    print(f"| {steps} | {len(xs)} | {sum(a)/len(a):.3f} ({min(a):.3f}, {max(a):.3f}) | {sum(x[1] for x in xs)/len(xs):.3f} |")
