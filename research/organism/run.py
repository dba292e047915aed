"""One probe: pretrain (or load) an organism, then instil new scenarios, then itrain.

usage: python3 run.py NAME '{"d":128, ...}'   (config overrides as JSON)
       python3 run.py NAME '{"load":"OTHER", ...}'  skips pretraining, reuses OTHER's checkpoint
Writes logs/NAME.log and logs/NAME.json (all numbers), ckpt/NAME.pt.
"""
import copy
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from organism import (Log, Organism, Vocab, choices, decision_batch, draw_weights, lr_at, make_opt,
                      n_params, pearson, report_batch, report_r, reports)

HERE = os.path.dirname(os.path.abspath(__file__))
CFG = dict(
    seed=0, n_pre=250, rep_frac=0.8, n_new=20, levels=100, tied_mag=True, n_wtok=0,
    d=128, layers=2, heads=4, mlp_mult=4,
    steps=3000, batch_dec=256, batch_rep=32, lr=2e-3, warm=200, wd=0.05,
    stated_frac=0.0, stated_until=0.5,  # fraction of name slots showing a weight token instead, until
    stated_full=0.0,  # fraction of steps at the start in which every name slot shows its weight token
    rep_start=0.0,  # fraction of steps before report examples join
    mix_frac=0.0,  # fraction of pretraining decision rows whose 5 names come from random pretraining scenarios
    mix_rep=None,  # the same for report rows (None: mix_frac)
    rep_detach=False,  # report loss gives no gradient to name embeddings (weights only via choices)
    ft_method="emb", ft_init="meanrand", ft_init_scale=1.0, ft_epochs=10, ft_lr=1e-2, ft_batch=50, ft_ex=50,
    it_method="full", it_epochs=5, it_lr=3e-4, it_ex=10,
    n_eval_trials=100, n_reports=10, load=None,
)


