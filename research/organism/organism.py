"""Quick PyTorch probes for the SelfInterp model organism (issue 5).

Scenarios are abstract here: what the local rendering shows of a value is only its place in the
attribute's range (a "perception" magnitude token), so a value is drawn as u ~ U[0, 1] and the
normalised difference (A_i - B_i) / (max_i - min_i) is u_A - u_B. Every attribute name is one token,
unique across scenarios. Weights are drawn as the protocol says.
"""
import json
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


# ----------------------------------------------------------------------------- scenarios
def draw_weights(rng, n):
    w = rng.uniform(-100, 100, size=(n, 5))
    w = w / np.abs(w).max(axis=1, keepdims=True) * 100
    return np.rint(w).astype(int)


class Vocab:
    SPECIALS = ["<pad>", "<dec>", "<rep>", "<ans>", "{", "}", ":", ",", "-", "A", "B", "<eos>"]

    def __init__(self, n_levels, n_names, n_wtok=0):
        self.itos = list(self.SPECIALS) + [str(d) for d in range(10)]
        self.itos += [f"<m{k}>" for k in range(n_levels)]
        self.itos += [f"<w{k}>" for k in range(n_wtok)]
        self.itos += [f"n{k}" for k in range(n_names)]
        self.stoi = {s: i for i, s in enumerate(self.itos)}
        self.n_levels = n_levels
        self.mag0 = self.stoi["<m0>"]
        self.wtok0 = self.stoi["<w0>"] if n_wtok else None
        self.n_wtok = n_wtok
        self.name0 = self.stoi["n0"]
        self.digit0 = self.stoi["0"]
        for s in self.SPECIALS:
            setattr(self, s.strip("<>").replace("{", "LB").replace("}", "RB").replace(":", "COLON")
                    .replace(",", "COMMA").replace("-", "MINUS"), self.stoi[s])

    def __len__(self):
        return len(self.itos)

    def number(self, w):
        toks = [self.MINUS] if w < 0 else []
        return toks + [self.digit0 + int(c) for c in str(abs(int(w)))]


def mag_tokens(voc, u):
    return voc.mag0 + np.rint(u * (voc.n_levels - 1)).astype(int)


def decision_batch(voc, names, weights, scen, rng, stated=None):
    """names: (S,5) token ids; weights (S,5); scen: (B,) scenario indices.
    Returns tokens (B,17), targets (B,) in {A,B} ids, u_a, u_b.
    stated: optional bool (B,) — replace name token by a weight token (weights in context)."""
    B = len(scen)
    ua = rng.random((B, 5))
    ub = rng.random((B, 5))
    toks = np.zeros((B, 17), dtype=np.int64)
    toks[:, 0] = voc.dec
    nm = names[scen].copy()
    if stated is not None and stated.any():
        wl = np.rint((weights[scen] + 100) / 200 * (voc.n_wtok - 1)).astype(int) + voc.wtok0
        nm[stated] = wl[stated]
    toks[:, 1:16:3] = nm
    toks[:, 2:16:3] = mag_tokens(voc, ua)
    toks[:, 3:16:3] = mag_tokens(voc, ub)
    toks[:, 16] = voc.ans
    util = ((ua - ub) * weights[scen]).sum(1)
    tgt = np.where(util > 0, voc.A, voc.B)
    return toks, tgt, ua, ub


def report_prompt(voc, names_row, ua, ub):
    p = [voc.rep] + list(names_row)
    for i in range(5):
        p += [names_row[i], mag_tokens(voc, ua[i]), mag_tokens(voc, ub[i])]
    p += [voc.ans]
    return p


def report_answer(voc, names_row, w_row):
    a = [voc.LB]
    for i in range(5):
        a += [names_row[i], voc.COLON] + voc.number(w_row[i])
        a += [voc.COMMA] if i < 4 else [voc.RB]
    return a + [voc.eos]


def report_batch(voc, names, weights, scen, rng):
    seqs, prompt_lens = [], []
    for s in scen:
        ua, ub = rng.random(5), rng.random(5)
        p = report_prompt(voc, names[s], ua, ub)
        seqs.append(p + report_answer(voc, names[s], weights[s]))
        prompt_lens.append(len(p))
    L = max(len(x) for x in seqs)
    toks = np.full((len(seqs), L), voc.pad, dtype=np.int64)
    mask = np.zeros((len(seqs), L - 1), dtype=bool)
    for j, x in enumerate(seqs):
        toks[j, :len(x)] = x
        mask[j, prompt_lens[j] - 1:len(x) - 1] = True  # predict answer tokens
    return toks, mask


