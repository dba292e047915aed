#!/usr/bin/env python3
"""The headline rows of the recipe-level tables, as one markdown table per recipe (for README.md and the docs):
   python3 headline.py DIR   (DIR holds naive/ and reporter/, as evaluate-organism --tabulate [--white-box] writes them)
The estimate, interval and between-seed sd are evaluate-organism's own (recipe_level.csv, white_box_recipe_level.csv);
this script only adds, from the per-run rows, the range of the pretraining seeds' means and how many are above 0."""
import csv, os, sys

# (column, what a reader calls it)
EVALUATION = [
    ("instilled_vs_base_paired", "instilled − base, paired"),
    ("itraining_effect_paired", "itraining effect, paired"),
    ("sham_permuted_itraining_effect_paired", "sham (permuted targets) itraining effect, paired"),
    ("sham_permuted_itraining_effect_beyond_sham_paired", "itraining effect − sham's, paired by run"),
    ("native_effect_paired", "native effect, paired"),
    ("base_slope", "base"),
    ("instilled_slope", "instilled"),
    ("itrained_held_out_slope", "itrained held-out"),
    ("ridge_ceiling_held_out", "ridge-probe ceiling, held-out"),
    ("native_before_slope", "native before"),
    ("native_after_slope", "native after"),
    ("base_own_choices_slope", "base vs its own choices"),
    ("bad_report_share", "bad reports (share)"),
]
WHITE_BOX = [
    ("probe_instilled_last_learned_r", "probe r, last hook, instilled"),
    ("probe_untrained_body_last_learned_r", "probe r, last hook, untrained body"),
    ("probe_trained_minus_untrained_last_learned_r", "probe r, trained − untrained body"),
    ("readout_instilled_last_cosine", "read-out cosine, instilled"),
    ("readout_itrained_held_out_last_cosine", "read-out cosine, itrained held-out"),
    ("steer_instilled_grounding_ratio", "grounding ratio, instilled"),
    ("steer_itrained_held_out_grounding_ratio", "grounding ratio, itrained held-out"),
]

# Measures whose sign says nothing (a share, a correlation that is positive by construction): no "seeds above 0".
NOT_SIGNED = {"bad_report_share", "ridge_ceiling_held_out", "probe_instilled_last_learned_r", "probe_untrained_body_last_learned_r"}

def summary(path):
    if not os.path.exists(path): return {}
    with open(path, newline="") as f: return {r["measure"]: r for r in csv.DictReader(f)}

def seed_means(path):
    """Each measure's mean per pretraining seed, from the per-run rows."""
    if not os.path.exists(path): return {}
    by = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            for k, v in r.items():
                if v not in ("", None) and k not in ("organism", "pretrain_seed", "run_seed"):
                    try: by.setdefault(k, {}).setdefault(r["pretrain_seed"], []).append(float(v))
                    except ValueError: pass
    return {k: [sum(v) / len(v) for v in seeds.values()] for k, seeds in by.items()}

def fmt(x, signed=True):
    if x in ("", None): return "–"
    v = float(x)
    return f"{v:+.3f}" if signed else f"{v:.3f}"

root = sys.argv[1] if len(sys.argv) > 1 else "."
for recipe in ("naive", "reporter"):
    d = os.path.join(root, recipe)
    table = {**summary(os.path.join(d, "recipe_level.csv")), **summary(os.path.join(d, "white_box_recipe_level.csv"))}
    if not table: continue
    means = {**seed_means(os.path.join(d, "evaluation.csv")), **seed_means(os.path.join(d, "white_box.csv"))}
    print(f"\n{recipe}:\n\n| measure | estimate [95% interval] | between-seed sd | seed means: min to max | seeds above 0 | pretraining seeds × runs |\n| --- | --- | --- | --- | --- | --- |")
    for m, label in EVALUATION + WHITE_BOX:
        if m not in table: continue
        r, s = table[m], means.get(m, [])
        spread = f"{min(s):+.2f} to {max(s):+.2f}" if s else "–"
        above = f"{sum(x > 0 for x in s)} of {len(s)}" if s and m not in NOT_SIGNED else "–"
        print(f"| {label} | {fmt(r['estimate'])} [{fmt(r['low'])}, {fmt(r['high'])}] | {fmt(r['between_seed_sd'], False)} | {spread} | {above} | {r['pretrain_seeds']} × {r['runs']} |")
