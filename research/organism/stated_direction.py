"""Does an organism's name embedding carry its weight along the line the stated-weight tokens lie on?

The naive organism learns to report weights from the stated-weight tokens <|w-100|>..<|w100|> (embeddings on a
line base + (w/100)*direction). If the names' choice-learnt weights were coded along that same direction, the
stated-weight read-out would read them too. This prints r(name embedding . direction, weight) for the native
names and, in an instilled model, the instilled names.

usage: python3 stated_direction.py RUN_DIR ORGANISM_DIR INSTILLED_MODEL_DIR
  RUN_DIR: a local run (its scenarios.csv lists the catalog in id order; instilled_weights.csv the targets)
  ORGANISM_DIR: the base organism (models/naive, models/reporter or a pretrain --out)
  INSTILLED_MODEL_DIR: RUN_DIR/models/ft-... whose model_id.txt ends in :instilled:...
Needs numpy (Debian: python3-numpy).
"""
import csv
import json
import struct
import sys

import numpy as np


def embeddings(model_dir):
    with open(model_dir + "/model.safetensors", "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        entry = header["tok_embeddings.weight"]
        start, end = entry["data_offsets"]
        f.seek(8 + n + start)
        return np.frombuffer(f.read(end - start), dtype=np.float32).reshape(entry["shape"]).astype(np.float64)


def vocabulary(model_dir):
    t = json.load(open(model_dir + "/tokenizer.json"))
    return {s: i for i, s in enumerate(t["specialTokens"] + t["pieces"])}


def alignment(model_dir, names_and_weights):
    table, ids = embeddings(model_dir), vocabulary(model_dir)
    stated = np.arange(-100, 101)
    rows = np.stack([table[ids[f"<|w{w}|>"]] for w in stated])
    design = np.c_[np.ones(len(stated)), stated / 100.0]
    direction = np.linalg.lstsq(design, rows, rcond=None)[0][1]
    direction /= np.linalg.norm(direction)
    names = np.stack([table[ids[name]] for name, _ in names_and_weights])
    weights = np.array([w for _, w in names_and_weights], dtype=float)
    return np.corrcoef(names @ direction, weights)[0, 1], len(weights)


def main(run_dir, organism_dir, instilled_dir):
    catalog = list(csv.DictReader(open(run_dir + "/scenarios.csv")))
    id_of = {row["scenario"]: i for i, row in enumerate(catalog)}
    native = list(csv.DictReader(open(organism_dir + "/native_weights.csv")))

    def native_names(first, last):
        return [(catalog[int(r["scenario"])][f"attr{k}"], int(r[f"attr{k}"]))
                for r in native if first <= int(r["scenario"]) <= last for k in range(1, 6)]

    instilled = [(catalog[id_of[r["scenario"]]][f"attr{k}"], int(r[f"attr{k}"]))
                 for r in csv.DictReader(open(run_dir + "/instilled_weights.csv")) for k in range(1, 6)]
    for label, model, pairs in [("base, native scenarios 100-199", organism_dir, native_names(100, 199)),
                                ("base, pretraining-only scenarios 200-319", organism_dir, native_names(200, 319)),
                                ("instilled model, instilled scenarios", instilled_dir, instilled)]:
        r, n = alignment(model, pairs)
        print(f"{label}: r(name embedding . stated-weight direction, weight) = {r:+.3f} over {n} names")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