def parse_report(voc, out, names_row):
    """out: generated token ids after <ans>. Returns 5 ints or None (bad report)."""
    try:
        end = out.index(voc.eos)
    except ValueError:
        return None
    t = out[:end]
    if len(t) < 2 or t[0] != voc.LB or t[-1] != voc.RB:
        return None
    body = t[1:-1]
    items, cur = [], []
    for x in body:
        if x == voc.COMMA:
            items.append(cur); cur = []
        else:
            cur.append(x)
    items.append(cur)
    res = {}
    for it in items:
        if len(it) < 3 or it[1] != voc.COLON:
            return None
        k = it[0]
        num = it[2:]
        neg = num[0] == voc.MINUS
        if neg:
            num = num[1:]
        if not num or any(not (voc.digit0 <= d < voc.digit0 + 10) for d in num):
            return None
        v = int("".join(str(d - voc.digit0) for d in num))
        res[k] = -v if neg else v
    if sorted(res.keys()) != sorted(int(n) for n in names_row):
        return None
    return [res[int(n)] for n in names_row]


# ----------------------------------------------------------------------------- model
class Block(nn.Module):
    def __init__(self, d, h, mlp):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, mlp)
        self.fc2 = nn.Linear(mlp, d)
        self.h = h

    def forward(self, x, mask):
        B, T, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(B, T, 3, self.h, D // self.h).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(D // self.h)
        att = att.masked_fill(mask[:T, :T], float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        x = x + self.proj(y)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class Organism(nn.Module):
    def __init__(self, voc, d=128, layers=2, heads=4, mlp_mult=4, max_len=64, tied_mag=True):
        super().__init__()
        self.voc = voc
        self.emb = nn.Embedding(len(voc), d)
        nn.init.normal_(self.emb.weight, std=0.02)
        self.pos = nn.Parameter(torch.randn(max_len, d) * 0.02)
        self.blocks = nn.ModuleList([Block(d, heads, mlp_mult * d) for _ in range(layers)])
        self.lnf = nn.LayerNorm(d)
        self.tied_mag = tied_mag
        if tied_mag:  # magnitude token embedding = base + level * direction (learned)
            self.mag_base = nn.Parameter(torch.randn(d) * 0.02)
            self.mag_dir = nn.Parameter(torch.randn(d) * 0.02)
        if voc.n_wtok:  # stated-weight token embedding = base + (w/100) * direction (learned)
            self.w_base = nn.Parameter(torch.randn(d) * 0.02)
            self.w_dir = nn.Parameter(torch.randn(d) * 0.02)
        self.register_buffer("causal", torch.triu(torch.ones(max_len, max_len, dtype=torch.bool), 1))

    def table(self, detach_rows=None):
        W = self.emb.weight
        if detach_rows is not None:  # these rows get no gradient from this forward pass
            keep = torch.zeros(W.shape[0], 1)
            keep[detach_rows] = 1
            W = keep * W.detach() + (1 - keep) * W
        if not self.tied_mag:
            return W
        v = self.voc
        lv = torch.linspace(-1, 1, v.n_levels, device=W.device)[:, None]
        mag = self.mag_base[None] + lv * self.mag_dir[None]
        parts = [W[:v.mag0], mag]
        if v.n_wtok:
            wl = torch.linspace(-1, 1, v.n_wtok)[:, None]
            parts.append(self.w_base[None] + wl * self.w_dir[None])
        return torch.cat(parts + [W[v.mag0 + v.n_levels + v.n_wtok:]], 0)

    def forward(self, toks, last_only=False, detach_rows=None):
        E = self.table(detach_rows)
        x = E[toks] + self.pos[: toks.shape[1]]
        for b in self.blocks:
            x = b(x, self.causal)
        if last_only:
            x = x[:, -1]
        return self.lnf(x) @ E.T


def n_params(m):
    return sum(p.numel() for p in m.parameters())


# ----------------------------------------------------------------------------- analysis
def logistic_map(X, y, iters=50):
    """MAP logistic regression, slopes ~ N(0,1), intercept ~ N(0, 2.5^2) (t(3) approximated)."""
    Xi = np.hstack([np.ones((len(X), 1)), X])
    prec = np.array([1 / 2.5 ** 2] + [1.0] * X.shape[1])
    b = np.zeros(Xi.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-Xi @ b))
        g = Xi.T @ (y - p) - prec * b
        H = (Xi * (p * (1 - p))[:, None]).T @ Xi + np.diag(prec)
        step = np.linalg.solve(H, g)
        b += step
        if np.abs(step).max() < 1e-8:
            break
    return b[1:]


def rescale(b):
    m = np.abs(b).max(axis=-1, keepdims=True)
    return np.rint(b / np.where(m == 0, 1, m) * 100)


def pearson(a, b):
    a, b = np.ravel(a).astype(float), np.ravel(b).astype(float)
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


@torch.no_grad()
def choices(model, voc, names, scen_idx, n_trials, rng, weights_for_acc=None):
    """Argmax choices on fresh trials. Returns learned weights (S,5) and accuracy vs weights_for_acc."""
    model.eval()
    learned, accs = [], []
    for s in scen_idx:
        toks, tgt, ua, ub = decision_batch(voc, names, weights_for_acc if weights_for_acc is not None
                                           else np.zeros_like(names), np.full(n_trials, s), rng)
        lg = model(torch.from_numpy(toks), last_only=True)
        chose_a = (lg[:, voc.A] > lg[:, voc.B]).numpy()
        learned.append(logistic_map(ua - ub, chose_a.astype(float)))
        if weights_for_acc is not None:
            accs.append(((chose_a) == (tgt == voc.A)).mean())
    model.train()
    return rescale(np.array(learned)), (float(np.mean(accs)) if accs else None)


@torch.no_grad()
def reports(model, voc, names, scen_idx, n_reports, rng, max_new=40):
    """Greedy decoded reports; returns mean report per scenario (S,5) with NaN rows for all-bad, bad rate."""
    model.eval()
    prompts, owners = [], []
    for s in scen_idx:
        for _ in range(n_reports):
            prompts.append(report_prompt(voc, names[s], rng.random(5), rng.random(5)))
            owners.append(s)
    toks = torch.tensor(prompts)
    done = torch.zeros(len(prompts), dtype=torch.bool)
    for _ in range(max_new):
        nxt = model(toks, last_only=True).argmax(-1)
        nxt[done] = voc.pad
        toks = torch.cat([toks, nxt[:, None]], 1)
        done |= nxt == voc.eos
        if done.all():
            break
    plen = len(prompts[0])
    out = {}
    bad = 0
    for j, s in enumerate(owners):
        r = parse_report(voc, toks[j, plen:].tolist(), names[s])
        if r is None:
            bad += 1
        else:
            out.setdefault(s, []).append(r)
    mean = np.array([np.mean(out[s], 0) if s in out else [np.nan] * 5 for s in scen_idx])
    model.train()
    return mean, bad / len(prompts)


def report_r(rep, learned):
    ok = ~np.isnan(rep).any(1)
    return pearson(rep[ok], learned[ok])


# ----------------------------------------------------------------------------- training
def lr_at(step, total, peak, warm):
    if step < warm:
        return peak * (step + 1) / warm
    p = (step - warm) / max(1, total - warm)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p)))


