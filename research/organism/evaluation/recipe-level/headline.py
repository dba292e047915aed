#!/usr/bin/env python3
"""The headline rows of the recipe-level tables, as one markdown table per recipe (for README.md):
   python3 headline.py DIR   (DIR holds naive/ and reporter/, each with recipe_level.csv and white_box_recipe_level.csv)"""
import csv, os, sys

EVALUATION = ["instilled_vs_base_paired", "itraining_effect_paired", "sham_permuted_itraining_effect_paired",
              "native_effect_paired", "base_slope", "instilled_slope", "itrained_held_out_slope", "ridge_ceiling_held_out",
              "native_before_slope", "native_after_slope", "bad_report_share"]
WHITE_BOX = ["probe_instilled_last_learned_r", "probe_untrained_body_last_learned_r",
             "probe_trained_minus_untrained_last_learned_r", "readout_instilled_last_cosine",
             "readout_itrained_held_out_last_cosine", "steer_instilled_grounding_ratio",
             "steer_itrained_held_out_grounding_ratio"]

def rows(path):
    if not os.path.exists(path): return {}
    with open(path, newline="") as f: return {r["measure"]: r for r in csv.DictReader(f)}

# Two-sided 95% quantiles of Student's t, by degrees of freedom.
T975 = [None, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086]

def real_minus_sham(path):
    """The itraining effect minus the sham's, paired within each run, then averaged per pretraining seed; the estimate
    is the mean of the seed means with a t interval on them (the pretraining seed as the unit). Evaluations written by
    evaluate-organism from this commit on carry it themselves (recipe_level.csv's
    sham_permuted_itraining_effect_beyond_sham_paired); this reads the tables written before that."""
    if not os.path.exists(path): return None
    seeds = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            a, b = r.get("itraining_effect_paired", ""), r.get("sham_permuted_itraining_effect_paired", "")
            if a and b: seeds.setdefault(r["pretrain_seed"], []).append(float(a) - float(b))
    means = [sum(v) / len(v) for v in seeds.values()]
    n = len(means)
    if n < 2: return None
    m = sum(means) / n
    sd = (sum((x - m) ** 2 for x in means) / (n - 1)) ** 0.5
    half = T975[n - 1] * sd / n ** 0.5
    return m, m - half, m + half, sd, n, sum(len(v) for v in seeds.values())

def fmt(x, signed=False):
    if x in ("", None): return "–"
    v = float(x)
    return f"{v:+.3f}" if signed else f"{v:.3f}"

root = sys.argv[1] if len(sys.argv) > 1 else "."
for recipe in ("naive", "reporter"):
    table = {**rows(os.path.join(root, recipe, "recipe_level.csv")), **rows(os.path.join(root, recipe, "white_box_recipe_level.csv"))}
    if not table: continue
    print(f"\n{recipe}:\n\n| measure | estimate [95% interval] | between-seed sd | pretraining seeds × runs |\n| --- | --- | --- | --- |")
    for m in EVALUATION + WHITE_BOX:
        if m not in table: continue
        r = table[m]
        print(f"| {m} | {fmt(r['estimate'], True)} [{fmt(r['low'], True)}, {fmt(r['high'], True)}] | {fmt(r['between_seed_sd'])} | {r['pretrain_seeds']} × {r['runs']} |")
        if m == "sham_permuted_itraining_effect_paired" and (d := real_minus_sham(os.path.join(root, recipe, "evaluation.csv"))):
            print(f"| itraining effect − sham's, paired by run | {d[0]:+.3f} [{d[1]:+.3f}, {d[2]:+.3f}] | {d[3]:.3f} | {d[4]} × {d[5]} |")
