#!/usr/bin/env python3
"""The table of cross_other_seed.sh: each run's self and cross slopes and self − cross (its paired bootstrap interval),
read from the run's analysis/summary.json, and the same over the pretraining seeds (t interval on the seeds' figures).
   python3 cross_other_seed.py OUT [--csv FILE]"""
import argparse, csv, glob, json, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seedstats import mean, sd, interval  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("out"); parser.add_argument("--csv")
args = parser.parse_args()
rows = []
for run in sorted(glob.glob(os.path.join(args.out, "pretrain-*-cross-from-*"))):
    summary = os.path.join(run, "analysis", "summary.json")
    if not os.path.exists(summary): print(f"{run}: not analysed yet, left out", file=sys.stderr); continue
    c = json.load(open(summary))["cross_prediction"]
    name = os.path.basename(run)  # pretrain-{seed}-{run seed}-cross-from-{other}
    rows.append({"pretrain_seed": name.split("-")[1], "cross_from": name.split("-")[-1], "self_slope": c["self"]["slope"],
                 "cross_slope": c["cross"]["slope"], "self_minus_cross": c["self_minus_cross"]["difference"],
                 "self_minus_cross_low": c["self_minus_cross"]["ci95"][0], "self_minus_cross_high": c["self_minus_cross"]["ci95"][1],
                 "cross_bad_reports": c["cross"]["bad_reports"]})
if len(rows) < 2: raise SystemExit(f"{len(rows)} analysed run(s) in {args.out}: need 2")
print("| pretraining seed | cross from | self | cross | self − cross [95%] | cross bad reports |\n| --- | --- | --- | --- | --- | --- |")
for r in rows:
    print(f"| {r['pretrain_seed']} | {r['cross_from']} | {r['self_slope']:+.3f} | {r['cross_slope']:+.3f} | "
          f"{r['self_minus_cross']:+.3f} [{r['self_minus_cross_low']:+.3f}, {r['self_minus_cross_high']:+.3f}] | {r['cross_bad_reports']} |")
print("\n| over the seeds | estimate [95%] | sd | seeds above 0 |\n| --- | --- | --- | --- |")
for key, label in (("self_slope", "self"), ("cross_slope", "cross"), ("self_minus_cross", "self − cross")):
    xs = [r[key] for r in rows]; lo, hi = interval(xs)
    print(f"| {label} | {mean(xs):+.3f} [{lo:+.3f}, {hi:+.3f}] | {sd(xs):.3f} | {sum(x > 0 for x in xs)} of {len(xs)} |")
# Whether a cross model's reports are as good as its base organism's own (a read-out fidelity of the reporting network,
# not of whose preferences): its cross slope against the self slope of the organism it was fine-tuned from.
own = {r["pretrain_seed"]: r["self_slope"] for r in rows}
pairs = [(r["cross_slope"], own[r["cross_from"]]) for r in rows if r["cross_from"] in own]
if len(pairs) > 2:
    mx, my = mean([a for a, _ in pairs]), mean([b for _, b in pairs])
    cov = sum((a - mx) * (b - my) for a, b in pairs)
    r = cov / (sum((a - mx) ** 2 for a, _ in pairs) * sum((b - my) ** 2 for _, b in pairs)) ** 0.5
    print(f"\nacross {len(pairs)} seeds, the cross slope against the self slope of the organism the cross model started from: "
          f"correlation {r:+.2f}, mean difference {mean([a - b for a, b in pairs]):+.3f}")
if args.csv:
    with open(args.csv, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0])); w.writeheader(); w.writerows(rows)
