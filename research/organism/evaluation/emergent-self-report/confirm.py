#!/usr/bin/env python3
"""Issue 28's criteria on one evaluation directory, over a chosen range of its pretraining seeds (the pretraining seed as
the unit: each seed's figure is the mean over its run seeds, the interval a t interval over the seed means).
   python3 confirm.py EVAL --seeds FIRST-LAST [--paired-with OTHER_EVAL]
1. instilled − base (paired): seeds above 0, and the recipe-level interval;
2. with --paired-with (the same seeds under another recipe or schedule): EVAL − OTHER for instilled − base, paired by seed;
3. self − cross prediction (`self_minus_cross_paired`, from --cross-prediction runs): the recipe-level interval;
4. steering the instilled model's name code (white_box.csv, `steer_instilled_grounding_ratio`): the recipe-level interval
   of the grounding ratio, and at each steering strength the seeds' mean report change (runs/*/white_box/
   interventions.csv, or interventions/{run}.csv as the research tables keep them): whether the reports move the
   steering's way (report change × strength > 0) at every strength.
With --held-out-family NAME (evaluate-organism --held-out-family), the same for that family, from
held_out_family_{NAME}.csv: instilled − base (paired by run) with its seeds above 0, paired with OTHER's by seed, and the
figures beside it (base, instilled and native report accuracy, the instillation's behaviour r, bad reports).
Measures a directory lacks are said to be missing, not guessed."""
import argparse, csv, glob, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seedstats import mean, sd, interval  # noqa: E402


parser = argparse.ArgumentParser()
parser.add_argument("eval")
parser.add_argument("--seeds", required=True, help="FIRST-LAST, inclusive")
parser.add_argument("--paired-with")
parser.add_argument("--held-out-family", help="NAME: also the held-out family's table")
args = parser.parse_args()
first, last = (int(x) for x in args.seeds.split("-"))

def rows(path):
    if not os.path.exists(path): return []
    with open(path, newline="") as f: return list(csv.DictReader(f))
def seed_means(path, column):
    """{pretraining seed: mean over its runs} for the seeds in range that have the column filled."""
    per = {}
    for r in rows(path):
        s = int(r["pretrain_seed"])
        if first <= s <= last and r.get(column) not in (None, "", "NaN"): per.setdefault(s, []).append(float(r[column]))
    return {s: mean(xs) for s, xs in sorted(per.items())}
def line(label, means):
    if len(means) < 2: return print(f"| {label} | {len(means)} seed(s) | missing | | |")
    xs = list(means.values()); lo, hi = interval(xs)
    above = sum(1 for x in xs if x > 0)
    print(f"| {label} | {len(xs)} | {mean(xs):+.3f} [{lo:+.3f}, {hi:+.3f}] | {sd(xs):.3f} | {above} of {len(xs)} |")
    return lo, hi, above, len(xs)

evaluation = os.path.join(args.eval, "evaluation.csv")
print(f"{args.eval}, pretraining seeds {first}–{last}\n")
print("| measure | seeds | recipe level [95%] | between-seed sd | seeds above 0 |\n| --- | --- | --- | --- | --- |")
c1 = line("1. instilled − base, paired", seed_means(evaluation, "instilled_vs_base_paired"))
for column, label in (("base_slope", "base"), ("instilled_slope", "instilled"), ("native_before_slope", "native before"),
                      ("itrained_held_out_slope", "itrained held-out"), ("itraining_effect_paired", "itraining effect"),
                      ("bad_report_share", "bad reports (share)")):
    line(label, seed_means(evaluation, column))
if args.paired_with:
    mine, other = seed_means(evaluation, "instilled_vs_base_paired"), seed_means(os.path.join(args.paired_with, "evaluation.csv"), "instilled_vs_base_paired")
    line(f"2. instilled − base, this − {args.paired_with}, paired", {s: mine[s] - other[s] for s in mine if s in other})
c3 = line("3. self − cross, paired", seed_means(evaluation, "self_minus_cross_paired"))
c4 = line("4. grounding ratio (instilled)", seed_means(os.path.join(args.eval, "white_box.csv"), "steer_instilled_grounding_ratio"))

