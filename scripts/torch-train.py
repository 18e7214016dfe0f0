#!/usr/bin/env python3
"""Train a swift-trm maze or Sudoku model folder further on a GPU with PyTorch, and write a model folder back.

swift-trm trains on CPUs. This script is for the hours a CUDA GPU is at hand: it reads a swift-trm
model folder (config.json, model.safetensors), trains the same TRM with the same recipe as `trm
train` (deep supervision with adaptive halting, stable-max loss, Adam-atan2, sign-SGD puzzle
embedding, EMA; bfloat16 products like the reference), for a fixed wall-clock budget, and writes
snapshots that `--pack` turns into a model folder `trm eval`, `trm solve` and `trm serve` load (the
manifest's checksums are computed the same way). It is written from ../docs and the Swift sources of
this package, not from the reference code.

Scope: TRM with the attention mixer (RoPE or 2-D RoPE; rope2d: another square side than the folder's
is fine, as with `trm train --init`) or the MLP token mixer (TRM-MLP, Sudoku), gradientMode
full_last_cycle. Data: CSVs with question and answer columns (.csv or .csv.gz), the kind told from
the first row:
- mazes (`#` wall, ` ` open, `S`, `G`, `o` path): every training maze is used in its 8 rotations and
  mirrorings; because a maze may have several shortest paths, every version is relabelled by the
  tie-break rule the files' labels follow (walk from S or back from G, each step to the first
  neighbour one step closer, trying the four directions in a fixed order: Maze-Hard's is from S,
  down, left, right, up; `trm data generate maze`'s back from G, up, down, left, right), found from
  the labels as `trm train` finds it, or given with --label-rule; so the model sees one consistent
  answer. Files whose labels follow different rules, or none, are refused (--label-rule relabels
  them all by one; --no-augment trains on the rows as they are).
- Sudoku (81 cells, `.` or `0` blank): each sample enters the batch as a new random version (digits
  relabelled, bands/rows and stacks/columns permuted, transposed half the time), as `trm train` does.
  With a `rating` column (Sudoku-Extreme's backtracks), evaluations are also split by rating.

Usage:
  python3 scripts/torch-train.py --init Models/maze-20x20 --data train.csv [--data more.csv] \
      --val val.csv --out folder --seconds 480 [--batch 256] [--lr 4e-4] [--dtype bf16] [--schedule-seconds 3000]
  python3 scripts/torch-train.py --resume folder/state.safetensors --data train.csv --val val.csv --out next --seconds 480
  python3 scripts/torch-train.py --pack folder/final.safetensors --config folder/config.json --out model
  python3 scripts/torch-train.py --check-labels maze.csv       # which tie-break rules its labels follow
  python3 scripts/torch-train.py --check-versions sudoku.csv   # augmented versions stay valid pairs?
  python3 scripts/torch-train.py --init FOLDER --eval puzzles.csv [--max-steps N] [--predictions F]

Needs torch and numpy (nothing else). Runs on CPU too (slowly; `trm train` is faster there):
TorchScriptTests in the Swift package compare its evaluation with `trm eval`, and check that a
snapshot it writes packs into a folder `trm` verifies and loads, where torch is installed.
"""
import argparse, csv, gzip, io, json, math, os, signal, struct, time

import numpy as np
import torch
import torch.nn.functional as F

MAZE_TOKENS = {"#": 1, " ": 2, "S": 3, "G": 4, "o": 5}
WALL, OPEN, START, GOAL, PATH = 1, 2, 3, 4, 5
SUDOKU_TOKENS = {".": 1, "0": 1, **{str(d): d + 1 for d in range(1, 10)}}
SUDOKU_CHARS = set(SUDOKU_TOKENS)


# ---------------------------------------------------------------- files

def read_bytes(path, what="it"):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise SystemExit(f"{path}: cannot read {what} ({e.strerror})")


def read_safetensors(path):
    return parse_safetensors(read_bytes(path), path)


def parse_safetensors(raw, path):
    try:
        (n,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8:8 + n])
    except (struct.error, ValueError) as e:
        raise SystemExit(f"{path}: not a readable safetensors file ({e})")
    if not isinstance(header, dict):
        raise SystemExit(f"{path}: not a readable safetensors file (its header is not a JSON object)")
    meta = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        try:
            if info["dtype"] != "F32":
                raise SystemExit(f"{path}: tensor '{name}' is {info['dtype']}; only F32 is read")
            a, b = info["data_offsets"]
            if 8 + n + b > len(raw):
                raise SystemExit(f"{path}: tensor '{name}' runs past the end of the file (truncated)")
            arr = np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<f4").reshape(info["shape"])
        except (KeyError, TypeError, ValueError) as e:
            raise SystemExit(f"{path}: tensor '{name}' has a malformed header entry ({type(e).__name__}: {e})")
        out[name] = torch.from_numpy(arr.copy())
    return out, meta


def verify_tensors_checksum(raw, meta, path, what):
    """Exits when the `tensors_checksum` metadata entry (fnv1a64w of the tensor data, written by
    safetensors_bytes(with_checksum=...)) does not match the bytes read."""
    (n,) = struct.unpack("<Q", raw[:8])
    if fnv1a64w(raw[8 + n:]) != meta.get("tensors_checksum"):
        raise SystemExit(f"{path}: checksum mismatch; the {what} is damaged (copy it again)")


