#!/usr/bin/env python3
"""Issue 27's reset control at the recipe level: the naive recipe's never-trained names reset per dimension (as shipped)
against the same pretrainings with the reset drawn from the trained names' full covariance (`pretrain --from`), paired
by pretraining seed on the same run seed.
   python3 compare.py PER_DIMENSION/evaluation.csv FULL_COVARIANCE/evaluation.csv [RUN_SEED (11)]
Prints, per measure, the two recipe-level means, the paired difference (full covariance − per dimension) with Student's t
interval over the pretraining seeds and its sd, then each seed's row of the measures the control is about."""
import csv, sys

T975 = [None, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086]
MEASURES = [("base_own_choices_slope", "base vs its own choices (reset names)"), ("base_slope", "base"),
            ("instilled_slope", "instilled"), ("instilled_vs_base_paired", "instilled − base, paired"),
            ("native_before_slope", "native before (trained names)"), ("itrained_held_out_slope", "itrained held-out"),
            ("itraining_effect_paired", "itraining effect, paired"), ("instillation_r", "instillation r"),
            ("bad_report_share", "bad reports (share)")]

def rows(path, run_seed):
    with open(path, newline="") as f:
        return {r["pretrain_seed"]: r for r in csv.DictReader(f) if r["run_seed"] == run_seed}

def mean(xs): return sum(xs) / len(xs)
def sd(xs):
    m = mean(xs); return (sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) ** 0.5
def corr(x, y):
    mx, my = mean(x), mean(y)
    return sum((a - mx) * (b - my) for a, b in zip(x, y)) / (sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y)) ** 0.5

per_dim, full = rows(sys.argv[1], sys.argv[3] if len(sys.argv) > 3 else "11"), rows(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "11")
seeds = sorted(set(per_dim) & set(full))
n = len(seeds)
print(f"{n} pretraining seeds paired ({seeds[0]}–{seeds[-1]}), run seed {sys.argv[3] if len(sys.argv) > 3 else '11'}\n")
print("| measure | per dimension | full covariance | difference, paired [95%] | sd of the differences |\n| --- | --- | --- | --- | --- |")
for m, label in MEASURES:
    pairs = [(float(per_dim[s][m]), float(full[s][m])) for s in seeds if per_dim[s].get(m) and full[s].get(m)]
    if len(pairs) < 2: continue
    d = [b - a for a, b in pairs]
    half = T975[len(d) - 1] * sd(d) / len(d) ** 0.5
    print(f"| {label} | {mean([a for a, _ in pairs]):+.3f} | {mean([b for _, b in pairs]):+.3f} | {mean(d):+.3f} [{mean(d) - half:+.3f}, {mean(d) + half:+.3f}] | {sd(d):.3f} |")
print("\nAcross seeds, the base model's reports on the reset names against its native (trained-name) reports:")
native = [float(per_dim[s]["native_before_slope"]) for s in seeds]
for name, table in (("per dimension", per_dim), ("full covariance", full)):
    own = [float(table[s]["base_own_choices_slope"]) for s in seeds]
    print(f"- {name}: correlation of base-vs-own-choices with native before {corr(own, native):+.2f}")
print("\n| pretraining seed | native before | base vs own choices, per dimension | full covariance | instilled − base, per dimension | full covariance |\n| --- | --- | --- | --- | --- | --- |")
for s in seeds:
    f = lambda t, m: f"{float(t[s][m]):+.2f}"
    print(f"| {s} | {f(per_dim, 'native_before_slope')} | {f(per_dim, 'base_own_choices_slope')} | {f(full, 'base_own_choices_slope')} | {f(per_dim, 'instilled_vs_base_paired')} | {f(full, 'instilled_vs_base_paired')} |")