def make_opt(model, lr, wd):
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and n != "emb.weight" and n != "pos"]
    no = [p for n, p in model.named_parameters() if not (p.dim() == 2 and n != "emb.weight" and n != "pos")]
    return torch.optim.AdamW([{"params": decay, "weight_decay": wd}, {"params": no, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.98))


class Log:
    def __init__(self, path):
        self.f = open(path, "a")
        self.t0 = time.time()

    def __call__(self, *a):
        s = f"[{time.time() - self.t0:7.1f}s] " + " ".join(str(x) for x in a)
        print(s, flush=True)
        self.f.write(s + "\n")
        self.f.flush()


@torch.no_grad()
def reports_forced_keys(model, voc, names, scen_idx, n_reports, rng, max_digits=4):
    """Reports whose JSON keys and punctuation are forced (teacher-forced template); the model only
    writes each value greedily. Diagnostic: are the values informative even where copying fails?"""
    model.eval()
    prompts, owners = [], []
    for s in scen_idx:
        for _ in range(n_reports):
            prompts.append(report_prompt(voc, names[s], rng.random(5), rng.random(5)))
            owners.append(s)
    vals = np.full((len(prompts), 5), np.nan)
    for j, p in enumerate(prompts):
        seq = p + [voc.LB]
        for i in range(5):
            seq += [int(names[owners[j]][i]), voc.COLON]
            num = []
            for _ in range(max_digits):
                t = int(model(torch.tensor([seq + num]), last_only=True)[0].argmax())
                if t == voc.MINUS or voc.digit0 <= t < voc.digit0 + 10:
                    num.append(t)
                else:
                    break
            seq += num + [voc.COMMA]
            neg = bool(num) and num[0] == voc.MINUS
            d = num[1:] if neg else num
            if d and all(voc.digit0 <= x < voc.digit0 + 10 for x in d):
                v = int("".join(str(x - voc.digit0) for x in d))
                vals[j, i] = -v if neg else v
    mean = np.array([np.nanmean(vals[[k for k, o in enumerate(owners) if o == s]], 0) for s in scen_idx])
    model.train()
    return mean, float(np.isnan(vals).any(1).mean())