def main():
    name = sys.argv[1]
    cfg = dict(CFG)
    cfg.update(json.loads(sys.argv[2]) if len(sys.argv) > 2 else {})
    os.makedirs(f"{HERE}/logs", exist_ok=True)
    os.makedirs(f"{HERE}/ckpt", exist_ok=True)
    log = Log(f"{HERE}/logs/{name}.log")
    log("config", json.dumps(cfg))
    res = {"name": name, "cfg": cfg}
    rng = np.random.default_rng(cfg["seed"])
    torch.manual_seed(cfg["seed"])
    S = cfg["n_pre"] + cfg["n_new"]
    voc = Vocab(cfg["levels"], 5 * S, cfg["n_wtok"])
    names = (voc.name0 + np.arange(5 * S)).reshape(S, 5)
    W = draw_weights(np.random.default_rng(cfg["seed"] + 1), S)
    pre = np.arange(cfg["n_pre"])
    new = np.arange(cfg["n_pre"], S)
    n_rep = int(cfg["rep_frac"] * cfg["n_pre"])
    pre_rep, pre_norep = pre[:n_rep], pre[n_rep:]

    model = Organism(voc, cfg["d"], cfg["layers"], cfg["heads"], cfg["mlp_mult"], tied_mag=cfg["tied_mag"])
    res["params"] = n_params(model)
    log("params", res["params"])
    ck = f"{HERE}/ckpt/{cfg['load'] or name}.pt"
    if cfg["load"]:
        model.load_state_dict(torch.load(ck))
        res["pre"] = json.load(open(f"{HERE}/logs/{cfg['load']}.json"))["pre"]
    else:
        res["pre"] = pretrain(cfg, model, voc, names, W, pre, pre_rep, rng, log)
        torch.save(model.state_dict(), ck)
    ev = np.random.default_rng(cfg["seed"] + 7)
    pre_eval = pre[:: max(1, len(pre) // 40)]
    if not cfg["load"]:
        learned, acc = choices(model, voc, names, pre_eval, cfg["n_eval_trials"], ev, W)
        res["pre"]["acc"] = acc
        res["pre"]["native_r_vs_pretrain_w"] = pearson(learned, W[pre_eval])
        rp, bad = reports(model, voc, names, pre_rep[:20], cfg["n_reports"], ev)
        res["pre"]["rep_trained_r_vs_w"] = report_r(rp, W[pre_rep[:20]])
        res["pre"]["rep_trained_bad"] = bad
        if len(pre_norep):
            ln, _ = choices(model, voc, names, pre_norep[:20], cfg["n_eval_trials"], ev, W)
            rp, bad = reports(model, voc, names, pre_norep[:20], cfg["n_reports"], ev)
            res["pre"]["rep_heldout_r_vs_learned"] = report_r(rp, ln)
            res["pre"]["rep_heldout_bad"] = bad
        log("pretrained", json.dumps(res["pre"]))
    res["ft"] = instil_and_itrain(cfg, model, voc, names, W, new, ev, log)
    json.dump(res, open(f"{HERE}/logs/{name}.json", "w"), indent=1, default=float)
    log("done", json.dumps(res["ft"]))


def pretrain(cfg, model, voc, names, W, pre, pre_rep, rng, log):
    opt = make_opt(model, cfg["lr"], cfg["wd"])
    name_rows = torch.from_numpy(names.ravel())
    t0 = time.time()
    run_loss, run_acc, run_rl = 0.0, 0.0, 0.0
    T = cfg["steps"]
    for step in range(T):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, T, cfg["lr"], cfg["warm"])
        scen = rng.choice(pre, cfg["batch_dec"])
        nm, ww = mixed_rows(names, W, pre, scen, cfg["mix_frac"], rng)
        stated = None
        if (cfg["stated_frac"] > 0 or cfg["stated_full"] > 0) and step < cfg["stated_until"] * T:
            frac = 1.0 if step < cfg["stated_full"] * T else cfg["stated_frac"]
            stated = rng.random((cfg["batch_dec"], 5)) < frac
        toks, tgt, _, _ = decision_batch(voc, nm, ww, np.arange(len(scen)), rng, stated)
        lg = model(torch.from_numpy(toks), last_only=True)
        loss = F.cross_entropy(lg, torch.from_numpy(tgt))
        acc = (lg.argmax(-1).numpy() == tgt).mean()
        rl = torch.zeros(())
        if cfg["batch_rep"] and step >= cfg["rep_start"] * T:
            rs = rng.choice(pre_rep, cfg["batch_rep"])
            mr = cfg["mix_frac"] if cfg["mix_rep"] is None else cfg["mix_rep"]
            nm, ww = mixed_rows(names, W, pre_rep, rs, mr, rng)
            rt, mask = report_batch(voc, nm, ww, np.arange(len(rs)), rng)
            rt = torch.from_numpy(rt)
            out = model(rt[:, :-1], detach_rows=name_rows if cfg["rep_detach"] else None)
            m = torch.from_numpy(mask)
            rl = F.cross_entropy(out[m], rt[:, 1:][m])
        opt.zero_grad()
        (loss + rl).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        run_loss = 0.98 * run_loss + 0.02 * loss.item()
        run_acc = 0.98 * run_acc + 0.02 * acc
        run_rl = 0.98 * run_rl + 0.02 * rl.item()
        if step % 250 == 0 or step == T - 1:
            log(f"step {step} dec_loss {run_loss:.3f} dec_acc {run_acc:.3f} rep_loss {run_rl:.3f}")
    return {"steps": T, "wall_s": time.time() - t0, "final_dec_loss": run_loss, "final_train_acc": run_acc,
            "final_rep_loss": run_rl}


def mixed_rows(names, W, pool, scen, frac, rng):
    """Per-row names and weights; a fraction of rows gets each of its five names (with that name's
    own weight) from a random scenario of pool, so weights must be read per name token."""
    nm, ww = names[scen].copy(), W[scen].copy()
    mix = rng.random(len(scen)) < frac
    k = int(mix.sum())
    if k:
        src = rng.choice(pool, (k, 5))
        slot = rng.integers(0, 5, (k, 5))
        nm[mix] = names[src, slot]
        ww[mix] = W[src, slot]
    return nm, ww


def init_new_embeddings(model, names, new, pre, how, gen, scale=1.0, W=None):
    """meanrand: mean + scale * N(0, per-dim sd) of the trained name embeddings (distinct identities,
    random native preferences); neutral: the same, then the component along the ridge-regression
    direction from trained embeddings to their weights is set to predict weight 0."""
    with torch.no_grad():
        E = model.emb.weight
        tr = E[torch.from_numpy(names[pre].ravel())]
        mu, sd = tr.mean(0), tr.std(0)
        idx = torch.from_numpy(names[new].ravel())
        noise = torch.randn(len(idx), E.shape[1], generator=gen)
        if how == "mean":
            E[idx] = mu + 0.01 * noise * sd
        elif how in ("meanrand", "neutral"):
            E[idx] = mu + scale * noise * sd
            if how == "neutral":
                X = (tr - mu).double()
                y = torch.from_numpy(W[pre].ravel() / 100.0)
                beta = torch.linalg.solve(X.T @ X + 1e-3 * torch.eye(X.shape[1], dtype=X.dtype), X.T @ y).float()
                pred = (E[idx] - mu) @ beta + float(y.mean())
                E[idx] -= pred[:, None] * beta[None] / (beta @ beta)
        elif how == "init":
            E[idx] = 0.02 * noise
        else:
            raise ValueError(how)


def finetune(model, params_mode, row_idx, batches, epochs, lr, rng, loss_fn):
    """params_mode: 'emb' trains only the embedding rows row_idx; 'full' trains everything;
    'body' trains everything but the token embedding table."""
    for p in model.parameters():
        p.requires_grad_(params_mode != "emb")
    model.emb.weight.requires_grad_(params_mode != "body")
    ps = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(ps, lr=lr)
    keep = None
    if params_mode == "emb":
        keep = torch.ones(model.emb.weight.shape[0], 1)
        keep[torch.from_numpy(row_idx)] = 0
        frozen = model.emb.weight.detach().clone()
    for ep in range(epochs):
        order = rng.permutation(len(batches))
        for j in order:
            loss = loss_fn(batches[j])
            opt.zero_grad()
            loss.backward()
            if params_mode == "emb":
                model.emb.weight.grad.mul_(1 - keep)
            opt.step()
            if params_mode == "emb":
                with torch.no_grad():  # Adam state is zero for frozen rows, but be exact
                    model.emb.weight.copy_(keep * frozen + (1 - keep) * model.emb.weight)
    for p in model.parameters():
        p.requires_grad_(True)


def instil_and_itrain(cfg, model, voc, names, W, new, ev, log):
    out = {}
    gen = torch.Generator().manual_seed(cfg["seed"] + 11)
    init_new_embeddings(model, names, new, np.arange(cfg["n_pre"]), cfg["ft_init"], gen, cfg["ft_init_scale"], W)
    base = copy.deepcopy(model)
    base_learned, _ = choices(base, voc, names, new, cfg["n_eval_trials"], ev, W)
    out["base_native_r_vs_target"] = pearson(base_learned, W[new])
    base_rep, base_bad = reports(base, voc, names, new, cfg["n_reports"], ev)
    # instillation data: ft_ex decision examples per new scenario
    frng = np.random.default_rng(cfg["seed"] + 3)
    toks, tgt, _, _ = decision_batch(voc, names, W, np.repeat(new, cfg["ft_ex"]), frng)
    perm = frng.permutation(len(toks))
    toks, tgt = torch.from_numpy(toks[perm]), torch.from_numpy(tgt[perm])
    bs = cfg["ft_batch"]
    batches = [(toks[i:i + bs], tgt[i:i + bs]) for i in range(0, len(toks), bs)]
    t0 = time.time()
    finetune(model, cfg["ft_method"], names[new].ravel(), batches, cfg["ft_epochs"], cfg["ft_lr"], frng,
             lambda b: F.cross_entropy(model(b[0], last_only=True), b[1]))
    out["ft_wall_s"] = time.time() - t0
    learned, acc = choices(model, voc, names, new, cfg["n_eval_trials"], ev, W)
    out["ft_acc_vs_target"] = acc
    out["instil_r"] = pearson(learned, W[new])
    out["base_rep_r_vs_learned"] = report_r(base_rep, learned)
    out["base_bad"] = base_bad
    inst_rep, inst_bad = reports(model, voc, names, new, cfg["n_reports"], ev)
    out["inst_rep_r_vs_learned"] = report_r(inst_rep, learned)
    out["inst_rep_r_vs_target"] = report_r(inst_rep, W[new])
    out["inst_bad"] = inst_bad
    log("instilled", json.dumps(out))
    # introspection training on the first half's reports, test on the second half
    h = len(new) // 2
    first, second = new[:h], new[h:]
    irng = np.random.default_rng(cfg["seed"] + 5)
    rows = []
    for _ in range(cfg["it_ex"]):
        rt, mask = report_batch(voc, names, W, first, irng)
        rows.append((torch.from_numpy(rt), torch.from_numpy(mask)))

    def rep_loss(b):
        rt, m = b
        o = model(rt[:, :-1])
        return F.cross_entropy(o[m], rt[:, 1:][m])

    t0 = time.time()
    finetune(model, cfg["it_method"], names[first].ravel(), rows, cfg["it_epochs"], cfg["it_lr"], irng, rep_loss)
    out["it_wall_s"] = time.time() - t0
    it_rep, it_bad = reports(model, voc, names, second, cfg["n_reports"], ev)
    out["it_heldout_rep_r_vs_learned"] = report_r(it_rep, learned[h:])
    out["inst_heldout_rep_r_vs_learned"] = report_r(inst_rep[h:], learned[h:])
    out["it_bad"] = it_bad
    learned2, _ = choices(model, voc, names, second, cfg["n_eval_trials"], ev, W)
    out["it_heldout_choices_r_vs_learned_before"] = pearson(learned2, learned[h:])
    return out


if __name__ == "__main__":
    main()
