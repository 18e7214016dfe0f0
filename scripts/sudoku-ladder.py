#!/usr/bin/env python3
"""Assemble the Sudoku ladder's training, validation and test sets from per-clue-count files.

Usage: sudoku-ladder.py DIR

DIR holds `trm data generate sudoku` CSVs named trC.csv (training), vaC.csv (validation) and teC.csv
(test) for C in 30, 28, 26, 24 (see Models/sudoku-ladder/README.md for the commands). Writes
DIR/ladder-train.csv (shuffled, seed 0), DIR/ladder-val.csv and DIR/ladder-test.csv, and checks that
no puzzle, nor any solution grid, is shared between the three sets or with the first 2,000 puzzles
of Sudoku-Extreme-lite's test set (the other held-out evaluation), when ../shared is beside the
repository.
"""
import csv, os, random, sys

CLUES = (30, 28, 26, 24)

def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))

def write(path, rs):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["source", "question", "answer", "rating"])
        w.writeheader()
        w.writerows(rs)

def main(args):
    if len(args) != 1:
        sys.exit(__doc__)
    d = args[0]
    sets = {name: [r for c in CLUES for r in rows(os.path.join(d, f"{prefix}{c}.csv"))]
            for name, prefix in (("train", "tr"), ("val", "va"), ("test", "te"))}
    random.Random(0).shuffle(sets["train"])
    extreme = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "sudoku-extreme-lite", "test.csv")
    if os.path.exists(extreme):
        sets["extreme-test"] = rows(extreme)[:2000]
    names = list(sets)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            for field in ("question", "answer"):
                shared = {r[field] for r in sets[a]} & {r[field] for r in sets[b]}
                if shared:
                    sys.exit(f"{len(shared)} {field}s shared between {a} and {b}")
    for name in ("train", "val", "test"):
        write(os.path.join(d, f"ladder-{name}.csv"), sets[name])
    print(", ".join(f"{n}: {len(sets[n])}" for n in names) + "; no puzzle or solution shared between any two")

main(sys.argv[1:])
