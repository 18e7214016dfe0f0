#!/usr/bin/env python3
"""Split generated mazes for training without leaking the test set.

Usage: maze-split.py ALL.csv TEST.csv TRAIN.csv VAL.csv [--val 500]

Reads `trm data generate maze` CSVs (source,question,answer,rating). Drops every maze of ALL.csv
that repeats an earlier one or any test maze up to the 8 dihedral transforms (training augments
with them, so a rotated test maze would be a test maze seen in training), then writes the last
--val mazes as the validation split (for checkpoint choice) and the rest as the training split.
"""
import csv, sys

def canonical(question):
    n = int(round(len(question) ** 0.5))
    if n * n != len(question):
        sys.exit(f"not a square maze: {len(question)} cells")
    grid = [question[i * n:(i + 1) * n] for i in range(n)]
    forms = []
    for flip in (False, True):
        g = [row[::-1] for row in grid] if flip else grid
        for _ in range(4):
            g = ["".join(g[n - 1 - j][i] for j in range(n)) for i in range(n)]  # rotate 90 degrees
            forms.append("".join(g))
    return min(forms)

def main(args):
    val = 500
    if "--val" in args:
        i = args.index("--val"); val = int(args[i + 1]); del args[i:i + 2]
    if len(args) != 4:
        sys.exit(__doc__)
    source, test, train_out, val_out = args
    rows = list(csv.DictReader(open(source, newline="")))
    held = {canonical(r["question"]) for r in csv.DictReader(open(test, newline=""))}
    kept, seen = [], set()
    for r in rows:
        k = canonical(r["question"])
        if k in seen or k in held:
            continue
        seen.add(k); kept.append(r)
    if len(kept) <= val:
        sys.exit(f"only {len(kept)} distinct mazes left; need more than --val {val}")
    fields = list(rows[0].keys())
    for path, part in ((train_out, kept[:-val]), (val_out, kept[-val:])):
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields); w.writeheader(); w.writerows(part)
    print(f"{len(rows)} generated, {len(rows) - len(kept)} dropped (repeats or test mazes up to symmetry), "
          f"{len(kept) - val} train, {val} validation")

if __name__ == "__main__":
    main(sys.argv[1:])
