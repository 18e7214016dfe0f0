// The web page served at `/`: one self-contained HTML file (no external assets), the demo of the
// models. Edit a Sudoku on its grid (click a cell, type a digit; arrows move), draw a maze (pick a
// brush: wall, open, start, goal; click or drag over cells), or pick an example; set the step budget
// (up to 256: test-time depth beyond the training limit) and watch the model refine its answer: the
// page asks /v1/solve with return_steps and animates the steps, highlighting changed cells, with the
// halting confidence and the validator's verdict. The grid editor and the text box stay in sync.
//
// Query parameters (used by the browser test): kind, puzzle (maze rows separated by '\n' or '|'),
// max_steps, tries, delay (ms between steps), autorun=1. When it finishes, <body data-state="done">.
// A tries value above 1 solves other versions of the puzzle while the verdict is not valid.
import Foundation
import TRMRuntime

enum WebPage {
    /// One entry of the page's Example list.
    struct Example: Codable, Sendable {
        let name: String
        let kind: String
        /// The Sudoku's cells (81 or 16: the editor's size); nil for mazes (their side is the rows').
        var cells: Int?
        /// The puzzle text as the text box takes it (maze rows separated by newlines).
        let puzzle: String
        /// From a test set that no bundled model trained on, and solved (a valid verdict, halting as
        /// the page does by default, within the model's own step limit) by the bundled model its kind
        /// and size go to. Such an example's name says "held-out"; `WebExampleTests` solves each.
        var heldOutSolved = false
    }

    /// The Example list, in order: the first of a kind is the one picked when Kind changes.
    static let examples: [Example] = [
        Example(name: "easy Sudoku (36 clues)", kind: "sudoku", cells: 81, puzzle: PuzzleParser.defaultSudoku),
        // Row 1,233 of Sudoku-Extreme-lite's test set ("forum hardest"): 22 clues, 36 backtracks
        // (row 1,293, the example before, is one session 27's model does not solve).
        Example(name: "hard Sudoku (22 clues, 36 backtracks; held-out)", kind: "sudoku", cells: 81,
                puzzle: "7...8.2.......9..4...1...6.23....8..8.1........6....1252..3........5.3.....4....9", heldOutSolved: true),
        Example(name: "4x4 Sudoku", kind: "sudoku", cells: 16, puzzle: PuzzleParser.defaultMiniSudoku),
        // Row 167 of the bundled 8x8 model's held-out test set (PuzzleParser.defaultMaze).
        Example(name: "8x8 maze (held-out; the bundled maze model's size)", kind: "maze",
                puzzle: PuzzleParser.defaultMaze, heldOutSolved: true),
        // Row 184 of Models/maze-10x10's held-out test set (m10-test.csv: generated apart, excluded):
        // a 28-cell path, valid after 3 steps (cells changed: 100, then 4, then 1).
        Example(name: "10x10 maze (held-out; Models/maze-10x10)", kind: "maze", puzzle: [
            " #       #", "  # # ## #", "##   #    ",
            "     #    ", "#G## ##   ", " ## # ## #",
            "#    #    ", " S##      ", "# #  # # #",
            "        # ",
        ].joined(separator: "\n"), heldOutSolved: true),
        // Row 403 of Models/maze-15x15's held-out test set (m15-test.csv: generated apart, excluded
        // from its training and validation data): a 32-step path; session 22's model marks a
        // shortest path (not the label's) and halts after 2 steps, in bf16 and fp32.
        Example(name: "15x15 maze (held-out; Models/maze-15x15)", kind: "maze", puzzle: [
            "# #   #  #     ", "#     ##  #    ", "  #   ### ##   ",
            "## #   #S#    #", "## ####     #  ", "# #    ##  ##  ",
            "      #  ##### ", "  # #   # ###  ", "   G #  #   # #",
            "#  ##  #      #", "  ##     ##   #", "  ##  #  ##    ",
            "  #### ###    #", " ##    ##     #", "  ### ### ###  ",
        ].joined(separator: "\n"), heldOutSolved: true),
        // A 30x30 maze made by `trm data generate maze` when the page was first written (not from
        // Maze-Hard's sets; a 110-cell shortest path); no bundled model solved it until
        // Models/maze-30x30 (session 25), which was not trained on it nor on any rotation or
        // reflection of it (`trm data overlap`) and marks the label's path, halting after 2 steps
        // (trm, fp32; scripts/torch-train.py --eval, bf16 and fp32, the same).
        Example(name: "hard maze (30x30; held-out; Models/maze-30x30)", kind: "maze", puzzle: [
            "  #  ##  # ###  #   ## #### ##", "#  # #      #  # ## #     ##  ", "  # # #  # # ##    ##   ##    ",
            "       #     #  #      ###  ##", " #    ## ### # #  # ## #     #", "#    ##    ###  ##     #    # ",
            "# ####    #  ## ### ## # #    ", "# ##   # #       ## ##  # # ##", "##    #    #  #  #  ##      # ",
            "# # ######  ### #### # # # # #", "##     #  # #      # # #  ## #", "    # #   #     ##  #     # ##",
            "#  # #### #    #   #    # #   ", "  ##  ##   # # #    ##      ##", "     #   ### ## # ## #   ###  ",
            "        #   ### ##### #  # ## ", "#     ## #            ##     #", "#  ####  # #  #  # #  #   ## #",
            "  ### #   S  ### #  ### #  # #", "    # #  # #  ###  # ##   ## #", " #     ##    #   # #         #",
            "#   # # #        ###      ##  ", "  # # ##     ## ## #      # # ", "### #  # # ##  # #  # ## # ###",
            "######      #  #      ##      ", "##  #  # # ## G# #  #    # # #", " # ###   ##   ##     # #    # ",
            "#     #    # #    ## ####  # #", "      ##   #    # ####    ####", "   # # # ##   ##  #       # # ",
        ].joined(separator: "\n"), heldOutSolved: true),
    ]

