#!/usr/bin/env python3
"""Exact accuracy by clue count (all steps, and early halting) from `trm eval --predictions` output.
Usage: sudoku-by-clues.py DATA.csv predictions.jsonl (from `trm eval --predictions`)"""
import csv, json, sys, collections
rows = list(csv.DictReader(open(sys.argv[1])))
preds = [json.loads(l) for l in open(sys.argv[2])]
by = collections.defaultdict(lambda: [0, 0, 0])
for p in preds:
    q = rows[p["index"]]["question"]
    clues = sum(c not in ".0" for c in q)
    b = by[clues]; b[0] += 1; b[1] += p["exact"]; b[2] += p["halting_exact"]
for c in sorted(by, reverse=True):
    n, e, h = by[c]
    print(f"| {c} | {n} | {100*e/n:.1f}% | {100*h/n:.1f}% |")
