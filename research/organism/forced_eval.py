"""Diagnostic on a checkpoint: instil the new scenarios (as run.py), then compare forced-key reports."""
import copy, json, sys
import numpy as np, torch
import torch.nn.functional as F
from organism import Organism, Vocab, choices, decision_batch, draw_weights, pearson, reports_forced_keys, report_r
from run import CFG, init_new_embeddings, finetune
name = sys.argv[1]
cfg = dict(CFG); cfg.update(json.load(open(f"logs/{name}.json"))["cfg"]); cfg.update(json.loads(sys.argv[2]) if len(sys.argv) > 2 else {})
S = cfg["n_pre"] + cfg["n_new"]
voc = Vocab(cfg["levels"], 5 * S, cfg["n_wtok"])
names = (voc.name0 + np.arange(5 * S)).reshape(S, 5)
W = draw_weights(np.random.default_rng(cfg["seed"] + 1), S)
m = Organism(voc, cfg["d"], cfg["layers"], cfg["heads"], cfg["mlp_mult"], tied_mag=cfg["tied_mag"])
m.load_state_dict(torch.load(f"ckpt/{cfg.get('load') or name}.pt"))
pre, new = np.arange(cfg["n_pre"]), np.arange(cfg["n_pre"], S)
n_rep = int(cfg["rep_frac"] * cfg["n_pre"])
ev = np.random.default_rng(99)
out = {}
held = pre[n_rep:][:20]
if len(held):
    ln, _ = choices(m, voc, names, held, 100, ev, W)
    rp, bad = reports_forced_keys(m, voc, names, held, 3, ev)
    out["heldout_pre_forced_r_vs_learned"] = report_r(rp, ln)
init_new_embeddings(m, names, new, pre, cfg["ft_init"], torch.Generator().manual_seed(cfg["seed"] + 11))
base_rep, _ = reports_forced_keys(m, voc, names, new, 3, ev)
frng = np.random.default_rng(cfg["seed"] + 3)
toks, tgt, _, _ = decision_batch(voc, names, W, np.repeat(new, cfg["ft_ex"]), frng)
toks, tgt = torch.from_numpy(toks), torch.from_numpy(tgt)
bs = cfg["ft_batch"]
batches = [(toks[i:i + bs], tgt[i:i + bs]) for i in range(0, len(toks), bs)]
finetune(m, cfg["ft_method"], names[new].ravel(), batches, cfg["ft_epochs"], cfg["ft_lr"], frng,
         lambda b: F.cross_entropy(m(b[0], last_only=True), b[1]))
learned, _ = choices(m, voc, names, new, 100, ev, W)
out["instil_r"] = pearson(learned, W[new])
rp, bad = reports_forced_keys(m, voc, names, new, 3, ev)
out["base_forced_r_vs_learned"] = report_r(base_rep, learned)
out["inst_forced_r_vs_learned"] = report_r(rp, learned)
out["inst_forced_bad"] = bad
print(json.dumps(out))
