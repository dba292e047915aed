#!/usr/bin/env python3
"""Issue 28's criterion 5, the family-count stage: does instilled − base rise with the number of supervised families?
   python3 family_count.py EVAL [--seeds FIRST-LAST] [--column instilled_vs_base_paired]
EVAL holds one evaluation directory per recipe (sweep.sh's OUT): self-description-1, -3, -7 and -15. The same pretraining
seed pretrains every recipe, so the comparison is paired by seed: for each seed with all four recipes, its seed means
(over its run seeds) are regressed on log2 of the supervised count, and the slope is that seed's trend. It holds if the
t interval of the seeds' slopes is above 0. Seeds missing a recipe are listed and left out, never filled in."""
import argparse, csv, math, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seedstats import mean, sd, interval  # noqa: E402

COUNTS = [1, 3, 7, 15]
parser = argparse.ArgumentParser()
parser.add_argument("eval")
parser.add_argument("--seeds", default="20261301-20261310", help="FIRST-LAST, inclusive")
parser.add_argument("--column", default="instilled_vs_base_paired")
args = parser.parse_args()
first, last = (int(x) for x in args.seeds.split("-"))


def seed_means(recipe):
    path = os.path.join(args.eval, f"self-description-{recipe}", "evaluation.csv")
    per = {}
    if os.path.exists(path):
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                s = int(r["pretrain_seed"])
                if first <= s <= last and r.get(args.column) not in (None, "", "NaN"):
                    per.setdefault(s, []).append(float(r[args.column]))
    return {s: mean(xs) for s, xs in per.items()}


def slope(xs, ys):
    mx, my = mean(xs), mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


means = {n: seed_means(n) for n in COUNTS}
seeds = sorted(set().union(*means.values()))
complete = [s for s in seeds if all(s in means[n] for n in COUNTS)]
print(f"{args.eval}: {args.column}, pretraining seeds {first}–{last}\n")
print("| supervised families | seeds | mean [95%] | between-seed sd |\n| --- | --- | --- | --- |")
for n in COUNTS:
    xs = list(means[n].values())
    if len(xs) < 2: print(f"| {n} | {len(xs)} | missing | |"); continue
    lo, hi = interval(xs)
    print(f"| {n} | {len(xs)} | {mean(xs):+.3f} [{lo:+.3f}, {hi:+.3f}] | {sd(xs):.3f} |")
missing = [s for s in seeds if s not in complete]
if missing: print(f"\nseeds without all four recipes (left out of the trend): {', '.join(map(str, missing))}")
slopes = [slope([math.log2(n) for n in COUNTS], [means[n][s] for n in COUNTS]) for s in complete]
if len(slopes) < 2:
    print(f"\n5. trend per doubling of the supervised families: {len(slopes)} complete seed(s): missing")
else:
    lo, hi = interval(slopes)
    print(f"\n5. trend per doubling of the supervised families, paired by seed: {mean(slopes):+.3f} [{lo:+.3f}, {hi:+.3f}], "
          f"sd {sd(slopes):.3f}, {sum(1 for x in slopes if x > 0)} of {len(slopes)} seeds rising; holds: {'yes' if lo > 0 else 'no'}")
