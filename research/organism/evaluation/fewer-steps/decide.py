#!/usr/bin/env python3
"""Issue 23's fewer-steps decision, by the three criteria README.md fixed before the results, applied mechanically.
   python3 decide.py LONG SHORT
LONG, SHORT: the evaluation directories of the shipped schedule and the shorter one (each with evaluation.csv,
pretraining.csv and pretrain-*/pretrain_log.csv, or the research tables with pretrain_logs/), pretrained at the same seeds. Every figure is paired by pretraining
seed over the seeds and run seeds both completed:
1. end decision accuracy (the mean of each log's last five points): |mean of SHORT − LONG| <= 0.01;
2. per headline measure, the 95% t interval of the paired difference SHORT − LONG lies within ± LONG's between-seed sd
   (the sd of LONG's seed means);
3. SHORT has no more seeds stopped by the accuracy guard than LONG.
Prints the tables and each criterion's verdict; exits 0 whatever the verdict (the verdict is the output)."""
import csv, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seedstats import mean, sd, interval  # noqa: E402

HEADLINE = [("instilled_vs_base_paired", "instilled − base"), ("base_slope", "base"),
            ("native_before_slope", "native before"), ("itrained_held_out_slope", "itrained held-out"),
            ("native_after_slope", "native after"), ("itraining_effect_paired", "itraining effect"),
            ("sham_permuted_itraining_effect_beyond_sham_paired", "itraining effect − sham's"),
            ("native_effect_paired", "native effect"), ("bad_report_share", "bad reports (share)")]
ACCURACY_MARGIN = 0.01

if len(sys.argv) != 3: raise SystemExit(__doc__)
long_dir, short_dir = sys.argv[1], sys.argv[2]


def rows(path):
    with open(path, newline="") as f: return list(csv.DictReader(f))
def runs(d): return {(r["pretrain_seed"], r["run_seed"]): r for r in rows(os.path.join(d, "evaluation.csv"))}
def statuses(d): return {r["pretrain_seed"]: r["status"] for r in rows(os.path.join(d, "pretraining.csv"))}
def end_accuracy(d, seed):
    """From the pretraining's own log, or from pretrain_logs/{seed}.csv as the research tables keep it."""
    path = os.path.join(d, f"pretrain-{seed}", "pretrain_log.csv")
    log = rows(path if os.path.exists(path) else os.path.join(d, "pretrain_logs", f"{seed}.csv"))
    return mean([float(r["decision_accuracy"]) for r in log[-5:]])

long_runs, short_runs = runs(long_dir), runs(short_dir)
keys = sorted(set(long_runs) & set(short_runs))
seeds = sorted({k[0] for k in keys})
if len(seeds) < 2: raise SystemExit(f"{len(seeds)} pretraining seed(s) evaluated in both {long_dir} and {short_dir}: need 2")
print(f"{len(seeds)} pretraining seeds paired ({seeds[0]}–{seeds[-1]}), run seeds "
      f"{', '.join(sorted({k[1] for k in keys}))}; LONG = {long_dir}, SHORT = {short_dir}\n")

verdicts = []
acc = [(end_accuracy(long_dir, s), end_accuracy(short_dir, s)) for s in seeds]
d = [b - a for a, b in acc]
lo, hi = interval(d)
ok = abs(mean(d)) <= ACCURACY_MARGIN
print("| criterion 1 | LONG | SHORT | SHORT − LONG, paired [95%] | holds |\n| --- | --- | --- | --- | --- |")
print(f"| end decision accuracy | {mean([a for a, _ in acc]):.3f} | {mean([b for _, b in acc]):.3f} | "
      f"{mean(d):+.3f} [{lo:+.3f}, {hi:+.3f}] | {'yes' if ok else 'no'} (|mean| ≤ {ACCURACY_MARGIN}) |")
verdicts.append(("1: end decision accuracy within 0.01, paired", ok))

def seed_means(table, m):
    return {s: mean([float(table[k][m]) for k in keys if k[0] == s]) for s in seeds}
print("\n| criterion 2: measure | LONG | SHORT | SHORT − LONG, paired [95%] | LONG's between-seed sd | holds |")
print("| --- | --- | --- | --- | --- | --- |")
all_ok = True
for m, label in HEADLINE:
    x, y = seed_means(long_runs, m), seed_means(short_runs, m)
    d = [y[s] - x[s] for s in seeds]
    lo, hi = interval(d)
    bound = sd(list(x.values()))
    ok = -bound <= lo and hi <= bound
    all_ok &= ok
    print(f"| {label} | {mean(list(x.values())):+.3f} | {mean(list(y.values())):+.3f} | {mean(d):+.3f} [{lo:+.3f}, {hi:+.3f}] "
          f"| {bound:.3f} | {'yes' if ok else 'no'} |")
verdicts.append(("2: every headline difference's interval within ± LONG's between-seed sd", all_ok))

long_status, short_status = statuses(long_dir), statuses(short_dir)
both = sorted(set(long_status) & set(short_status))
failed = lambda st: sum(1 for s in both if st[s] == "failed_accuracy_guard")
ok = failed(short_status) <= failed(long_status)
print(f"\ncriterion 3: seeds stopped by the accuracy guard, of {len(both)} pretrained in both: "
      f"LONG {failed(long_status)}, SHORT {failed(short_status)}")
verdicts.append(("3: no more guard failures", ok))

print()
for name, ok in verdicts: print(f"- criterion {name}: {'holds' if ok else 'fails'}")
print(f"\nverdict: {'the shorter schedule meets every criterion' if all(ok for _, ok in verdicts) else 'the shorter schedule does not meet the criteria; the shipped schedule stays'}")
