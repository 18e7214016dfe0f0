// The web page served at `/`: one self-contained HTML file (no external assets). Enter a Sudoku or a
// maze, and watch the model refine it: the page asks /v1/solve with return_steps and animates the
// steps, highlighting changed cells, with the halting confidence and the validator's verdict.
//
// Query parameters (used by the browser test): kind, puzzle (maze rows separated by '\n' or '|'),
// max_steps, delay (ms between steps), autorun=1. When it finishes, <body data-state="done">.
enum WebPage {
    static let html = #"""
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
  small { color: #666; }
</style>
</head>
<body data-state="idle">
<h1>Tiny Recursive Model: watch it think</h1>
<p class="sub">The model refines its answer once per supervision step; changed cells flash yellow.
The verdict comes from an exact validator, not from the model.</p>
<div class="row">
  <label>Kind <select id="kind"><option value="sudoku">Sudoku</option><option value="maze">Maze</option></select></label>
  <label>Max steps <input id="maxSteps" type="number" min="1" max="64" value="16" style="width:4rem"></label>
  <label>Halt threshold <input id="threshold" type="number" min="0" max="1" step="0.05" value="0.5" style="width:4rem"></label>
  <button id="example" type="button">Example</button>
</div>
<textarea id="puzzle" spellcheck="false" placeholder="Sudoku: 81 characters, . for blank. Maze: one row per line with # S G and spaces."></textarea>
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
const EXAMPLES = { 81: "..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3..", 16: "12..3.....4....1" };
let sudokuCells = 81;
let playing = 0;

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
  const body = { kind, puzzle: $("puzzle").value, return_steps: true,
                 max_steps: parseInt($("maxSteps").value, 10) || 16,
                 halt_threshold: parseFloat($("threshold").value) };
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
  $("status").textContent = "done in " + data.steps_used + " steps (" + (data.halted ? "halted by the model" : "step limit") + ", " + data.timing.total_ms.toFixed(0) + " ms)";
  $("verdict").textContent = "verdict: " + v.status + (v.reason ? " (" + v.reason + ")" : "");
  $("verdict").className = v.status;
  $("verdict").dataset.status = v.status;
  document.body.dataset.steps = String(data.steps_used);
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

$("example").onclick = () => { $("kind").value = "sudoku"; $("puzzle").value = EXAMPLES[sudokuCells]; };
$("solve").onclick = () => solve(350);

(async () => {
  await loadModels();
  const params = new URLSearchParams(location.search);
  if (params.get("kind")) $("kind").value = params.get("kind");
  if (params.get("puzzle")) $("puzzle").value = params.get("puzzle").split("|").join("\n");
  if (params.get("max_steps")) $("maxSteps").value = params.get("max_steps");
  if (!$("puzzle").value) $("puzzle").value = EXAMPLES[sudokuCells];
  if (params.get("autorun") === "1") solve(parseInt(params.get("delay") || "0", 10));
})();
</script>
</body>
</html>
"""#
}
