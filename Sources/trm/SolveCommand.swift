// `trm solve`: solve one puzzle with early halting, showing the grid after every supervision step
// (changed cells highlighted), the halting confidence, and the exact validator's verdict.
import ArgumentParser
import Foundation
import TRMServe
import TRMPuzzles
import TRMRuntime
import TRMTensor

struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Solve a puzzle step by step with a trained model.",
        discussion: """
            The puzzle is the argument (a path to an existing file is read as that file), --file PATH \
            ('-' for stdin), or piped stdin; with none, an embedded Sudoku is solved. Accepted: an \
            81-character Sudoku ('.' or '0' for blanks, grid text with |+- separators also works), maze \
            rows ('#', ' ', 'S', 'G'; one per line, or separated by '|' on one line), an ARC task JSON, a trm-grid JSONL header and example line, and \
            rows of the data sets' CSV (source,question,answer,rating, with or without the header) or a \
            file of one-line puzzles: --index picks the row, and a row's answer is shown beside the \
            model's. The verdict comes from an exact validator, not from the model.

            Examples:
              trm solve                                   # the embedded Sudoku, bundled model
              trm solve '..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3..'
              trm solve ../shared/data/sudoku-extreme-lite/test.csv --index 3   # a CSV row, answer shown
              trm solve maze.txt --model runs/maze        # a 30x30 maze with a maze model
              trm solve --json < puzzle.txt               # one JSON object for machines
              trm solve test.csv --index 5 --tries 8      # retry in other versions until VALID
            """)

    @Argument(help: "The puzzle text, or the path of a file holding it (omit to use --file, stdin, or the embedded Sudoku).")
    var puzzle: String?

    @Option(name: .long, help: "Read the puzzle from this file ('-' for stdin).")
    var file: String?

    @Option(help: "Puzzle kind: auto, sudoku, maze, arc, grid. Without a puzzle: the kind whose bundled model (and example puzzle) to run.")
    var kind: PuzzleInputKind = .auto

    @Option(help: "Which puzzle of the input (0-based): a CSV row, a line of a file of puzzles, an ARC test pair or a grid example line.")
    var index = 0

    @OptionGroup var model: ModelOptions

    @OptionGroup var random: RandomPresetOption

    @Option(help: "Stop once the halting confidence exceeds this (0...1).")
    var threshold: Float = 0.5

    @Flag(help: "Ignore the halting head and run every step up to --max-steps.")
    var noHalt = false

    @Option(help: "Supervision steps at most (default: the model's training limit).")
    var maxSteps: Int?

    @Option(help: "Sudoku (9x9) and mazes: tries in all. While the answer fails the validator, solve another version of the puzzle (Sudoku: digits relabelled, rows and columns permuted, transposed; maze: rotated or mirrored) and read its answer back.")
    var tries = 1

    @Flag(help: "Plain markers ('*' after a changed cell) instead of ANSI colour.")
    var noColor = false

    @OptionGroup var output: JSONOutputOptions
    @OptionGroup var threads: ThreadOptions

    @Option(help: "Seconds to pause after each step (animation in a terminal).")
    var delay: Double = 0

    func validate() throws {
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be in 0...1") }
        if let m = maxSteps, !(1...256).contains(m) { throw ValidationError("--max-steps must be in 1...256") }
        guard index >= 0 else { throw ValidationError("--index must be 0 or more") }
        guard (1...64).contains(tries) else { throw ValidationError("--tries must be in 1...64, got \(tries)") }
        guard delay >= 0, delay <= 10 else { throw ValidationError("--delay must be in 0...10 seconds") }
        if puzzle != nil && file != nil { throw ValidationError("give the puzzle as an argument or with --file, not both") }
        if model.model != nil && random.randomPreset != nil { throw ValidationError("give either --model or --random-preset, not both") }
    }

    func run() throws {
        let text = try PuzzleSource.read(argument: puzzle, file: file)
        if text == nil && index != 0 {
            throw CommandError("--index \(index) picks a puzzle of the input, but no puzzle was given; give a file of puzzles (`trm solve FILE --index \(index)`) or leave out --index")
        }
        // Without --model: the bundled model of the puzzle's kind (a maze goes to Models/maze).
        // Without a puzzle, --kind picks the model (and its example puzzle).
        var bundledKind: PuzzleKind?
        if random.randomPreset == nil {
            let given = kind != .auto ? kind : text.flatMap { try? PuzzleParser.detect($0) }
            bundledKind = given.flatMap { PuzzleKind(rawValue: $0.rawValue) }
        }
        let loaded = try random.randomPreset.map { try ModelLoading.random(preset: $0) } ?? model.load(kind: bundledKind)
        let puzzleText: String
        if let text { puzzleText = text } else {
            if kind != .auto, kind.rawValue != loaded.kind.rawValue {
                throw CommandError("no \(kind.rawValue) model is loaded ('\(loaded.name)' solves \(loaded.kind.rawValue) puzzles), and no puzzle was given. "
                                   + PuzzleParser.howToGetModel(for: PuzzleKind(rawValue: kind.rawValue) ?? .grid))
            }
            guard let example = PuzzleParser.defaultPuzzle(for: loaded) else {
                throw CommandError("the model '\(loaded.name)' has no example puzzle of its size; give one (`trm solve PUZZLE` or `--file F`)")
            }
            puzzleText = example
        }
        let style: StepRenderer.Style = (!noColor && isatty(STDOUT_FILENO) == 1
                                         && ProcessInfo.processInfo.environment["NO_COLOR"] == nil) ? .ansi : .plain
        let request = ConsoleSolve.Request(text: puzzleText, kind: text == nil ? PuzzleInputKind(rawValue: loaded.kind.rawValue) ?? .auto : kind,
                                           index: index, threshold: noHalt ? nil : threshold, maxSteps: maxSteps,
                                           json: output.json, style: style, delaySeconds: delay, tries: tries)
        // Without --model, a puzzle the bundled default does not fit (a 15x15 maze) goes to a bundled
        // model of its kind for other sizes (the one built for its side, else Models/maze-15x15),
        // when one takes it.
        let others = random.randomPreset == nil && text != nil ? try model.bundledOtherSizes(kind: loaded.kind) : []
        _ = try threads.run { try ConsoleSolve.run(request, model: loaded, others: others) { writeLine($0) } }
    }
}

extension PuzzleInputKind: ExpressibleByArgument {}
