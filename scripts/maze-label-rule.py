#!/usr/bin/env python3
"""Which tie-break rule a maze CSV's labels follow, and how many mazes have several shortest paths.

Usage: maze-label-rule.py FILE.csv [FILE.csv ...]

A maze with several shortest S-to-G paths has several right answers; its label marks one. This
script counts the shortest paths of every maze and tries the 48 simple rules that pick one: walk
from S (or back from G), each step to a neighbour one step closer to the other end, trying the four
directions in a fixed order. It prints, per file, the mazes with several paths and the rules that
reproduce every label (on Maze-Hard: from S, trying down, left, right, up). A rule tied to the
maze's orientation is why rotated or mirrored copies of such a maze teach contradicting labels
(`trm train --no-augment`), and why `trm data generate maze --unique-path` exists.
"""
import collections, csv, itertools, sys

MOVES = {"U": (-1, 0), "D": (1, 0), "L": (0, -1), "R": (0, 1)}

def distances(q, side, src):
    dist = {src: 0}
    queue = collections.deque([src])
    while queue:
        c = queue.popleft()
        r, k = divmod(c, side)
        for dr, dk in MOVES.values():
            nr, nk = r + dr, k + dk
            if 0 <= nr < side and 0 <= nk < side:
                n = nr * side + nk
                if q[n] != "#" and n not in dist:
                    dist[n] = dist[c] + 1
                    queue.append(n)
    return dist

def path_count(q, side, s, g, dist):
    ways = {s: 1}
    for c in sorted(dist, key=dist.get):
        if c == s:
            continue
        r, k = divmod(c, side)
        ways[c] = sum(ways.get(r2 * side + k2, 0) for dr, dk in MOVES.values()
                      for r2, k2 in [(r + dr, k + dk)]
                      if 0 <= r2 < side and 0 <= k2 < side and dist.get(r2 * side + k2) == dist[c] - 1)
    return ways.get(g, 0)

def walk(side, start, to_other, order):
    cell, marks = start, set()
    while to_other[cell] > 0:
        r, k = divmod(cell, side)
        for o in order:
            dr, dk = MOVES[o]
            nr, nk = r + dr, k + dk
            n = nr * side + nk
            if 0 <= nr < side and 0 <= nk < side and to_other.get(n) == to_other[cell] - 1:
                cell = n
                break
        if to_other[cell] > 0:
            marks.add(cell)
    return marks

def main(paths):
    if not paths:
        sys.exit(__doc__)
    for path in paths:
        rules = {(end, "".join(o)) for end in "SG" for o in itertools.permutations("UDLR")}
        mazes = several = 0
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                q, a = row["question"], row["answer"]
                side = int(round(len(q) ** 0.5))
                s, g = q.index("S"), q.index("G")
                from_s, from_g = distances(q, side, s), distances(q, side, g)
                if g not in from_s:
                    continue
                mazes += 1
                if path_count(q, side, s, g, from_s) > 1:
                    several += 1
                label = {i for i, ch in enumerate(a) if ch == "o"}
                rules = {(end, o) for end, o in rules
                         if walk(side, s if end == "S" else g, from_g if end == "S" else from_s, o) == label}
        names = {"U": "up", "D": "down", "L": "left", "R": "right"}
        found = "; ".join(f"from {end}: " + ", ".join(names[c] for c in o) for end, o in sorted(rules)) or "none"
        if len(rules) == 48:
            found = "all 48 (no maze has a choice to make)"
        print(f"{path}: {mazes} mazes, {several} with several shortest paths; rules that give every label: {found}")

if __name__ == "__main__":
    main(sys.argv[1:])