def safetensors_bytes(tensors, meta, with_checksum=None):
    """The file's bytes; with_checksum names a metadata entry to hold fnv1a64w of the tensor data."""
    header, blobs, offset = {"__metadata__": meta}, [], 0
    for name in sorted(tensors):
        data = tensors[name].detach().to("cpu", torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    body = b"".join(blobs)
    if with_checksum:
        header["__metadata__"] = dict(meta, **{with_checksum: fnv1a64w(body)})
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + body


def fnv1a64w(data):
    """swift-trm's manifest checksum: FNV-1a over 64-bit little-endian words, then tail bytes, then the length."""
    prime, mask = 0x100000001B3, (1 << 64) - 1
    h = 0xCBF29CE484222325
    words = len(data) // 8
    for w in np.frombuffer(data[:words * 8], dtype="<u8").tolist():
        h = ((h ^ w) * prime) & mask
    for byte in data[words * 8:]:
        h = ((h ^ byte) * prime) & mask
    h = ((h ^ len(data)) * prime) & mask
    return f"fnv1a64w:{h:016x}"


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_model_folder(folder, config, tensors, meta):
    os.makedirs(folder, exist_ok=True)
    files = {"config.json": json.dumps(config, indent=2, sort_keys=True).encode(),
             "model.safetensors": safetensors_bytes(tensors, {k: v for k, v in meta.items() if k != "source"})}
    for name, data in files.items():
        write_atomic(os.path.join(folder, name), data)
    manifest = {"files": {n: {"bytes": len(d), "checksum": fnv1a64w(d)} for n, d in files.items()},
                "format": "trm-model", "source": meta.get("source", "scripts/torch-train.py"), "version": 1}
    write_atomic(os.path.join(folder, "manifest.json"), json.dumps(manifest, indent=2, sort_keys=True).encode())


# A training state: what a later run (on the next GPU lease) needs to go on as one run: the raw
# weights, EMA, Adam's moments, the step and how much of the learning-rate schedule is spent. Not the
# per-row carry (rows start fresh after a resume) nor the random streams (a resumed run draws from
# --seed + its first step, so a lease does not replay the last one's samples), so a resumed run is the
# same schedule and optimizer, not bit-identical to an unbroken one.
STATE_FORMAT = "torch-train-state"


def state_bytes(model, ema, m, v, meta):
    tensors = {"w." + k: t for k, t in model.w.items()}
    tensors.update({"m." + k: t for k, t in m.items()})
    tensors.update({"v." + k: t for k, t in v.items()})
    if ema:
        tensors.update({"ema." + k: t for k, t in ema.items()})
    return safetensors_bytes(tensors, dict(meta, format=STATE_FORMAT), with_checksum="tensors_checksum")


def read_state(path):
    """A state file -> (metadata with config, model weights, ema or None, m, v); exits on damage."""
    raw = read_bytes(path, "the training state")
    tensors, meta = parse_safetensors(raw, path)
    if meta.get("format") != STATE_FORMAT:
        raise SystemExit(f"{path}: not a torch-train.py training state (format {meta.get('format')!r}); "
                         "--resume takes the state.safetensors a run wrote, --init a model folder")
    verify_tensors_checksum(raw, meta, path, "training state")
    try:
        meta["config"] = json.loads(meta["config"])
        for key in ("step", "schedule_spent", "schedule_total"):
            meta[key] = float(meta[key])
    except (KeyError, ValueError) as e:
        raise SystemExit(f"{path}: training state without a readable {e} entry")
    part = lambda prefix: {k[len(prefix):]: t for k, t in tensors.items() if k.startswith(prefix)}
    return meta, part("w."), part("ema.") or None, part("m."), part("v.")


def read_puzzles(path, limit=None):
    """A puzzle CSV (header with question and answer; .csv or .csv.gz) -> (kind, questions, answers, side,
    ratings): kind "maze" (`#` wall, ` ` open, `S`, `G`, `o` path) or "sudoku" (81 cells, `.` or `0`
    blank, digits 1-9), told from the first row; questions and answers uint8 [N, side*side] tokens in
    swift-trm's vocabularies; ratings: the `rating` column as ints (Sudoku-Extreme's backtracks), or None."""
    try:
        return _read_puzzles(path, limit)
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as e:
        raise SystemExit(f"{path}: cannot read it as a puzzle CSV ({e})")


def _read_puzzles(path, limit):
    qs, ans, ratings = [], [], []
    opener = (lambda: io.TextIOWrapper(gzip.open(path), newline="")) if path.endswith(".gz") else (lambda: open(path, newline=""))
    with opener() as f:
        rows = csv.reader(f)
        head = next(rows, None)
        if not head or "question" not in head or "answer" not in head:
            raise SystemExit(f"{path}: expected a CSV header with question and answer columns, got {head}")
        qi, ai = head.index("question"), head.index("answer")
        ri = head.index("rating") if "rating" in head else None
        try:
            kind = _read_rows(path, limit, rows, head, qi, ai, ri, qs, ans, ratings)
        except csv.Error as e:
            raise SystemExit(f"{path}:{rows.line_num}: not a well-formed CSV row ({e})")
    if not qs:
        raise SystemExit(f"{path}: no puzzles")
    sides = {int(round(math.sqrt(len(q)))) for q in qs}
    if len(sides) != 1:
        raise SystemExit(f"{path}: grids of several sides {sorted(sides)}")
    return (kind, torch.tensor(qs, dtype=torch.uint8), torch.tensor(ans, dtype=torch.uint8), sides.pop(),
            ratings if ri is not None else None)


def _read_rows(path, limit, rows, head, qi, ai, ri, qs, ans, ratings):
    """The rows of a puzzle CSV after its header, appended to qs, ans and ratings as token lists; -> the
    kind, told from the first row."""
    kind = None
    for line, row in enumerate(rows, start=2):
        if limit is not None and len(qs) >= limit:
            break
        if len(row) != len(head):
            raise SystemExit(f"{path}:{line}: {len(row)} fields, the header has {len(head)}")
        q, a = row[qi], row[ai]
        if kind is None:
            kind = "sudoku" if len(q) == 81 and set(q) <= SUDOKU_CHARS else "maze"
        if kind == "sudoku":
            if len(q) != 81 or len(a) != 81:
                raise SystemExit(f"{path}:{line}: a Sudoku has 81 cells; question {len(q)}, answer {len(a)}")
            try:
                qs.append([SUDOKU_TOKENS[ch] for ch in q]); ans.append([SUDOKU_TOKENS[ch] for ch in a])
            except KeyError as e:
                raise SystemExit(f"{path}:{line}: unknown Sudoku character {e}")
            if min(ans[-1]) < 2:
                raise SystemExit(f"{path}:{line}: the answer has blank cells")
        else:
            side = int(round(math.sqrt(len(q))))
            if side * side != len(q) or len(a) != len(q):
                raise SystemExit(f"{path}:{line}: a maze of {len(q)} cells (answer {len(a)}) is not a square grid")
            try:
                qs.append([MAZE_TOKENS[ch] for ch in q]); ans.append([MAZE_TOKENS[ch] for ch in a])
            except KeyError as e:
                raise SystemExit(f"{path}:{line}: unknown maze character {e}")
            if q.count("S") != 1 or q.count("G") != 1:
                raise SystemExit(f"{path}:{line}: a maze needs one S and one G; the question has "
                                 f"{q.count('S')} S and {q.count('G')} G")
        if ri is not None:
            try:
                ratings.append(int(row[ri]))
            except ValueError:
                raise SystemExit(f"{path}:{line}: rating '{row[ri]}' is not an integer")
    return kind


VOCAB = {"maze": 6, "sudoku": 11}


def check_kind(config, kind, path):
    """A model folder reads one kind of puzzle: its vocabulary says which."""
    vocab = config["model"]["vocabSize"]
    if vocab != VOCAB[kind]:
        other = [k for k, v in VOCAB.items() if v == vocab]
        raise SystemExit(f"{path} holds {kind} puzzles (vocabulary {VOCAB[kind]}); the model reads "
                         f"{other[0] if other else 'another kind of'} puzzles (vocabulary {vocab})")


# ---------------------------------------------------------------- Sudoku augmentation

@torch.no_grad()
def sudoku_versions(q, a, gen):
    """A random validity-preserving version of each Sudoku (q, a: [B, 81] tokens, same transform for
    both): digits relabelled, bands and the rows in each band permuted, stacks and the columns in each
    stack permuted, transposed with probability 1/2 (what `trm train` does to Sudoku samples)."""
    b, dev = q.shape[0], q.device

    def perm(*shape):
        return torch.rand(*shape, device=dev, generator=gen).argsort(-1)

    rows = (perm(b, 3)[:, :, None] * 3 + perm(b, 3, 3)).reshape(b, 9)   # output row r reads row rows[r]
    cols = (perm(b, 3)[:, :, None] * 3 + perm(b, 3, 3)).reshape(b, 9)
    src = rows[:, :, None] * 9 + cols[:, None, :]                          # [B, 9, 9]
    flip = torch.rand(b, device=dev, generator=gen) < 0.5
    src = torch.where(flip[:, None, None], src.transpose(1, 2), src).reshape(b, 81)
    digit = torch.cat([torch.arange(2, device=dev).expand(b, 2), perm(b, 9) + 2], dim=1)  # token map [B, 11]
    q2 = digit.gather(1, q.long().gather(1, src)).to(torch.uint8)
    a2 = digit.gather(1, a.long().gather(1, src)).to(torch.uint8)
    return q2, a2


@torch.no_grad()
def check_versions(q, a, gen, rounds=8):
    """Draws `rounds` versions of every Sudoku; -> counts of versions whose answer is a valid grid
    and keeps every clue of its question, of versions unlike their original, and all versions."""
    valid = changed = 0
    for _ in range(rounds):
        q2, a2 = sudoku_versions(q, a, gen)
        g = a2.long().view(-1, 9, 9) - 1
        boxes = g.view(-1, 3, 3, 3, 3).permute(0, 1, 3, 2, 4).reshape(-1, 9, 9)
        ok = torch.ones(q.shape[0], dtype=torch.bool)
        for t in (g, g.transpose(1, 2), boxes):
            ok &= (t.sort(-1).values == torch.arange(1, 10)).all(-1).all(-1)
        ok &= ((q2 == 1) | (q2 == a2)).all(-1) & ((q2 == 1).sum(-1) == (q == 1).sum(-1))
        valid += int(ok.sum())
        changed += int((q2 != q).any(-1).sum())
    return valid, changed, rounds * q.shape[0]


# ---------------------------------------------------------------- maze labels

def dihedral(grids, k):
    """grids [N, s, s] -> version k of 8 (rotations by 90 k%4 degrees, mirrored when k >= 4)."""
    g = torch.rot90(grids, k % 4, dims=(1, 2))
    return torch.flip(g, dims=(2,)) if k >= 4 else g


# A maze with several shortest paths has several right answers; a data set's labels pick one by a
# tie-break rule: walk from one end to the other, each step to the first neighbour one step closer,
# trying the four directions in a fixed order. A rule is (from_start, order): walk from S (True) or
# back from G (False); order, the letters U, D, L, R. Maze-Hard's labels follow (True, "DLRU"),
# `trm data generate maze`'s (False, "UDLR"). The rule is tied to the maze's orientation, so every
# rotated or mirrored training copy is relabelled by the data's own rule (as `trm train` does).
MAZE_HARD_RULE, GENERATOR_RULE = (True, "DLRU"), (False, "UDLR")
RULES = [MAZE_HARD_RULE, GENERATOR_RULE] + [
    (end, "".join(o)) for end in (True, False) for o in __import__("itertools").permutations("UDLR")
    if (end, "".join(o)) not in (MAZE_HARD_RULE, GENERATOR_RULE)]
DIRECTION_NAMES = {"U": "up", "D": "down", "L": "left", "R": "right"}


def rule_name(rule):
    return ("from S: " if rule[0] else "back from G: ") + ", ".join(DIRECTION_NAMES[c] for c in rule[1])


def parse_rule(text):
    """--label-rule: auto (None), maze-hard, generator, or S:ORDER / G:ORDER (ORDER: U, D, L, R once each)."""
    named = {"maze-hard": MAZE_HARD_RULE, "generator": GENERATOR_RULE, "auto": None}
    if text in named:
        return named[text]
    end, _, order = text.upper().partition(":")
    if end not in ("S", "G") or sorted(order) != sorted("UDLR"):
        raise SystemExit(f"--label-rule '{text}': expected auto, maze-hard, generator, or S:ORDER / G:ORDER "
                         "with ORDER the letters U, D, L, R once each (S: walk from S; G: back from G)")
    return (end == "S", order)


def _padded(questions, side):
    n, p = questions.shape[0], side + 2
    grid = torch.full((n, p, p), WALL, dtype=torch.long, device=questions.device)
    grid[:, 1:-1, 1:-1] = questions.view(n, side, side).long()
    return grid.view(n, -1), p


def _distances(flat, p, target):
    """Steps from every open cell to the cell holding token `target` (1 << 20: unreachable)."""
    n, big = flat.shape[0], 1 << 20
    openc = flat != WALL
    dist = torch.where(flat == target, 0, big)
    while True:
        d2 = dist.view(n, p, p)
        best = torch.full_like(d2, big)
        best[:, 1:, :] = torch.minimum(best[:, 1:, :], d2[:, :-1, :])
        best[:, :-1, :] = torch.minimum(best[:, :-1, :], d2[:, 1:, :])
        best[:, :, 1:] = torch.minimum(best[:, :, 1:], d2[:, :, :-1])
        best[:, :, :-1] = torch.minimum(best[:, :, :-1], d2[:, :, 1:])
        new = torch.where(openc, torch.minimum(dist, best.view(n, -1) + 1), big)
        if torch.equal(new, dist):
            return dist
        dist = new


def _walk(flat, p, side, dist, origin, orders):
    """The path from the cell holding `origin` down `dist`, marked PATH; neighbours tried in `orders`: one
    order for all rows, or a list of one order per row."""
    n, big = flat.shape[0], 1 << 20
    step = {"U": -p, "D": p, "L": -1, "R": 1}
    orders = [orders] * n if isinstance(orders, str) else orders
    moves = torch.tensor([[step[c] for c in o] for o in orders], device=flat.device)
    rows = torch.arange(n, device=flat.device)
    cur = (flat == origin).float().argmax(dim=1)
    reachable = dist.gather(1, cur[:, None])[:, 0] < big
    marks = torch.zeros_like(flat, dtype=torch.bool)
    remaining = int(dist.gather(1, cur[:, None]).clamp(max=p * p).max())
    for _ in range(remaining):
        d = dist[rows, cur]
        nxt = cur.clone()
        found = torch.zeros(n, dtype=torch.bool, device=flat.device)
        for j in range(4):
            cand = cur + moves[:, j]
            ok = ~found & (dist[rows, cand] == d - 1) & (d > 0) & reachable
            nxt = torch.where(ok, cand, nxt)
            found |= ok
        cur = nxt
        marks[rows, cur] |= found & (flat[rows, cur] == OPEN)
    ans = torch.where(marks, PATH, flat).view(n, p, p)[:, 1:-1, 1:-1].reshape(n, side * side)
    return ans.to(torch.uint8), reachable


@torch.no_grad()
def relabel(questions, side, rule):
    """Answers for questions [N, side*side] by a tie-break rule. -> uint8
    [N, side*side]; rows without a path come back unmarked and False in the second result."""
    flat, p = _padded(questions, side)
    from_start, order = rule
    dist = _distances(flat, p, GOAL if from_start else START)
    return _walk(flat, p, side, dist, START if from_start else GOAL, order)


@torch.no_grad()
def label_rules(questions, answers, side, chunk=1024):
    """The rules (of RULES, in its order) that reproduce every label of these mazes; all 48 when no maze
    has several shortest paths, none when the labels follow no such rule. `chunk` mazes at a time."""
    fits = list(RULES)
    for s in range(0, questions.shape[0], chunk):
        part = _label_rules(questions[s:s + chunk], answers[s:s + chunk], side)
        fits = [r for r in fits if r in part]
    return fits


def _label_rules(questions, answers, side):
    flat, p = _padded(questions, side)
    answers = answers.to(questions.device)
    n, fits = flat.shape[0], []
    for end in (True, False):
        dist = _distances(flat, p, GOAL if end else START)
        rules = [r for r in RULES if r[0] == end]
        for i in range(0, len(rules), 8):  # 8 rules walked at once: one batch of 8 n rows
            part = rules[i:i + 8]
            got, _ = _walk(flat.repeat(len(part), 1), p, side, dist.repeat(len(part), 1), START if end else GOAL,
                           [r[1] for r in part for _ in range(n)])
            same = (got == answers.repeat(len(part), 1)).all(-1).view(len(part), n).all(-1)
            fits += [r for r, ok in zip(part, same.tolist()) if ok]
    return [r for r in RULES if r in fits]


def data_rule(files, device, rows=256):
    """The rule the maze labels of all training files follow (each file judged on its first `rows`; of
    several that fit, the first of RULES), as `trm train` finds it; exits naming the file when a file
    follows none or the files follow different ones."""
    common, seen = list(RULES), []
    for path, q, a, side in files:
        fits = label_rules(q[:rows].to(device), a[:rows], side)
        if not fits:
            raise SystemExit(f"{path}: its maze labels follow none of the {len(RULES)} tie-break rules (walk from S or "
                             "back from G, trying the four directions in a fixed order), so rotated copies cannot be "
                             "relabelled like them: give --label-rule, or --no-augment to train on the rows as they are")
        both = [r for r in common if r in fits]
        if not both:
            raise SystemExit(f"{path}: its maze labels follow '{rule_name(fits[0])}', those of {', '.join(seen)} "
                             f"'{rule_name(common[0])}'; give --label-rule to relabel all by one rule")
        common = both
        if len(fits) < len(RULES):
            seen.append(path)
    return common[0]


# ---------------------------------------------------------------- model

class TRM:
    """The swift-trm TRM (post-norm blocks, attention or MLP token mixer, no biases but the Q head's)."""

    def __init__(self, config, weights, device, dtype):
        c = config["model"]
        if c["family"] != "trm" or c["mixer"] not in ("attention", "mlp"):
            raise SystemExit(f"torch-train.py trains TRM models (attention or mlp mixer); this is {c['family']}, {c['mixer']}")
        if c.get("gradientMode", "full_last_cycle") != "full_last_cycle":
            raise SystemExit("torch-train.py supports gradientMode full_last_cycle only")
        self.c, self.device, self.dtype = c, device, dtype
        self.d, self.heads, self.layers = c["hidden"], c["heads"], c["layers"]
        self.mixer = c["mixer"]
        self.mixer_norm_dim = 1 if c.get("mixerNormAxis", "sequence") == "sequence" else -1
        self.prefix = c["puzzleEmbeddingLength"]
        self.eps = c["normEpsilon"]
        self.w = {k: v.to(device) for k, v in weights.items()}
        self.dense = [k for k in self.w if k not in ("inner.H_init", "inner.L_init", "inner.puzzle_emb.weights")]
        for k in self.dense:
            self.w[k].requires_grad_(True)
        self.rope = None
        self.seq_len = None

    def set_side(self, side):
        """RoPE tables for side x side grids (rope2d) or for the sequence length (rope)."""
        c, hd = self.c, self.d // self.heads
        length = self.prefix + side * side
        self.seq_len = side * side
        if self.mixer == "mlp":
            if length != self.w["inner.L_level.layers.0.mlp_t.down_proj.weight"].shape[0]:
                raise SystemExit(f"this MLP-mixer model mixes {self.w['inner.L_level.layers.0.mlp_t.down_proj.weight'].shape[0]} "
                                 f"positions; {side}x{side} grids need {length}")
            return  # the MLP mixer has no position encoding
        theta = float(c.get("ropeTheta", 10000))
        pe = c["positionEncoding"]
        if pe == "rope2d":
            quarter = hd // 4
            inv = 1.0 / theta ** (torch.arange(quarter, dtype=torch.float32) * 4 / hd)
            pos = torch.arange(length) - self.prefix
            row = torch.where(pos >= 0, pos // side + 1, 0).float()
            col = torch.where(pos >= 0, pos % side + 1, 0).float()
            ang = torch.cat([row[:, None] * inv[None], col[:, None] * inv[None]], dim=1)
        elif pe == "rope":
            inv = 1.0 / theta ** (torch.arange(hd // 2, dtype=torch.float32) * 2 / hd)
            ang = torch.arange(length).float()[:, None] * inv[None]
        else:
            raise SystemExit(f"positionEncoding {pe} is not supported by torch-train.py")
        ang = torch.cat([ang, ang], dim=1)  # pair i turns dims i and i + hd/2
        self.rope = (ang.cos().to(self.device), ang.sin().to(self.device))

    def lin(self, x, name):
        return x @ self.w[name].to(self.dtype).t()

    def norm(self, x, dim=-1):
        x32 = x.float()
        return (x32 * torch.rsqrt(x32.pow(2).mean(dim, keepdim=True) + self.eps)).to(self.dtype)

    def block(self, i, h):
        b, l, d = h.shape
        hd = d // self.heads
        pre = f"inner.L_level.layers.{i}."
        if self.mixer == "mlp":
            # SwiGLU across the sequence: [B, D, L] -> [B, D, 2I] -> [B, D, I] -> [B, D, L], back to [B, L, D].
            gate, up = self.lin(h.transpose(1, 2), pre + "mlp_t.gate_up_proj.weight").chunk(2, dim=-1)
            t = self.lin(F.silu(gate) * up, pre + "mlp_t.down_proj.weight").transpose(1, 2)
            h = self.norm(h + t, self.mixer_norm_dim)
            gate, up = self.lin(h, pre + "mlp.gate_up_proj.weight").chunk(2, dim=-1)
            return self.norm(h + self.lin(F.silu(gate) * up, pre + "mlp.down_proj.weight"))
        qkv = self.lin(h, pre + "self_attn.qkv_proj.weight").view(b, l, 3, self.heads, hd)
        q, k, v = (qkv[:, :, j].transpose(1, 2) for j in range(3))  # [B, H, L, hd]
        cos, sin = (t.to(self.dtype) for t in self.rope)

        def turn(t):
            t1, t2 = t[..., :hd // 2], t[..., hd // 2:]
            return t * cos + torch.cat([-t2, t1], dim=-1) * sin

        a = F.scaled_dot_product_attention(turn(q), turn(k), v)
        a = self.lin(a.transpose(1, 2).reshape(b, l, d), pre + "self_attn.o_proj.weight")
        h = self.norm(h + a)
        gate, up = self.lin(h, pre + "mlp.gate_up_proj.weight").chunk(2, dim=-1)
        m = self.lin(F.silu(gate) * up, pre + "mlp.down_proj.weight")
        return self.norm(h + m)

    def net(self, h, inj):
        x = (h + inj).to(self.dtype)
        for i in range(self.layers):
            x = self.block(i, x)
        return x

    def embed(self, tokens, rows):
        b = tokens.shape[0]
        tok = self.w["inner.embed_tokens.embedding_weight"].to(self.dtype)[tokens.long()]
        pad = self.prefix * self.d - rows.shape[1]
        r = torch.cat([rows, rows.new_zeros(b, pad)], dim=1) if pad > 0 else rows
        x = torch.cat([r.to(self.dtype).view(b, self.prefix, self.d), tok], dim=1)
        return x * math.sqrt(self.d)

    def recurse(self, y, z, x):
        c = self.c
        with torch.no_grad():
            for _ in range(c["hCycles"] - 1):
                yx = y + x
                for _ in range(c["lCycles"]):
                    z = self.net(z, yx)
                y = self.net(y, z)
        yx = y + x
        for _ in range(c["lCycles"]):
            z = self.net(z, yx)
        y = self.net(y, z)
        logits = self.lin(y[:, self.prefix:], "inner.lm_head.weight").float()
        q = (y[:, 0].float() @ self.w["inner.q_head.weight"].t() + self.w["inner.q_head.bias"])
        return y, z, logits, q[:, 0]

    def fresh(self, n):
        length = self.prefix + self.seq_len
        y = self.w["inner.H_init"].to(self.dtype).expand(n, length, self.d).clone()
        z = self.w["inner.L_init"].to(self.dtype).expand(n, length, self.d).clone()
        return y, z

    def puzzle_rows(self, n, trainable):
        rows = self.w["inner.puzzle_emb.weights"][torch.zeros(n, dtype=torch.long, device=self.device)].clone()
        return rows.requires_grad_(trainable)


DTYPES = {"bf16": torch.bfloat16, "fp32": torch.float32}


def verify_folder(folder):
    """Checks the files a model folder's manifest.json lists (sizes and checksums, as `trm` does);
    a folder without a manifest is read as it is, with a warning (`trm` reports it "not verified")."""
    path = os.path.join(folder, "manifest.json")
    if not os.path.exists(path):
        print(f"warning: {folder} has no manifest.json; its files are not verified", flush=True)
        return
    try:
        files = json.load(open(path))["files"]
    except (ValueError, KeyError, TypeError) as e:
        raise SystemExit(f"{path}: not a swift-trm manifest ({e})")
    for name, entry in files.items():
        try:
            data = open(os.path.join(folder, name), "rb").read()
        except OSError as e:
            raise SystemExit(f"{folder}: {name} is listed in manifest.json but cannot be read ({e.strerror})")
        if len(data) != entry.get("bytes") or fnv1a64w(data) != entry.get("checksum"):
            raise SystemExit(f"{os.path.join(folder, name)}: {'truncated or extended' if len(data) != entry.get('bytes') else 'checksum mismatch'}"
                             f" against manifest.json; the file is damaged: restore it (git checkout, or copy it again)")


def load_model(folder, device, dtype):
    """A swift-trm model folder, verified -> (its config.json, TRM on `device` computing in `dtype` ("bf16" or "fp32"))."""
    verify_folder(folder)
    try:
        config = json.load(open(os.path.join(folder, "config.json")))
    except (OSError, ValueError) as e:
        raise SystemExit(f"{os.path.join(folder, 'config.json')}: cannot read the model's configuration ({e})")
    weights, _ = read_safetensors(os.path.join(folder, "model.safetensors"))
    return config, TRM(config, weights, device, DTYPES[dtype])


@torch.no_grad()
def evaluate(model, questions, answers, batch, steps=None):
    """-> (exact after all steps, exact at the first step whose q_halt > 0, mean halting steps, predictions)."""
    steps = steps or model.c["haltMaxSteps"]
    exact, halt_exact, halt_steps, preds = 0, 0, 0.0, []
    for s in range(0, questions.shape[0], batch):
        q = questions[s:s + batch].to(model.device)
        a = answers[s:s + batch].to(model.device).long()
        n = q.shape[0]
        y, z = model.fresh(n)
        x = model.embed(q, model.puzzle_rows(n, False))
        halted = torch.zeros(n, dtype=torch.bool, device=model.device)
        hpred = torch.zeros_like(a)
        hsteps = torch.full((n,), steps, device=model.device)
        for t in range(steps):
            y, z, logits, qh = model.recurse(y, z, x)
            p = logits.argmax(-1)
            now = ~halted & ((qh > 0) | (t == steps - 1))
            hpred[now] = p[now]
            hsteps[now] = t + 1
            halted |= now
        exact += int((p == a).all(-1).sum())
        halt_exact += int((hpred == a).all(-1).sum())
        halt_steps += float(hsteps.float().sum())
        preds.append(p.cpu())
    n = questions.shape[0]
    return exact / n, halt_exact / n, halt_steps / n, torch.cat(preds)


def by_rating(preds, answers, ratings):
    """Exact accuracy after all steps by rating bucket (0, 1, 2-3, 4-7, ...; and "1+"): {bucket: [solved, n]}."""
    right = (preds == answers.long()).all(-1).tolist()
    out = {}
    for ok, r in zip(right, ratings):
        keys = ["0"] if r <= 0 else [f"{1 << (r.bit_length() - 1)}-{(1 << r.bit_length()) - 1}" if r > 1 else "1", "1+"]
        for k in keys:
            out.setdefault(k, [0, 0])
            out[k][0] += int(ok); out[k][1] += 1
    return out


# ---------------------------------------------------------------- training

def stablemax_ce(logits, labels):
    """Per-cell cross entropy with s(x) = x + 1 (x >= 0), 1 / (1 - x + 1e-30) (x < 0), in float64."""
    x = logits.double()
    s = torch.where(x >= 0, x + 1, 1 / (1 - x + 1e-30))
    logp = torch.log(s / s.sum(-1, keepdim=True))
    return -logp.gather(-1, labels[..., None].long())[..., 0]


def train(args):
    # SIGTERM or SIGINT (a lease running out: scripts/gpu-session.sh) ends the run after the step under
    # way, or before the first when it comes while the data is read: final snapshot and state as usual,
    # without a final evaluation.
    # (Unblocked too: a parent may start it with them blocked, as a Swift test's Process does.)
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda number, frame: stop.append(signal.Signals(number).name))
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    device = torch.device(args.device)
    torch.manual_seed(args.seed)
    if args.resume:
        state, weights, ema_state, m_state, v_state = read_state(args.resume)
        config = state["config"]
        model = TRM(config, weights, device, DTYPES[args.dtype])
    else:
        state = None
        config, model = load_model(args.init, device, args.dtype)
    dtype = model.dtype
    t = config["training"]
    c = config["model"]

    # Data. Mazes: every maze in its 8 versions, each relabelled by one rule. Sudoku: the puzzles as
    # they are, each sample drawn as a new random version (sudoku_versions) when it enters the batch.
    files = [read_puzzles(path) for path in args.data]
    kinds, sides = {f[0] for f in files}, {f[3] for f in files}
    if len(kinds) != 1 or len(sides) != 1:
        raise SystemExit(f"training files of several kinds or sides: {sorted(kinds)}, {sorted(sides)}")
    kind, side = kinds.pop(), sides.pop()
    check_kind(config, kind, args.data[0])
    started = time.time()
    rule = None
    if kind == "maze":
        base = torch.cat([f[1] for f in files]).to(device)
        if not args.augment and args.label_rule == "auto":
            # The rows as they are: no turned copies, so nothing to relabel.
            train_q, train_a = base, torch.cat([f[2] for f in files]).to(device)
            print(f"data: {base.shape[0]} mazes of {side}x{side}, labels as they are (not augmented)", flush=True)
        else:
            rule = parse_rule(args.label_rule) or data_rule(
                [(path, f[1], f[2], side) for path, f in zip(args.data, files)], device)
            versions_q, versions_a = [], []
            for k in range(8 if args.augment else 1):
                vq = dihedral(base.view(-1, side, side), k).reshape(-1, side * side).contiguous()
                for s in range(0, vq.shape[0], 16384):
                    chunk = vq[s:s + 16384]
                    va, ok = relabel(chunk, side, rule)
                    if not bool(ok.all()):
                        # A turned copy has a path exactly when its maze has: name the maze's file and line.
                        path, line = file_line(args.data, files, s + int((~ok).nonzero()[0, 0]))
                        raise SystemExit(f"{path}:{line}: the maze has no path from S to G "
                                         f"({int((~ok).sum())} such mazes among rows {s + 1}-{s + chunk.shape[0]} of the training set)")
                    versions_q.append(chunk); versions_a.append(va)
            train_q, train_a = torch.cat(versions_q), torch.cat(versions_a)
            how = "given" if args.label_rule != "auto" else "the data's"
            same = (train_a[:base.shape[0]] == torch.cat([f[2] for f in files]).to(device)).all(-1)
            print(f"data: {base.shape[0]} mazes x {8 if args.augment else 1} versions = {train_q.shape[0]} samples of "
                  f"{side}x{side}, labelled by the rule '{rule_name(rule)}' ({how}; "
                  f"{int(same.sum())} of {base.shape[0]} labels as in the files), relabelled in {time.time() - started:.1f} s", flush=True)
            if args.label_rule == "auto":
                # The rule was judged on each file's first rows: say where later rows follow another.
                at = 0
                for path, f in zip(args.data, files):
                    n = f[1].shape[0]
                    other = n - int(same[at:at + n].sum())
                    if other:
                        print(f"warning: {path}: {other} of {n} labels do not follow '{rule_name(rule)}' (the rule of "
                              f"its first rows); those rows were relabelled by it", flush=True)
                    at += n
    else:
        train_q = torch.cat([f[1] for f in files]).to(device)
        train_a = torch.cat([f[2] for f in files]).to(device)
        print(f"data: {train_q.shape[0]} Sudoku puzzles, {'a random version of each sample' if args.augment else 'not augmented'}",
              flush=True)
    val = read_puzzles(args.val, args.val_limit) if args.val else None
    if val and (val[0] != kind or val[3] != side):
        raise SystemExit(f"{args.val}: {val[0]} puzzles of side {val[3]}; training on {kind} of side {side}")
    if val and kind == "maze" and rule is not None:
        # Exact scores count a right path that breaks ties another way as wrong: say so before training.
        va, _ = relabel(val[1].to(device), side, rule)
        other = int((va.cpu() != val[2]).any(-1).sum())
        if other:
            print(f"warning: {args.val}: {other} of {val[1].shape[0]} validation labels do not follow the training "
                  f"rule '{rule_name(rule)}'; its exact scores count the model's paths there as wrong", flush=True)
    model.set_side(side)
    c["seqLen"] = side * side

    B = args.batch or (t["batchSize"] if state else 256)
    lr_max = args.lr if args.lr is not None else t["learningRate"]
    lr_min = lr_max * t.get("minLearningRateRatio", 1.0)
    warmup = t.get("warmupSteps", 0)
    b1, b2, wd = t["beta1"], t["beta2"], t["weightDecay"]
    pe_lr, pe_wd = t["puzzleEmbeddingLearningRate"], t["puzzleEmbeddingWeightDecay"]
    ema_rate = t.get("emaRate", 0.999) if t.get("ema", True) else None
    qw = t.get("qLossWeight", 0.5)
    max_steps = c["haltMaxSteps"]
    explore_p = c.get("haltExplorationProbability", 0.1)
    if t.get("loss", "stablemax") != "stablemax" or t.get("optimizer", "adam_atan2") != "adam_atan2":
        raise SystemExit("torch-train.py implements the stablemax loss and the adam_atan2 optimizer only")

    m = {k: torch.zeros_like(model.w[k]) for k in model.dense}
    v = {k: torch.zeros_like(model.w[k]) for k in model.dense}
    ema = {k: model.w[k].detach().clone() for k in model.dense} if ema_rate else None
    # The learning-rate schedule spans `total` seconds or steps, possibly over several runs (leases).
    if state:
        for name, saved in (("m", m_state), ("v", v_state)) + ((("ema", ema_state),) if ema else ()):
            if set(saved) != set(model.dense):
                raise SystemExit(f"{args.resume}: its {name} tensors do not match the model's weights")
        m = {k: m_state[k].to(device) for k in model.dense}
        v = {k: v_state[k].to(device) for k in model.dense}
        if ema:
            ema = {k: ema_state[k].to(device) for k in model.dense}
        step0, spent, total, unit = int(state["step"]), state["schedule_spent"], state["schedule_total"], state.get("schedule_unit")
        if unit != ("steps" if args.steps else "seconds"):
            raise SystemExit(f"{args.resume}: its schedule counts {unit}; give the budget of this run in the same unit "
                             f"({'--steps' if unit == 'steps' else '--seconds'})")
        print(f"resumed at step {step0}: {spent:g} of the schedule's {total:g} {unit} spent", flush=True)
        if spent >= total:
            print(f"warning: {args.resume}: its schedule is spent; this run trains at the last learning rate "
                  f"({lr_min:g}) throughout (start a new schedule with --init and --schedule-seconds)", flush=True)
    else:
        step0, spent = 0, 0.0
        unit = "steps" if args.steps else "seconds"
        total = float((args.schedule_steps or args.steps) if args.steps else (args.schedule_seconds or args.seconds))

    y, z = model.fresh(B)
    steps = torch.zeros(B, dtype=torch.long, device=device)
    halted = torch.ones(B, dtype=torch.bool, device=device)
    cur_q = torch.zeros(B, side * side, dtype=torch.uint8, device=device)
    cur_a = torch.zeros_like(cur_q)
    H, L = model.w["inner.H_init"].to(dtype), model.w["inner.L_init"].to(dtype)

    def ema_weights():
        w = {k: val.detach() for k, val in model.w.items()}
        if ema:
            w.update(ema)
        return w

    out_config = dict(config)
    out_config["model"] = c
    # The settings this run trained with (the rest of `training` is the init folder's, as used).
    def schedule_steps(step):
        """config.json's totalSteps: how many steps this run's schedule spans, as trm train's does. By
        steps, the planned length; by seconds, the steps reached at `step` (the final snapshot's: all)."""
        return int(total) if unit == "steps" else step

    out_config["training"] = dict(t, batchSize=B, learningRate=lr_max, seed=args.seed, totalSteps=schedule_steps(step0))
    origin = os.path.basename(os.path.normpath(args.init or state.get("origin", "state")))
    out_config["name"] = args.name or config.get("name", "model")
    os.makedirs(args.out, exist_ok=True)  # only once the data and the model are read: a refusal leaves no folder

    def write_config():
        write_atomic(os.path.join(args.out, "config.json"), json.dumps(out_config, indent=2, sort_keys=True).encode())

    write_config()
    where = torch.cuda.get_device_name() if device.type == "cuda" else "cpu"

    def snapshot(tag, step, evaluation):
        """<out>/<tag>.safetensors (EMA weights; metadata: step, seconds, evaluation). `--pack` makes a
        model folder of it with <out>/config.json. Few files on purpose: a GPU lease may return few."""
        # Rewritten when the schedule's length moves, so --pack never copies the init folder's.
        if out_config["training"]["totalSteps"] != schedule_steps(step):
            out_config["training"]["totalSteps"] = schedule_steps(step)
            write_config()
        meta = {"format": "trm", "step": str(step), "weights": "ema" if ema else "raw",
                "source": f"scripts/torch-train.py from {origin}, step {step} ({where}, {args.dtype})",
                "seconds": f"{time.time() - t0:.1f}", "evaluation": json.dumps(evaluation)}
        write_atomic(os.path.join(args.out, tag + ".safetensors"),
                     safetensors_bytes(ema_weights(), meta, with_checksum="tensors_checksum"))
        # The state to go on from (--resume), beside the snapshots; replaced at each snapshot.
        # Seconds of the schedule: wall clock since the start (evaluations included, as the schedule
        # counts them) up to the last step, not the final evaluation after it.
        done = (step - step0) if unit == "steps" else (ended if ended is not None else time.time() - t0)
        write_atomic(os.path.join(args.out, "state.safetensors"), state_bytes(model, ema, m, v, {
            "step": str(step), "schedule_unit": unit, "schedule_total": str(total), "schedule_spent": str(spent + done),
            "origin": origin, "config": json.dumps(out_config, sort_keys=True)}))

    def run_eval(step):
        if not val:
            return None
        saved = {k: model.w[k] for k in model.dense}
        if ema:
            for k in model.dense:
                model.w[k] = ema[k]
        ex, hex_, hs, preds = evaluate(model, val[1], val[2], args.eval_batch)
        for k in model.dense:
            model.w[k] = saved[k]
        r = {"step": step, "exact": ex, "halting_exact": hex_, "halting_steps": hs, "n": val[1].shape[0]}
        if val[4] is not None and kind == "sudoku":
            r["by_rating"] = by_rating(preds, val[2], val[4])
        print(json.dumps({"eval": r}), flush=True)
        return r

    # A resumed run draws from another stream than the run it goes on from (--seed + its first step).
    gen = torch.Generator(device=device)
    gen.manual_seed(args.seed + step0)
    t0 = time.time()
    step, next_eval, log = step0, args.eval_every, open(os.path.join(args.out, "metrics.jsonl"), "a")
    last_eval, ended = None, None
    while True:
        elapsed = time.time() - t0
        if stop or elapsed >= args.seconds or (args.steps and step - step0 >= args.steps):
            ended = elapsed
            break
        # The learning rate of update number `step` (from 0), as trm train's: a linear warm-up from 0, then
        # a cosine whose progress counts, in steps, from the end of the warm-up; in seconds, over the
        # whole budget (the warm-up's few steps are a sliver of it).
        if step < warmup:
            sched = step / warmup
        else:
            if unit == "steps":
                frac = min(1.0, max(0.0, spent + step - step0 - warmup) / max(1.0, total - warmup))
            else:
                frac = min(1.0, (spent + elapsed) / total)
            sched = (lr_min + (lr_max - lr_min) * 0.5 * (1 + math.cos(math.pi * frac))) / lr_max
        lr = lr_max * sched
        step += 1
        # Reset halted rows onto new samples.
        idx = torch.randint(0, train_q.shape[0], (B,), device=device, generator=gen)
        hm = halted[:, None, None]
        y = torch.where(hm, H, y); z = torch.where(hm, L, z)
        steps = torch.where(halted, 0, steps)
        new_q, new_a = train_q[idx], train_a[idx]
        if kind == "sudoku" and args.augment:
            new_q, new_a = sudoku_versions(new_q, new_a, gen)
        cur_q = torch.where(halted[:, None], new_q, cur_q)
        cur_a = torch.where(halted[:, None], new_a, cur_a)
        rows = model.puzzle_rows(B, True)
        x = model.embed(cur_q, rows)
        y, z, logits, qh = model.recurse(y, z, x)
        y, z = y.detach(), z.detach()
        labels = cur_a.long()
        pred = logits.argmax(-1)
        right = (pred == labels).all(-1)
        lm = stablemax_ce(logits, labels).mean(-1).sum()
        ql = F.binary_cross_entropy_with_logits(qh, right.float(), reduction="sum")
        loss = (lm + qw * ql) / B
        for k in model.dense:
            model.w[k].grad = None
        loss.backward()
        with torch.no_grad():
            steps = steps + 1
            halt = steps >= max_steps
            if max_steps > 1:
                halt = halt | (qh.detach() > 0)
                explore = torch.rand(B, device=device, generator=gen) < explore_p
                min_steps = torch.randint(2, max_steps + 1, (B,), device=device, generator=gen)
                halt = halt & ~(explore & (steps < min_steps))
            halted = halt
            bc1 = 1 - b1 ** step
            bc2 = math.sqrt(1 - b2 ** step)
            for k in model.dense:
                p, g = model.w[k], model.w[k].grad
                p.mul_(1 - lr * wd)
                m[k].lerp_(g, 1 - b1)
                v[k].lerp_(g * g, 1 - b2)
                p.sub_(lr / bc1 * torch.atan2(m[k], v[k].sqrt() / bc2))
                if ema:
                    ema[k].mul_(ema_rate).add_(p.detach(), alpha=1 - ema_rate)
            g = rows.grad.sum(0)
            pe = model.w["inner.puzzle_emb.weights"]
            pe[0] = pe[0] * (1 - pe_lr * sched * pe_wd) - pe_lr * sched * torch.sign(g)
        if step % args.log_every == 0 or step == 1:
            rec = {"step": step, "seconds": round(time.time() - t0, 2), "loss": loss.item(), "lm": lm.item() / B,
                   "exact_halted": float(right[halted].float().mean()) if bool(halted.any()) else None,
                   "halted": int(halted.sum()), "lr": lr}
            log.write(json.dumps(rec) + "\n"); log.flush()
            print(json.dumps(rec), flush=True)
            if not math.isfinite(rec["loss"]):
                raise SystemExit(f"training diverged at step {step}")
        if time.time() - t0 >= next_eval and not stop:
            if not math.isfinite(loss.item()):
                raise SystemExit(f"training diverged at step {step}; no snapshot written")
            next_eval += args.eval_every
            r = last_eval = run_eval(step)
            snapshot(f"step-{step:06d}", step, r)
    if stop:
        print(f"{stop[0]}: stopped after step {step}; writing the final snapshot without evaluating it", flush=True)
        r = last_eval if last_eval and last_eval["step"] == step else None
    else:
        r = last_eval if last_eval and last_eval["step"] == step else run_eval(step)
    snapshot("final", step, r)
    done = {"done": step, "seconds": round(time.time() - t0, 1), "samples": (step - step0) * B}
    if stop:
        done["stopped_by"] = stop[0]
    print(json.dumps(done), flush=True)


def file_line(paths, files, index):
    """The file and CSV line of training row `index` (rows of the files in order; one line per row after
    the header)."""
    for path, f in zip(paths, files):
        if index < f[1].shape[0]:
            return path, index + 2
        index -= f[1].shape[0]
    return paths[-1], "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--init", help="swift-trm model folder to start from")
    ap.add_argument("--data", action="append", default=[], help="training maze or Sudoku CSV, .csv or .csv.gz (repeatable)")
    ap.add_argument("--val", help="validation CSV of the same kind, evaluated with the EMA weights at each snapshot")
    ap.add_argument("--val-limit", type=int)
    ap.add_argument("--out", help="output folder: final/ and step-N/ model folders, metrics.jsonl")
    ap.add_argument("--name", help="model name written into config.json")
    ap.add_argument("--seconds", type=float, help="wall-clock training budget of this run (default 600; with --steps, "
                    "none unless given); the cosine schedule spans it, or --schedule-seconds")
    ap.add_argument("--steps", type=int, help="train this many steps instead (the schedule spans them, or --schedule-steps)")
    ap.add_argument("--schedule-seconds", type=float, help="a schedule longer than this run (several GPU leases): this "
                    "run trains --seconds of it and leaves state.safetensors for --resume")
    ap.add_argument("--schedule-steps", type=int, help="the same in steps, with --steps")
    ap.add_argument("--resume", help="a state.safetensors an earlier run wrote: go on with its weights, EMA, Adam "
                    "moments, step and schedule (instead of --init)")
    ap.add_argument("--batch", type=int, help="batch size (default 256; with --resume, the run's)")
    ap.add_argument("--eval-batch", type=int, default=256)
    ap.add_argument("--lr", type=float)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dtype", choices=["bf16", "fp32"], default="bf16")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--no-augment", dest="augment", action="store_false")
    ap.add_argument("--eval-every", type=float, default=120, help="seconds between snapshots")
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--check-labels", help="maze CSV: which tie-break rules reproduce its labels (with --label-rule: "
                    "how many labels that rule reproduces)")
    ap.add_argument("--label-rule", default="auto",
                    help="mazes: the tie-break rule every training copy is labelled by: auto (default: the rule the "
                    "training files' labels follow, as trm train finds it), maze-hard (S:DLRU), generator (G:UDLR), "
                    "or S:ORDER / G:ORDER (walk from S or back from G, trying U, D, L, R in ORDER)")
    ap.add_argument("--check-versions", help="Sudoku CSV: are 8 random training versions of each puzzle valid pairs?")
    ap.add_argument("--eval", help="maze or Sudoku CSV to evaluate --init on (exact after all steps; Sudoku: by rating too)")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--max-steps", type=int, help="with --eval: supervision steps (default: the model's haltMaxSteps)")
    ap.add_argument("--predictions", help="with --eval: write the predictions after the last step as JSON lines")
    ap.add_argument("--pack", help="a snapshot .safetensors: write it with --config as the model folder --out")
    ap.add_argument("--config", help="with --pack: the config.json the training run wrote")
    args = ap.parse_args()
    if args.seconds is None:
        args.seconds = math.inf if args.steps else 600.0
    if args.pack:
        if not args.config or not args.out:
            ap.error("--pack needs --config and --out")
        raw = read_bytes(args.pack)
        w, meta = parse_safetensors(raw, args.pack)
        if "tensors_checksum" in meta:
            verify_tensors_checksum(raw, meta, args.pack, "snapshot")
        else:
            print(f"note: {args.pack} carries no checksum (written before snapshots had one): packed as read")
        try:
            config = json.load(open(args.config))
        except (OSError, ValueError) as e:
            raise SystemExit(f"{args.config}: cannot read the run's configuration ({e})")
        keep = {k: v for k, v in meta.items() if k in ("format", "step", "weights", "source")}
        write_model_folder(args.out, config, w, keep)
        print(f"wrote model folder {args.out} ({meta.get('source', '')})")
        return
    if args.check_labels:
        kind, q, a, side, _ = read_puzzles(args.check_labels, args.limit)
        if kind != "maze":
            raise SystemExit(f"{args.check_labels}: --check-labels relabels mazes; this file holds {kind} puzzles")
        fits = label_rules(q.to(args.device), a, side)
        rule = parse_rule(args.label_rule) or (fits[0] if fits else MAZE_HARD_RULE)
        got, ok = relabel(q.to(args.device), side, rule)
        same = (got.cpu() == a).all(-1)
        print(json.dumps({"file": args.check_labels, "mazes": q.shape[0], "no_path": int((~ok).sum()),
                          "rules_that_fit": "all" if len(fits) == len(RULES) else [rule_name(r) for r in fits],
                          "rule": rule_name(rule), "labels_reproduced": int(same.sum())}))
        return
    if args.check_versions:
        kind, q, a, _, _ = read_puzzles(args.check_versions, args.limit)
        if kind != "sudoku":
            raise SystemExit(f"{args.check_versions}: --check-versions draws Sudoku versions; this file holds {kind} puzzles")
        gen = torch.Generator()
        gen.manual_seed(args.seed)
        valid, changed, n = check_versions(q, a, gen)
        print(json.dumps({"file": args.check_versions, "versions": n, "valid": valid, "changed": changed}))
        return
    if args.resume and (args.init or args.eval):
        ap.error("--resume goes on training from a state; --init (a model folder) starts or evaluates one")
    if args.resume and (args.schedule_seconds or args.schedule_steps):
        ap.error("--resume keeps the schedule the state carries; --schedule-seconds/--schedule-steps start one")
    if not args.init and not args.resume:
        ap.error("--init (or --resume) is required")
    if args.eval:
        config, model = load_model(args.init, torch.device(args.device), args.dtype)
        kind, q, a, side, ratings = read_puzzles(args.eval, args.limit)
        check_kind(config, kind, args.eval)
        model.set_side(side)
        ex, hex_, hs, preds = evaluate(model, q, a, args.eval_batch, args.max_steps)
        r = {"file": args.eval, "kind": kind, "puzzles": q.shape[0], "exact": ex, "halting_exact": hex_, "halting_steps": hs}
        if ratings is not None and kind == "sudoku":
            r["by_rating"] = by_rating(preds, a, ratings)
        print(json.dumps(r))
        if args.predictions:
            with open(args.predictions, "w") as f:
                for i, p in enumerate(preds.tolist()):
                    f.write(json.dumps({"index": i, "prediction": p}) + "\n")
        return
    if not args.data or not args.out:
        ap.error("training needs --data and --out")
    train(args)


if __name__ == "__main__":
    main()
