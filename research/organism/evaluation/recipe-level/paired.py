#!/usr/bin/env python3
"""Two evaluations of the same pretraining seeds compared paired by seed (the pretraining seed as the unit): the reset
control (the same pretrainings, the never-trained names reset another way) and the fewer-steps check (the same seeds
pretrained on a shorter schedule).
   python3 paired.py A/evaluation.csv B/evaluation.csv [--run-seeds 11,12,13] [--per-seed m1,m2] [--correlate m1:m2]
Runs present in both at the given run seeds (default: every run seed they share) are averaged per pretraining seed; per
measure it prints A's and B's recipe-level means, the paired difference B − A with Student's t interval over the
seeds and the sd of the differences. --per-seed adds each seed's figures of those measures; --correlate, across seeds,
the correlation of m1 with m2 in A and in B."""
import argparse, csv, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seedstats import mean, sd, interval  # noqa: E402

MEASURES = [("instillation_r", "instillation r"), ("base_slope", "base"), ("instilled_slope", "instilled"),
            ("instilled_vs_base_paired", "instilled − base, paired"), ("base_own_choices_slope", "base vs its own choices"),
            ("native_before_slope", "native before"), ("itrained_held_out_slope", "itrained held-out"),
            ("native_after_slope", "native after"), ("itraining_effect_paired", "itraining effect, paired"),
            ("native_effect_paired", "native effect, paired"),
            ("sham_permuted_itraining_effect_beyond_sham_paired", "itraining effect − sham's, paired by run"),
            ("ridge_ceiling_held_out", "ridge-probe ceiling, held-out"), ("bad_report_share", "bad reports (share)")]

parser = argparse.ArgumentParser()
parser.add_argument("a"); parser.add_argument("b")
parser.add_argument("--run-seeds"); parser.add_argument("--per-seed", default=""); parser.add_argument("--correlate", action="append", default=[])
args = parser.parse_args()

def read(path):
    with open(path, newline="") as f: return {(r["pretrain_seed"], r["run_seed"]): r for r in csv.DictReader(f)}
a, b = read(args.a), read(args.b)
keys = sorted(set(a) & set(b))
if args.run_seeds: keys = [k for k in keys if k[1] in args.run_seeds.split(",")]
seeds = sorted({k[0] for k in keys})
if len(seeds) < 2: raise SystemExit(f"{len(seeds)} pretraining seed(s) in both {args.a} and {args.b}: need 2")

def seed_means(table, m):
    """Each seed's mean over the shared runs; None for a seed with no value."""
    out = {}
    for s in seeds:
        xs = [float(table[k][m]) for k in keys if k[0] == s and table[k].get(m)]
        out[s] = mean(xs) if xs else None
    return out

runs = sorted({k[1] for k in keys})
print(f"{len(seeds)} pretraining seeds paired ({seeds[0]}–{seeds[-1]}), run seeds {', '.join(runs)}; A = {args.a}, B = {args.b}\n")
print("| measure | A | B | B − A, paired by seed [95%] | sd of the differences |\n| --- | --- | --- | --- | --- |")
for m, label in MEASURES:
    x, y = seed_means(a, m), seed_means(b, m)
    pairs = [(x[s], y[s]) for s in seeds if x[s] is not None and y[s] is not None]
    if len(pairs) < 2: continue
    d = [q - p for p, q in pairs]
    lo, hi = interval(d)
    print(f"| {label} | {mean([p for p, _ in pairs]):+.3f} | {mean([q for _, q in pairs]):+.3f} | {mean(d):+.3f} [{lo:+.3f}, {hi:+.3f}] | {sd(d):.3f} |")
for spec in args.correlate:
    m1, m2 = spec.split(":")
    print()
    for name, table in (("A", a), ("B", b)):
        x, y = seed_means(table, m1), seed_means(table, m2)
        p = [(x[s], y[s]) for s in seeds if x[s] is not None and y[s] is not None]
        mx, my = mean([u for u, _ in p]), mean([v for _, v in p])
        c = sum((u - mx) * (v - my) for u, v in p) / (sum((u - mx) ** 2 for u, _ in p) * sum((v - my) ** 2 for _, v in p)) ** 0.5
        print(f"- {name}: across seeds, correlation of {m1} with {m2}: {c:+.2f}")
if args.per_seed:
    ms = args.per_seed.split(",")
    cols = [(m, t) for m in ms for t in ("A", "B")]
    print("\n| pretraining seed | " + " | ".join(f"{m}, {t}" for m, t in cols) + " |\n| --- |" + " --- |" * len(cols))
    means = {(m, t): seed_means(a if t == "A" else b, m) for m, t in cols}
    for s in seeds:
        print(f"| {s} | " + " | ".join("–" if means[c][s] is None else f"{means[c][s]:+.2f}" for c in cols) + " |")
