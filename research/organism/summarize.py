"""Print the key numbers of probe result files with Fisher-z 95% intervals (n = scenario x attribute pairs)."""
import json, math, sys


def ci(r, n):
    if r is None or r != r or n < 4:
        return "n/a"
    z, se = math.atanh(r), 1 / math.sqrt(n - 3)
    return f"{r:.2f} [{math.tanh(z - 1.96 * se):.2f}, {math.tanh(z + 1.96 * se):.2f}]"


for f in sys.argv[1:]:
    d = json.load(open(f))
    c, ft, pre = d["cfg"], d["ft"], d["pre"]
    n_new, n_held = 5 * c["n_new"], 5 * (c["n_new"] - c["n_new"] // 2)
    n_pre_held = 5 * min(20, c["n_pre"] - int(c["rep_frac"] * c["n_pre"]))
    print(d["name"], "params", d["params"], "| pre acc", round(pre.get("acc", float("nan")), 3),
          "| held-out pre reports", ci(pre.get("rep_heldout_r_vs_learned"), n_pre_held),
          "| instil", ci(ft["instil_r"], n_new), "| base rep", ci(ft["base_rep_r_vs_learned"], n_new),
          "| inst rep", ci(ft["inst_rep_r_vs_learned"], n_new), "bad", ft["inst_bad"],
          "| itrain held-out", ci(ft["it_heldout_rep_r_vs_learned"], n_held), "vs before",
          ci(ft["inst_heldout_rep_r_vs_learned"], n_held), "| ft s", round(ft["ft_wall_s"], 1))
