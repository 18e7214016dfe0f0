#!/usr/bin/env bash
# One GPU lease, one call: train the bundled 30x30 maze model and/or the bundled Sudoku model further
# on one CUDA GPU with scripts/torch-train.py (both: side by side, each at about half its speed
# alone, session 27), and leave in $OUT what the lease can bring back (at most 8 files): per job a
# tar of its snapshots, config.json and metrics.jsonl, its training state and its log; plus machine.txt.
#
# Usage (from the repository root, on the GPU machine):
#   OUT=/path bash scripts/gpu-session.sh [SECONDS] [JOBS]
#     SECONDS  training budget of each job, wall clock, evaluations at each snapshot included (default
#              420); a job also spends time before it (Python, CUDA, reading and relabelling the data:
#              about 30 s for the maze job on an H200) and after it (the final evaluation, about 20 s)
#     JOBS     "maze sudoku" (default), "maze" or "sudoku"
#   STOP_AFTER=S: a job still running S seconds after this script started (default SECONDS + 90) is told
#   to stop (SIGTERM: it ends the step under way and writes its final snapshot and state without a final
#   evaluation; SIGKILL 60 s later), so the tars are made before the lease's command limit cuts it off.
#   SCHEDULE=S spans each new run's cosine schedule over S seconds (several leases; default SECONDS).
#   A job whose .gpu/state/<job>-state.safetensors exists (brought back by an earlier lease) goes on
#   from it (--resume: weights, EMA, Adam moments, step, the schedule's place) instead of starting
#   from Models/; every job leaves its state as <job>-state.safetensors beside its tar.
#   VAL_LIMIT=N limits every validation set to its first N rows, DEVICE=cpu trains on the CPU, EXTRA
#   adds options to both commands (they win over the ones here), GPU_INPUTS=DIR reads the inputs from
#   DIR instead of .gpu: a dry run on a CPU is
#   OUT=/tmp/dry DEVICE=cpu VAL_LIMIT=4 EXTRA="--batch 4 --eval-batch 4 --dtype fp32" bash scripts/gpu-session.sh 20
#   Every job name and input is checked before any job starts.
#
# Inputs, in .gpu/ (ignored by git: made here, carried to the machine; README, "On a GPU"):
#   maze:   .gpu/g30.csv.gz (generated 30x30 mazes), .gpu/mh-train800.csv, .gpu/mh-val200.csv
#           (Maze-Hard's training split, rows 1-800 and 801-1000); the generated mazes' labels follow
#           trm's generator's tie-break rule, Maze-Hard's another, so every copy is relabelled by
#           Maze-Hard's (--label-rule maze-hard), the rule its validation and test labels follow
#   sudoku: .gpu/sudoku/mix-train.csv.gz, .gpu/sudoku/val.csv (Models/sudoku's training mix and
#           its validation cut)
# Afterwards, here: tar xf each tar, `--pack` the snapshots, choose on validation with `trm eval`
# by a rule written down before, and score the test set once (Models/*/README.md say how).
set -uo pipefail
seconds=${1:-420}
jobs=${2:-maze sudoku}
out=${OUT:?set OUT to the folder the results go to}
stop_after=${STOP_AFTER:-$((${seconds%.*} + 90))}
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 2
cd "$(dirname "$0")/.."
g=${GPU_INPUTS:-.gpu}
export PYTHONUNBUFFERED=1
limit=()
[ -n "${VAL_LIMIT:-}" ] && limit=(--val-limit "$VAL_LIMIT")
device=()
[ -n "${DEVICE:-}" ] && device=(--device "$DEVICE")
read -r -a extra <<< "${EXTRA:-}"

{
    date -u
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 || echo "no nvidia-smi"
    grep -m1 "model name" /proc/cpuinfo; nproc
    python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
} > "$out/machine.txt" 2>&1

# Every job and its inputs, checked before any starts (a refusal leaves nothing running).
inputs() {  # sets files=(...) to job $1's inputs
    case $1 in
    maze) files=("$g/g30.csv.gz" "$g/mh-train800.csv" "$g/mh-val200.csv") ;;
    sudoku) files=("$g/sudoku/mix-train.csv.gz" "$g/sudoku/val.csv") ;;
    *) return 1 ;;
    esac
}
for job in $jobs; do
    inputs "$job" || { echo "unknown job '$job' (maze or sudoku)" >&2; exit 2; }
    for f in "${files[@]}"; do [ -f "$f" ] || { echo "missing input $f (see the head of this script)" >&2; exit 2; }; done
done
# How a job starts: from its state if an earlier lease left one, else from the bundled model folder.
start() {
    local state=$g/state/$1-state.safetensors
    if [ -f "$state" ]; then
        from=(--resume "$state")
    else
        from=(--init "$2")
        [ -n "${SCHEDULE:-}" ] && from+=(--schedule-seconds "$SCHEDULE")
    fi
}
pids=()
for job in $jobs; do
    case $job in
    maze)
        start maze Models/maze-30x30
        python3 scripts/torch-train.py "${from[@]}" --data "$g/g30.csv.gz" --data "$g/mh-train800.csv" \
            --val "$g/mh-val200.csv" "${limit[@]}" "${device[@]}" --out "$out/maze" --seconds "$seconds" \
            --batch 256 --lr 2e-4 --eval-every 140 --seed 27 --label-rule maze-hard --name maze-30x30-att-rope2d "${extra[@]}" > "$out/maze.log" 2>&1 &
        pids+=($!) ;;
    sudoku)
        start sudoku Models/sudoku
        python3 scripts/torch-train.py "${from[@]}" --data "$g/sudoku/mix-train.csv.gz" \
            --val "$g/sudoku/val.csv" "${limit[@]}" "${device[@]}" --out "$out/sudoku" --seconds "$seconds" \
            --batch 768 --lr 1e-4 --eval-every 140 --seed 26 --name sudoku-extreme-mlp "${extra[@]}" > "$out/sudoku.log" 2>&1 &
        pids+=($!) ;;
    esac
done
# The deadline: jobs still running are told to stop, then killed, so the tars below are always made.
(
    while [ "$SECONDS" -lt "$stop_after" ]; do sleep 1; done
    kill -TERM "${pids[@]}" 2>/dev/null && echo "STOP_AFTER=$stop_after s: told the jobs still running to stop" >&2
    end=$((SECONDS + 60))
    while [ "$SECONDS" -lt "$end" ]; do sleep 1; done
    kill -KILL "${pids[@]}" 2>/dev/null && echo "killed the jobs still running 60 s after that" >&2
) &
watchdog=$!
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
kill "$watchdog" 2>/dev/null
# One tar per job (snapshots may be more files than a lease brings back) and its state beside it
# (state files can be 8 MB; the tar stays under the 16 MiB a file may have).
for job in $jobs; do
    [ -f "$out/$job/state.safetensors" ] && mv "$out/$job/state.safetensors" "$out/$job-state.safetensors"
    [ -d "$out/$job" ] && tar -C "$out" -cf "$out/$job.tar" "$job" && rm -r "${out:?}/$job"
done
ls -l "$out"
for job in $jobs; do echo "== $job"; tail -n 4 "$out/$job.log"; done
exit $status