# the dose-response: each seed's mean report change per strength over its lab runs, then the mean over seeds
per_strength = {}
lab_files = {os.path.basename(os.path.dirname(os.path.dirname(p))): p for p in glob.glob(os.path.join(args.eval, "runs", "*", "white_box", "interventions.csv"))}
lab_files.update({os.path.splitext(os.path.basename(p))[0]: p for p in glob.glob(os.path.join(args.eval, "interventions", "*.csv"))})
for run, path in sorted(lab_files.items()):  # run: pretrain-{seed}-{run seed}
    parts = run.split("-")
    if len(parts) != 3 or not first <= int(parts[1]) <= last: continue
    for r in rows(path):
        if r["test"] == "steering" and r["model"] == "instilled" and r["statistic"] == "mean_change":
            per_strength.setdefault(int(r["setting"]), {}).setdefault(int(parts[1]), []).append(float(r["report"]))
if per_strength:
    print("\n| steering strength | seeds | mean report change | moves the steering's way |\n| --- | --- | --- | --- |")
    consistent = True
    for strength in sorted(per_strength):
        xs = [mean(v) for v in per_strength[strength].values()]
        ok = mean(xs) * strength > 0
        consistent &= ok
        print(f"| {strength:+d} | {len(xs)} | {mean(xs):+.1f} | {'yes' if ok else 'no'} |")
    print(f"\n4b. the reports move the steering's way at every strength: {'yes' if consistent else 'no'}")
else:
    print("\n4b. no lab runs with interventions.csv in range: missing")

if args.held_out_family:
    name = args.held_out_family
    family = os.path.join(args.eval, f"held_out_family_{name}.csv")
    print(f"\n### Held-out family {name}\n")
    print("| measure | seeds | recipe level [95%] | between-seed sd | seeds above 0 |\n| --- | --- | --- | --- | --- |")
    line(f"{name}: instilled − base, paired", seed_means(family, "instilled_minus_base"))
    for column, label in (("base_r", "base"), ("instilled_r", "instilled"), ("native_r", "native (pretraining's latents), before"),
                          ("instillation_r", "instillation: behaviour r against the targets"), ("base_behaviour_r", "behaviour r before instillation"),
                          ("base_bad_share", "bad reports before (share)"), ("instilled_bad_share", "bad reports after (share)"),
                          ("self_minus_cross", "self − cross (cross model instilled on the instilled model's behaviour)")):
        line(f"{name}: {label}", seed_means(family, column))
    line(f"{name}: steering, report change per steered point", seed_means(family, "steer_report_slope"))
    line(f"{name}: steering, behaviour change per steered point", seed_means(family, "steer_behaviour_slope"))
    strengths = sorted({c[len("steer_report_"):] for r in rows(family) for c in r if c.startswith("steer_report_") and c[len("steer_report_"):][0] in "mp" and c[len("steer_report_") + 1:].isdigit()},
                       key=lambda t: (-1 if t[0] == "m" else 1) * int(t[1:]))
    if strengths:
        print("\n| steering strength | seeds | mean report change | moves the steering's way |\n| --- | --- | --- | --- |")
        consistent = True
        for tag in strengths:
            xs = list(seed_means(family, "steer_report_" + tag).values())
            strength = (-1 if tag[0] == "m" else 1) * int(tag[1:])
            ok = bool(xs) and mean(xs) * strength > 0
            consistent &= ok
            print(f"| {strength:+d} | {len(xs)} | {mean(xs) if xs else float('nan'):+.2f} | {'yes' if ok else 'no'} |")
        print(f"\n{name}: the reports move the steering's way at every strength: {'yes' if consistent else 'no'}")
    if args.paired_with:
        mine, other = seed_means(family, "instilled_minus_base"), seed_means(os.path.join(args.paired_with, f"held_out_family_{name}.csv"), "instilled_minus_base")
        line(f"{name}: instilled − base, this − {args.paired_with}, paired", {s: mine[s] - other[s] for s in mine if s in other})
