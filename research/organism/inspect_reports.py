"""Print a few greedy reports of a checkpoint on pretraining-report, held-out and new scenarios."""
import json, sys
import numpy as np, torch
from organism import Organism, Vocab, report_prompt
from run import CFG
name = sys.argv[1]
cfg = dict(CFG); cfg.update(json.load(open(f"logs/{name}.json"))["cfg"] if len(sys.argv) < 3 else json.loads(sys.argv[2]))
S = cfg["n_pre"] + cfg["n_new"]
voc = Vocab(cfg["levels"], 5 * S, cfg["n_wtok"])
names = (voc.name0 + np.arange(5 * S)).reshape(S, 5)
m = Organism(voc, cfg["d"], cfg["layers"], cfg["heads"], cfg["mlp_mult"], tied_mag=cfg["tied_mag"])
m.load_state_dict(torch.load(f"ckpt/{name}.pt")); m.eval()
rng = np.random.default_rng(0)
n_rep = int(cfg["rep_frac"] * cfg["n_pre"])
for s in [0, n_rep, n_rep + 1, cfg["n_pre"]]:
    t = torch.tensor([report_prompt(voc, names[s], rng.random(5), rng.random(5))])
    for _ in range(40):
        t = torch.cat([t, m(t, last_only=True).argmax(-1)[:, None]], 1)
    print(s, [int(x) for x in names[s]], " ".join(voc.itos[x] for x in t[0, 22:].tolist()))
