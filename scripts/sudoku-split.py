#!/usr/bin/env python3
"""Cut a validation split from a Sudoku training CSV and check it against held-out sets.

Usage: sudoku-split.py TRAIN.csv OUTDIR [--val N] [--seed S] [--check HELDOUT.csv ...]

Writes OUTDIR/train.csv (shuffled, the rows not drawn) and OUTDIR/val.csv (N rows, default 1,000,
drawn at random with seed S, default 0). Then checks that no puzzle of the training or validation
split is the same as, or an augmented version of, a puzzle in each --check file. "Augmented" means
what training does to a sample: digit relabelling, transpose, band and row-within-band
permutations, stack and column-within-stack permutations. The check compares an invariant of those
operations (for every clue: the clue counts of its row and column as an unordered pair, of its
box, and how often its digit occurs among the clues); two puzzles that are versions of each other
always share it, so no shared invariant means no shared version. Puzzles that do share it are
compared exhaustively over the 2 x 6^8 cell permutations with digits relabelled, and every
training or validation puzzle that is a version of a held-out one is dropped (and listed in
OUTDIR/dropped.csv): Sudoku-Extreme's own train and test splits share a few such puzzles.
"""
import argparse, collections, csv, itertools, os, random, sys

def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))

def write(path, rs, fields):
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rs)
    os.replace(tmp, path)

def invariant(q):
    cells = [(i // 9, i % 9, ch) for i, ch in enumerate(q) if ch not in ".0"]
    rc = collections.Counter(r for r, _, _ in cells)
    cc = collections.Counter(c for _, c, _ in cells)
    bc = collections.Counter((r // 3, c // 3) for r, c, _ in cells)
    dc = collections.Counter(d for _, _, d in cells)
    return tuple(sorted((tuple(sorted((rc[r], cc[c]))), bc[(r // 3, c // 3)], dc[d]) for r, c, d in cells))

def line_orders():
    """Every row order that keeps bands together (6^4 = 1,296)."""
    for bands in itertools.permutations(range(3)):
        for a in itertools.permutations(range(3)):
            for b in itertools.permutations(range(3)):
                for c in itertools.permutations(range(3)):
                    inner = (a, b, c)
                    yield [3 * band + inner[k][j] for k, band in enumerate(bands) for j in range(3)]

ORDERS = list(line_orders())

def is_version(p, q):
    """True if puzzle q is some augmented version of puzzle p (exhaustive, for rare candidates)."""
    grids = [p, "".join(p[9 * c + r] for r in range(9) for c in range(9))]
    target_mask = [ch not in ".0" for ch in q]
    target_rows = [sum(target_mask[9 * r: 9 * r + 9]) for r in range(9)]
    target_cols = [sum(target_mask[c::9]) for c in range(9)]
    for g in grids:
        mask = [ch not in ".0" for ch in g]
        rows_n = [sum(mask[9 * r: 9 * r + 9]) for r in range(9)]
        cols_n = [sum(mask[c::9]) for c in range(9)]
        # a permutation that maps the clues onto q's must carry the clue count of every line along
        row_orders = [o for o in ORDERS if [rows_n[r] for r in o] == target_rows]
        col_orders = [o for o in ORDERS if [cols_n[c] for c in o] == target_cols]
        for ro in row_orders:
            rows_ = [g[9 * r: 9 * r + 9] for r in ro]
            for co in col_orders:
                cand = [rows_[r][c] for r in range(9) for c in co]
                if [ch not in ".0" for ch in cand] != target_mask:
                    continue
                relabel = {}
                ok = True
                for a, b in zip(cand, q):
                    if a in ".0":
                        continue
                    if relabel.setdefault(a, b) != b:
                        ok = False
                        break
                if ok and len(set(relabel.values())) == len(relabel):
                    return True
    return False

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("train")
    ap.add_argument("outdir")
    ap.add_argument("--val", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--check", action="append", default=[])
    a = ap.parse_args()
    rs = rows(a.train)
    if not rs or "question" not in rs[0]:
        sys.exit(f"{a.train}: no rows with a 'question' column")
    fields = list(rs[0].keys())
    random.Random(a.seed).shuffle(rs)
    os.makedirs(a.outdir, exist_ok=True)
    by_inv = collections.defaultdict(list)
    for r in rs:
        by_inv[invariant(r["question"])].append(r["question"])
    leaked = {}
    for path in a.check:
        held = rows(path)
        candidates = found = 0
        for h in held:
            for q in by_inv.get(invariant(h["question"]), []):
                candidates += 1
                if q not in leaked and is_version(q, h["question"]):
                    leaked[q] = (path, h["question"])
                    found += 1
        print(f"{path}: {len(held)} puzzles, {candidates} training puzzles share an invariant with one, "
              f"{found} are versions of one (dropped)")
    if leaked:
        write(os.path.join(a.outdir, "dropped.csv"),
              [{"question": q, "heldout_file": p, "heldout_question": h} for q, (p, h) in leaked.items()],
              ["question", "heldout_file", "heldout_question"])
    rs = [r for r in rs if r["question"] not in leaked]
    val, train = rs[:a.val], rs[a.val:]
    write(os.path.join(a.outdir, "train.csv"), train, fields)
    write(os.path.join(a.outdir, "val.csv"), val, fields)
    print(f"train: {len(train)}, val: {len(val)} -> {a.outdir}")

main()