    /// ``examples`` as the script's EXAMPLE_LIST (JSON is a JavaScript literal; `/` is escaped, so no
    /// `</script>` can end the script early).
    static let examplesJSON: String = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(examples)) ?? Data("[]".utf8), as: UTF8.self)
    }()

    /// The page as served: the template with the examples filled in.
    static let html = template.replacingOccurrences(of: "/*EXAMPLE_LIST*/", with: examplesJSON)

    static let template = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>trm: tiny recursive model solver</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 60rem; }
  h1 { font-size: 1.4rem; margin-bottom: .2rem; }
  .sub { color: #666; margin-top: 0; }
  textarea { width: 100%; height: 9rem; font-family: ui-monospace, monospace; font-size: .9rem; }
  .row { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin: .6rem 0; }
  button { padding: .4rem 1rem; font-size: 1rem; }
  table.grid { border-collapse: collapse; font-family: ui-monospace, monospace; margin-top: .6rem; }
  table.grid td { width: 1.7rem; height: 1.7rem; text-align: center; border: 1px solid #ccc; transition: background .3s; }
  table.grid.maze td { width: .8rem; height: .8rem; font-size: .6rem; border: none; }
  table.grid.sudoku td.bl { border-left: 2px solid #333; }
  table.grid.sudoku td.bt { border-top: 2px solid #333; }
  table.grid.sudoku { border: 2px solid #333; }
  td.given { font-weight: bold; color: #000; }
  td.pred { color: #1565c0; }
  td.changed { background: #ffe082; }
  td.wrong { background: #ffcdd2; }
  table.grid.maze td.open.wrong { background: #ef9a9a; }
  table.grid.maze td.wall.wrong { box-shadow: inset 0 0 0 1px #ef5350; }
  td.wall { background: #37474f; }
  td.path { background: #66bb6a; }
  td.start, td.goal { background: #ef5350; color: #fff; }
  .bar { width: 14rem; height: .8rem; background: #eee; border-radius: .4rem; overflow: hidden; display: inline-block; vertical-align: middle; }
  .bar > div { height: 100%; background: #7e57c2; width: 0; transition: width .3s; }
  #verdict.valid { color: #2e7d32; font-weight: bold; }
  #verdict.invalid { color: #c62828; font-weight: bold; }
  #verdict.unchecked { color: #666; }
  .error { color: #c62828; }
  table.editor { border-collapse: collapse; margin: .4rem 0; user-select: none; }
  table.editor.sudoku { border: 2px solid #333; }
  table.editor.sudoku td { border: 1px solid #ccc; padding: 0; }
  table.editor.sudoku td.bl { border-left: 2px solid #333; }
  table.editor.sudoku td.bt { border-top: 2px solid #333; }
  table.editor.sudoku input { width: 1.7rem; height: 1.7rem; border: none; text-align: center; font: bold 1rem ui-monospace, monospace; padding: 0; }
  table.editor.sudoku input:focus { background: #e3f2fd; outline: none; }
  table.editor.maze td { width: .8rem; height: .8rem; border: 1px solid #eee; cursor: crosshair; }
  table.editor.maze td.wall { background: #37474f; }
  table.editor.maze td.start, table.editor.maze td.goal { background: #ef5350; }
  .brush label { margin-right: .6rem; }
  [hidden] { display: none !important; }
  small { color: #666; }
</style>
</head>
<body data-state="idle">
<h1>Tiny Recursive Model: watch it think</h1>
<p class="sub">The model refines its answer once per supervision step; changed cells flash yellow.
The verdict comes from an exact validator, not from the model.</p>
<div class="row">
  <label>Kind <select id="kind"><option value="sudoku">Sudoku</option><option value="maze">Maze</option></select></label>
  <label>Step budget <input id="maxSteps" type="number" min="1" max="256" value="16" style="width:4.5rem"></label>
  <label>Halt threshold <input id="threshold" type="number" min="0" max="1" step="0.05" value="0.5" style="width:4rem"></label>
  <label title="While the verdict is not valid, solve another version of the puzzle (Sudoku: digits relabelled, lines permuted; maze: rotated or mirrored) and read its answer back">Tries <input id="tries" type="number" min="1" max="16" value="1" style="width:3.5rem"></label>
  <label>Example <select id="exampleList"></select></label>
  <button id="example" type="button">Load</button>
  <button id="clear" type="button">Clear</button>
</div>
<div class="row brush" id="brush" hidden>
  Brush: <label><input type="radio" name="brush" value="#" checked> wall</label>
  <label><input type="radio" name="brush" value=" "> open</label>
  <label><input type="radio" name="brush" value="S"> start</label>
  <label><input type="radio" name="brush" value="G"> goal</label>
  <label>Size <input id="mazeSide" type="number" min="3" max="30" value="30" style="width:3.5rem"></label>
</div>
<div id="editor"></div>
<details><summary>as text</summary>
<textarea id="puzzle" spellcheck="false" placeholder="Sudoku: 81 characters, . for blank. Maze: one row per line with # S G and spaces."></textarea>
</details>
<div class="row"><button id="solve" type="button">Solve</button> <small id="models"></small></div>
<div class="row">
  <span id="status">Enter a puzzle and press Solve.</span>
  <span class="bar" title="halting confidence"><div id="confbar"></div></span>
  <span id="confidence"></span>
</div>
<div id="board"></div>
<p id="verdict"></p>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
// Examples to pick (WebPage.examples: held-out ones are solved by the bundled models, tested).
const EXAMPLE_LIST = /*EXAMPLE_LIST*/;
// The Sudoku a model of each size starts with: the first example of that size (PuzzleParser's defaults).
const EXAMPLES = {};
EXAMPLE_LIST.forEach((e) => { if (e.kind === "sudoku" && !(e.cells in EXAMPLES)) EXAMPLES[e.cells] = e.puzzle; });
let sudokuCells = 81;
let playing = 0;

// ---- The grid editor: the puzzle as cells, kept in sync with the text box. ----
function sudokuText() { return $("puzzle").value.replace(/[^0-9.]/g, ""); }

function buildEditor() {
  const kind = $("kind").value;
  $("brush").hidden = kind !== "maze";
  const table = document.createElement("table");
  table.className = "editor " + kind;
  table.id = "editorGrid";
  if (kind === "sudoku") {
    let text = sudokuText();
    const n = text.length === 16 ? 4 : (sudokuCells === 16 && text.length !== 81 ? 4 : 9);
    const box = n === 4 ? 2 : 3;
    text = (text + ".".repeat(n * n)).slice(0, n * n);
    for (let r = 0; r < n; r++) {
      const tr = document.createElement("tr");
      for (let c = 0; c < n; c++) {
        const td = document.createElement("td");
        if (c % box === 0 && c) td.classList.add("bl");
        if (r % box === 0 && r) td.classList.add("bt");
        const input = document.createElement("input");
        const ch = text[r * n + c];
        const v = ch >= "1" && ch <= String(n) ? ch : "";
        input.value = v; input.setAttribute("value", v);
        input.maxLength = 1; input.dataset.i = String(r * n + c);
        input.setAttribute("aria-label", "row " + (r + 1) + " column " + (c + 1));
        input.oninput = () => {
          const d = input.value.replace(new RegExp("[^1-" + n + "]", "g"), "").slice(-1);
          input.value = d; input.setAttribute("value", d);
          syncFromEditor();
          if (d) move(input, 1, n);
        };
        input.onkeydown = (e) => {
          const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: n, ArrowUp: -n }[e.key];
          if (step) { e.preventDefault(); move(input, step, n); }
          if ((e.key === "Backspace" || e.key === "Delete" || e.key === "." || e.key === "0") && !input.value) {
            input.setAttribute("value", ""); syncFromEditor();
          }
        };
        td.appendChild(input);
        tr.appendChild(td);
      }
      table.appendChild(tr);
    }
  } else {
    const rows = mazeRows();
    rows.forEach((row, r) => {
      const tr = document.createElement("tr");
      Array.from(row).forEach((ch, c) => {
        const td = document.createElement("td");
        td.className = { "#": "wall", "S": "start", "G": "goal" }[ch] || "open";
        td.dataset.v = ch; td.dataset.r = String(r); td.dataset.c = String(c);
        td.onmousedown = (e) => { e.preventDefault(); painting = true; paint(td); };
        td.onmouseover = () => { if (painting) paint(td); };
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
  }
  $("editor").replaceChildren(table);
}

let painting = false;
document.addEventListener("mouseup", () => { painting = false; });

function move(input, step, n) {
  const i = Math.min(n * n - 1, Math.max(0, parseInt(input.dataset.i, 10) + step));
  const next = document.querySelector('#editorGrid input[data-i="' + i + '"]');
  if (next) next.focus();
}

// The maze in the text box as equal rows (a side chosen in Size when it is empty).
function mazeRows() {
  let rows = $("puzzle").value.split(/\r?\n/).filter((l) => l.length);
  if (rows.length === 1 && Math.sqrt(rows[0].length) % 1 === 0 && rows[0].length > 1) {
    const side = Math.sqrt(rows[0].length);
    rows = Array.from({ length: side }, (_, i) => rows[0].slice(i * side, (i + 1) * side));
  }
  if (!rows.length || /[^# SGo]/.test(rows.join(""))) {
    const side = Math.min(30, Math.max(3, parseInt($("mazeSide").value, 10) || 30));
    rows = Array.from({ length: side }, () => " ".repeat(side));
  }
  const width = Math.max(rows.length, ...rows.map((r) => r.length));
  // Size shows the side of the maze on screen (one from the URL or the text box too).
  $("mazeSide").value = String(width); $("mazeSide").setAttribute("value", String(width));
  return rows.map((r) => (r.replace(/o/g, " ") + " ".repeat(width)).slice(0, width)).concat(
    Array.from({ length: width - rows.length }, () => " ".repeat(width)));
}

// A brush stroke: walls and open cells anywhere; one start and one goal (the old one is cleared).
function paint(td) {
  const brush = document.querySelector('input[name="brush"]:checked').value;
  if (brush === "S" || brush === "G") {
    document.querySelectorAll('#editorGrid td[data-v="' + brush + '"]').forEach((old) => { old.dataset.v = " "; old.className = "open"; });
  }
  td.dataset.v = brush;
  td.className = { "#": "wall", "S": "start", "G": "goal" }[brush] || "open";
  syncFromEditor();
}

function syncFromEditor() {
  const grid = $("editorGrid");
  if (!grid) return;
  if (grid.classList.contains("sudoku")) {
    $("puzzle").value = Array.from(grid.querySelectorAll("input")).map((i) => i.value || ".").join("");
  } else {
    $("puzzle").value = Array.from(grid.rows).map((tr) => Array.from(tr.cells).map((td) => td.dataset.v).join("")).join("\n");
  }
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

function renderGrid(kind, rows, question, changed) {
  const table = document.createElement("table");
  table.className = "grid " + kind;
  table.id = "grid";
  const cols = rows.length ? rows[0].length : 0;
  const changedSet = new Set(changed || []);
  rows.forEach((row, r) => {
    const tr = document.createElement("tr");
    Array.from(row).forEach((ch, c) => {
      const td = document.createElement("td");
      const q = question && question[r] ? question[r][c] : undefined;
      const i = r * cols + c;
      td.textContent = kind === "maze" ? "" : ch;
      td.dataset.v = ch;
      if (kind === "sudoku") {
        td.className = (q && q !== ".") ? "given" : "pred";
        if (q && q !== "." && q !== ch) td.classList.add("wrong");
        if (c % 3 === 0 && c) td.classList.add("bl");
        if (r % 3 === 0 && r) td.classList.add("bt");
      } else if (kind === "maze") {
        // The maze itself from the question; the prediction adds path marks. A prediction that
        // changes the maze (anything but 'o' on an open cell) is tinted red.
        const base = q !== undefined ? q : ch;
        td.className = { "#": "wall", "S": "start", "G": "goal" }[base] || "open";
        if (ch === "o" && base === " ") td.className = "path";
        else if (ch !== base) td.classList.add("wrong");
      }
      if (changedSet.has(i)) td.classList.add("changed");
      tr.appendChild(td);
    });
    table.appendChild(tr);
  });
  $("board").replaceChildren(table);
}

function showConfidence(p) {
  $("confbar").style.width = (100 * p).toFixed(1) + "%";
  $("confidence").textContent = "halting confidence " + p.toFixed(3);
}

async function solve(delay) {
  const run = ++playing;
  const kind = $("kind").value;
  syncFromEditor();
  const body = { kind, puzzle: $("puzzle").value, return_steps: true,
                 max_steps: Math.min(256, parseInt($("maxSteps").value, 10) || 16),
                 halt_threshold: parseFloat($("threshold").value),
                 tries: Math.max(1, Math.min(16, parseInt($("tries").value, 10) || 1)) };
  document.body.dataset.state = "running";
  $("verdict").textContent = ""; $("verdict").className = "";
  $("status").textContent = "Solving…"; $("status").className = "";
  let res, data;
  try {
    res = await fetch("/v1/solve", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    data = await res.json();
  } catch (e) {
    data = { error: "network", reason: String(e) };
  }
  if (!res || !res.ok) {
    $("status").textContent = "Error: " + (data.reason || data.error || res.status);
    $("status").className = "error";
    document.body.dataset.state = "error";
    return;
  }
  const steps = data.steps || [];
  for (const s of steps) {
    if (run !== playing) return;
    renderGrid(kind, s.grid, data.question, s.changed);
    $("status").textContent = "step " + s.step + " of " + data.steps_used + " (" + s.changed.length + " cells changed)";
    showConfidence(s.halt_confidence);
    await sleep(delay);
  }
  renderGrid(kind, kind === "sudoku" ? data.answer : steps.length ? steps[steps.length - 1].grid : data.answer, data.question, []);
  const v = data.verdict;
  $("status").textContent = (data.tries > 1 ? "try " + data.tries + " (another version of the puzzle, read back): " : "")
    + "done in " + data.steps_used + (data.steps_used === 1 ? " step (" : " steps (") + (data.halted ? "halted by the model" : "step limit") + ", " + data.timing.total_ms.toFixed(0) + " ms)";
  $("verdict").textContent = "verdict: " + v.status + (v.reason ? " (" + v.reason + ")" : "");
  $("verdict").className = v.status;
  $("verdict").dataset.status = v.status;
  document.body.dataset.steps = String(data.steps_used);
  document.body.dataset.tries = String(data.tries || 1);
  document.body.dataset.state = "done";
}

async function loadModels() {
  try {
    const r = await fetch("/v1/models");
    const m = await r.json();
    $("models").textContent = "models: " + m.models.map((x) => x.name + " (" + x.kind + ", " + x.parameters + " parameters)").join(", ");
    const s = m.models.find((x) => x.kind === "sudoku");
    if (s && EXAMPLES[s.cells]) sudokuCells = s.cells;
  } catch (e) { $("models").textContent = ""; }
}

EXAMPLE_LIST.forEach((e, i) => {
  const o = document.createElement("option"); o.value = String(i); o.textContent = e.name; $("exampleList").appendChild(o);
});
// The Example list follows Kind: switching to Maze picks the first maze example (it showed a Sudoku
// one until then), unless the chosen example is already of that kind. `defaultSelected` also marks
// the option in the DOM (`selected`), which the browser test reads.
function pickExampleOf(kind) {
  const list = $("exampleList");
  const current = EXAMPLE_LIST[parseInt(list.value, 10)];
  const i = current && current.kind === kind ? parseInt(list.value, 10) : EXAMPLE_LIST.findIndex((e) => e.kind === kind);
  if (i < 0) return;
  Array.from(list.options).forEach((o, j) => { o.defaultSelected = j === i; });
  list.value = String(i);
}
$("example").onclick = () => {
  const e = EXAMPLE_LIST[parseInt($("exampleList").value, 10)];
  $("kind").value = e.kind; $("puzzle").value = e.puzzle; buildEditor();
};
$("clear").onclick = () => { $("puzzle").value = ""; buildEditor(); };
$("kind").onchange = () => { $("puzzle").value = ""; pickExampleOf($("kind").value); buildEditor(); };
$("mazeSide").onchange = () => { $("puzzle").value = ""; buildEditor(); };
$("puzzle").oninput = () => buildEditor();
$("solve").onclick = () => solve(350);

(async () => {
  await loadModels();
  const params = new URLSearchParams(location.search);
  if (params.get("kind")) $("kind").value = params.get("kind");
  if (params.get("puzzle")) $("puzzle").value = params.get("puzzle").split("|").join("\n");
  if (params.get("max_steps")) $("maxSteps").value = params.get("max_steps");
  if (params.get("tries")) $("tries").value = params.get("tries");
  if (!$("puzzle").value && $("kind").value === "sudoku") $("puzzle").value = EXAMPLES[sudokuCells];
  pickExampleOf($("kind").value);
  buildEditor();
  if (params.get("autorun") === "1") solve(parseInt(params.get("delay") || "0", 10));
})();
</script>
</body>
</html>
"""#
}
