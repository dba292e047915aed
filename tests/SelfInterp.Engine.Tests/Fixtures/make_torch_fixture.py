#!/usr/bin/env python3
"""Writes torch_fixture_<variant>.safetensors: a tiny Llama-style decoder computed by PyTorch in float64, as
the ground truth for the engine's whole-model test (weights, tokens, logits, loss, every gradient, and the
losses of 5 AdamW steps with clipping and a warm-up + cosine schedule). Variants: "gqa_tied" (grouped KV
heads, tied embeddings) and "mha_untied" (one KV head per head, separate output head).

Run with Debian's python3-torch:  /usr/bin/python3 make_torch_fixture.py
The engine tests read the committed output and need no Python."""
import json, math, os, struct
import torch

DT = torch.float64
BASE = dict(vocab_size=32, dim=16, n_layers=2, n_heads=4, n_kv_heads=2, mlp_hidden=24,
            max_seq_len=8, rope_theta=10000.0, norm_eps=1e-5, tied_embeddings=True)
VARIANTS = {"gqa_tied": dict(BASE), "mha_untied": dict(BASE, n_kv_heads=4, tied_embeddings=False, rope_theta=500.0)}
CFG = dict(BASE)
B, T = 2, 8
LENGTHS = [8, 5]
OPT = dict(peak=1e-2, min=1e-3, warmup=2, total=5, wd=0.1, b1=0.9, b2=0.999, eps=1e-8, clip=1.0, steps=5)

d, H, KV, hid, V, L = (BASE[k] for k in ("dim", "n_heads", "n_kv_heads", "mlp_hidden", "vocab_size", "n_layers"))
hd = d // H


def use(cfg):
    global CFG, KV
    CFG, KV = cfg, cfg["n_kv_heads"]


def param_shapes():
    shapes = [("tok_embeddings.weight", (V, d))]
    for l in range(L):
        p = f"layers.{l}."
        shapes += [(p + "attention_norm.weight", (d,)), (p + "attention.wq.weight", (H * hd, d)),
                   (p + "attention.wk.weight", (KV * hd, d)), (p + "attention.wv.weight", (KV * hd, d)),
                   (p + "attention.wo.weight", (d, H * hd)), (p + "ffn_norm.weight", (d,)),
                   (p + "feed_forward.w1.weight", (hid, d)), (p + "feed_forward.w3.weight", (hid, d)),
                   (p + "feed_forward.w2.weight", (d, hid))]
    shapes.append(("norm.weight", (d,)))
    if not CFG["tied_embeddings"]:
        shapes.append(("output.weight", (V, d)))
    return shapes


def rms_norm(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + CFG["norm_eps"]) * w


def rope(x):  # x: [B, T, heads, hd], rotate-half convention
    half = hd // 2
    inv = CFG["rope_theta"] ** (-2.0 * torch.arange(half, dtype=DT) / hd)
    ang = torch.arange(T, dtype=DT)[:, None] * inv[None, :]
    cos, sin = ang.cos()[None, :, None, :], ang.sin()[None, :, None, :]
    a, b = x[..., :half], x[..., half:]
    return torch.cat([a * cos - b * sin, b * cos + a * sin], dim=-1)


def forward(P, tokens):
    x = P["tok_embeddings.weight"][tokens]
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    for l in range(L):
        p = f"layers.{l}."
        h = rms_norm(x, P[p + "attention_norm.weight"])
        q = rope((h @ P[p + "attention.wq.weight"].T).view(B, T, H, hd))
        k = rope((h @ P[p + "attention.wk.weight"].T).view(B, T, KV, hd))
        v = (h @ P[p + "attention.wv.weight"].T).view(B, T, KV, hd)
        k = k.repeat_interleave(H // KV, dim=2)
        v = v.repeat_interleave(H // KV, dim=2)
        s = torch.einsum("bihd,bjhd->bhij", q, k) / math.sqrt(hd)
        s = s.masked_fill(~mask, float("-inf"))
        o = torch.einsum("bhij,bjhd->bihd", s.softmax(-1), v).reshape(B, T, H * hd)
        x = x + o @ P[p + "attention.wo.weight"].T
        h = rms_norm(x, P[p + "ffn_norm.weight"])
        g = torch.nn.functional.silu(h @ P[p + "feed_forward.w1.weight"].T) * (h @ P[p + "feed_forward.w3.weight"].T)
        x = x + g @ P[p + "feed_forward.w2.weight"].T
    x = rms_norm(x, P["norm.weight"])
    return x @ P["tok_embeddings.weight" if CFG["tied_embeddings"] else "output.weight"].T


def loss_fn(logits, targets):
    return torch.nn.functional.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-1)


def lr_at(step):
    if step < OPT["warmup"]:
        return OPT["peak"] * (step + 1) / OPT["warmup"]
    prog = (step - OPT["warmup"]) / (OPT["total"] - OPT["warmup"])
    return OPT["min"] + 0.5 * (OPT["peak"] - OPT["min"]) * (1 + math.cos(math.pi * prog))


def main():
    for seed, (name, cfg) in enumerate(VARIANTS.items()):
        use(cfg)
        torch.manual_seed(1234 + seed)
        write_fixture(f"torch_fixture_{name}.safetensors")


def write_fixture(file_name):
    params = {}
    for name, shape in param_shapes():
        if len(shape) == 1:
            params[name] = 1.0 + 0.1 * torch.randn(shape, dtype=DT)
        else:
            params[name] = 0.3 * torch.randn(shape, dtype=DT)
    # Round to float32 first, so the engine starts from exactly the same weights.
    params = {k: v.float().double().requires_grad_(True) for k, v in params.items()}
    tokens = torch.randint(1, V, (B, T))
    targets = torch.full((B, T), -1, dtype=torch.long)
    for b in range(B):
        for t in range(LENGTHS[b] - 1):
            if (t + b) % 3 != 0:  # loss on a scattered subset of positions, as with answer-only loss
                targets[b, t] = tokens[b, t + 1]
        tokens[b, LENGTHS[b]:] = 0

    logits = forward(params, tokens)
    loss = loss_fn(logits, targets)
    loss.backward()
    out = {"tokens": tokens.double(), "targets": targets.double(), "lengths": torch.tensor(LENGTHS, dtype=DT),
           "logits": logits.detach().reshape(B * T, V), "loss": loss.detach().reshape(1)}
    for k, v in params.items():
        out[k] = v.detach().clone()  # clone: the AdamW steps below update params in place
        out["grad." + k] = v.grad.detach().clone()

    decay = [v for k, v in params.items() if v.dim() >= 2]
    no_decay = [v for k, v in params.items() if v.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": OPT["wd"]}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=OPT["peak"], betas=(OPT["b1"], OPT["b2"]), eps=OPT["eps"])
    losses = []
    for step in range(OPT["steps"]):
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        opt.zero_grad()
        l = loss_fn(forward(params, tokens), targets)
        l.backward()
        torch.nn.utils.clip_grad_norm_(list(params.values()), OPT["clip"])
        opt.step()
        losses.append(l.item())
    out["adamw_losses"] = torch.tensor(losses, dtype=DT)
    write_safetensors(os.path.join(os.path.dirname(os.path.abspath(__file__)), file_name), out,
                      {"config": json.dumps(CFG), "optimizer": json.dumps(OPT)})


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        data = tensors[name].detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for blob in blobs:
            f.write(blob)


if __name__ == "__main__":
    main()
