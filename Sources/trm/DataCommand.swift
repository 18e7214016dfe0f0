// `trm data ...`: puzzle data tools (build, stats, show, generate, check). Parsing only; the work is
// done by TRMPuzzles.
import ArgumentParser
import Foundation
import TRMPuzzles

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Puzzle data tools.",
        subcommands: [DataBuild.self, DataStats.self, DataShow.self, DataGenerate.self, DataCheck.self, DataSplit.self, DataOverlap.self, DataImport.self]
    )
}

/// Options shared by the commands that read raw puzzle files.
struct PuzzleInputOptions: ParsableArguments {
    @Option(help: "Puzzle kind: sudoku, maze, arc or grid (default: detected from the content).")
    var kind: PuzzleKind?

    @Flag(help: "Skip bad rows, report how many, and go on (default: stop at the first bad row).")
    var skipInvalid = false

    @Option(help: "Read at most this many puzzles per file.")
    var limit: Int?

    @Option(help: "grid CSV import: the alphabet (character k becomes token k+1).")
    var alphabet: String?

    @Option(help: "grid CSV import: grid rows.")
    var rows: Int?

    @Option(help: "grid CSV import: grid columns.")
    var cols: Int?

    @Option(help: "ARC: augmented versions per task, each its own puzzle identifier, made while training streams (identity first; the paper uses 1000).")
    var arcVersions = 8

    @Option(help: "Seed for ARC augmentation.")
    var seed: UInt64 = 0

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        guard (1...100_000).contains(arcVersions) else { throw ValidationError("--arc-versions must be in 1...100000") }
    }

    func loadOptions() throws -> LoadOptions {
        var spec: GridTaskSpec?
        if alphabet != nil || rows != nil || cols != nil {
            guard let alphabet, let rows, let cols else {
                throw ValidationError("--alphabet, --rows and --cols go together (grid CSV import)")
            }
            spec = GridTaskSpec(alphabet: alphabet, rows: rows, cols: cols)
        }
        return LoadOptions(kind: kind, skipInvalid: skipInvalid, limit: limit, gridSpec: spec,
                           arc: ARCBuildOptions(versionsPerTask: arcVersions, seed: seed))
    }
}

extension PuzzleKind: ExpressibleByArgument {}

/// Loads; when a tolerant read found nothing but bad rows, lists them (as `printSkipReport` does,
/// under `header(count)`) and exits 1 instead of a one-line error.
func loadListingEveryBadRow(_ paths: [String], _ options: LoadOptions, maxErrors: Int = SkipReport.maxMessages,
                            header: (Int) -> String) throws -> LoadedPuzzles {
    do { return try PuzzleLoader.load(paths: paths, options: options) } catch {
        guard case let .noValidRows(_, report) = error else { throw error }
        printSkipReport(report, maxErrors: maxErrors, header: header(report.skipped))
        throw ExitCode(1)
    }
}

/// Prints the skip report of a tolerant read to standard error: the first `maxErrors` bad rows in
/// line order, a count of the rest, and how many rows were skipped for each reason.
func printSkipReport(_ report: SkipReport, maxErrors: Int = SkipReport.maxMessages, header: String? = nil) {
    guard report.skipped > 0 else { return }
    var err = StandardError()
    print(header ?? "skipped \(report.skipped) invalid row(s), kept \(report.accepted):", to: &err)
    for m in report.messages.prefix(maxErrors) { print("  \(m)", to: &err) }
    let shown = min(maxErrors, report.messages.count)
    if report.skipped > shown { print("  ... and \(report.skipped - shown) more", to: &err) }
    if report.byReason.count > 1 || report.skipped > shown {
        print("by reason:", to: &err)
        for (reason, count) in report.byReason.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            print("  \(count)  \(reason)", to: &err)
        }
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}

func seconds(since start: Date) -> String { String(format: "%.2f s", Date().timeIntervalSince(start)) }

struct DataBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Raw CSV / plain lines / grid JSONL / ARC JSON -> a compact, checksummed dataset file.",
        discussion: """
        Examples:
          trm data build ../shared/data/sudoku-extreme-lite/train.csv -o sudoku-train.trmd
          trm data build my-task.jsonl -o my-task.trmd
          trm data build ../shared/data/arc-agi-1/training --arc-evaluation ../shared/data/arc-agi-1/evaluation \\
              --arc-versions 8 -o arc-train.trmd --test-output arc-test.trmd
        """
    )

    @Argument(help: "Input files (ARC: task folders).")
    var inputs: [String]

    @Option(name: .outputPath, help: "Output dataset file.")
    var output: String

    @OptionGroup var input: PuzzleInputOptions

    @Option(help: "ARC: evaluation task folder; its demonstration pairs join training and its test pairs go to --test-output. Training tasks that are evaluation tasks are refused.")
    var arcEvaluation: String?

    @Option(help: "ARC: where to write the evaluation test set (with --arc-evaluation).")
    var testOutput: String?

    @Flag(help: "ARC: drop training tasks that are evaluation tasks (by id or content) instead of refusing to build.")
    var dropOverlapping = false

    func run() throws {
        let start = Date()
        let options = try input.loadOptions()
        if let evaluationFolder = arcEvaluation {
            guard let testOutput else { throw ValidationError("--arc-evaluation needs --test-output") }
            var training: [ARCTask] = []
            for path in inputs { training += try ARCTaskLoader.loadFolder(path) }
            let evaluation = try ARCTaskLoader.loadFolder(evaluationFolder)
            var arcOptions = options.arc
            arcOptions.dropOverlappingTrainingTasks = dropOverlapping
            let build = try ARCDatasetBuilder.build(training: training, evaluation: evaluation, options: arcOptions)
            if !build.droppedTrainingTasks.isEmpty {
                var err = StandardError()
                print("dropped \(build.droppedTrainingTasks.count) training task(s) that are evaluation tasks: \(build.droppedTrainingTasks.prefix(10).joined(separator: ", "))", to: &err)
            }
            try DatasetFile.write(build.train, to: output, sources: inputs + [evaluationFolder])
            try DatasetFile.write(build.test, to: testOutput, sources: [evaluationFolder])
            print("wrote \(output): \(build.train.count) arc training pairs of \(build.layout.tasks.count) tasks, \(build.layout.identifierCount) puzzle identifiers (\(build.layout.versionsPerTask) version\(build.layout.versionsPerTask == 1 ? "" : "s") per task, made while training, seed \(build.layout.seed))")
            print("wrote \(testOutput): \(build.test.count) arc test examples (\(evaluation.count) tasks) in \(seconds(since: start))")
            return
        }
        let loaded = try loadListingEveryBadRow(inputs, options, header: { "all \($0) row(s) are bad; nothing written:" })
        printSkipReport(loaded.report)
        try DatasetFile.write(loaded.dataset, to: output, sources: inputs, skippedRows: loaded.report.skipped)
        let manifest = try DatasetFile.readManifest(path: output)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        print("wrote \(output): \(manifest.count) \(manifest.kind.rawValue) examples, seqLen \(manifest.seqLen), vocab \(manifest.vocabSize), "
            + identifierSummary(loaded.dataset) + ", \(bytes) bytes, \(manifest.checksum), \(loaded.report.skipped) skipped, in \(seconds(since: start))")
    }
}

struct DataStats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Summarise a dataset file (or raw puzzle file): counts, shapes, token histogram.")

    @Argument(help: "A built dataset file or raw puzzle files.")
    var inputs: [String]

    @OptionGroup var input: PuzzleInputOptions

    @OptionGroup var output: JSONOutputOptions
    var json: Bool { output.json }

    func run() throws {
        let (dataset, manifest) = try loadAny(inputs, input)
        let stats = DatasetStatistics(dataset)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            if let manifest { print(String(decoding: try encoder.encode(manifest), as: UTF8.self)) }
            print(String(decoding: try encoder.encode(stats), as: UTF8.self))
            return
        }
        if let manifest {
            print("file:        \(inputs[0]) (format \(manifest.format) v\(manifest.version), \(manifest.tokenBytes)-byte tokens, \(manifest.checksum))")
            print("sources:     \(manifest.sources.joined(separator: ", ")) (\(manifest.skippedRows) rows skipped at build)")
        }
        print("kind:        \(stats.kind.rawValue)")
        print("examples:    \(stats.count)")
        print("seqLen:      \(stats.seqLen) (\(dataset.gridRows)x\(dataset.gridCols))")
        print("vocabSize:   \(stats.vocabSize)")
        print("puzzle ids:  \(identifierSummary(dataset))")
        if let augment = GridAugmentation.of(dataset) {
            let symmetries = augment.symmetries.map { "\($0)" }.joined(separator: ", ")  // the case names are the header's names
            print("augment:     symmetries \(symmetries); permuted groups \(augment.permute.isEmpty ? "none" : augment.permute.map { "\"\($0)\"" }.joined(separator: ", ")) (declared in the grid header)")
        }
        print("input tokens: " + stats.inputTokenCounts.enumerated().map { "\($0.offset):\($0.element)" }.joined(separator: " "))
        print(String(format: "labels:      %.1f%% ignored, %.1f%% of predicted cells differ from the input",
                     stats.ignoredLabelFraction * 100, stats.changedCellFraction * 100))
        if let several = stats.puzzlesWithSeveralRightAnswers {
            print("answers:     \(several) of \(stats.count) have several shortest paths; the label marks one (`trm eval` also counts the others right; `trm data generate maze --unique-path` makes mazes with one)")
        }
    }
}

/// "3201 puzzle identifiers (8 versions per task of 400 tasks, made while training)" for ARC files
/// in the tasks layout, else "N puzzle identifiers".
func identifierSummary(_ dataset: PuzzleDataset) -> String {
    let count = "\(dataset.numPuzzleIdentifiers) puzzle identifier\(dataset.numPuzzleIdentifiers == 1 ? "" : "s")"
    guard let layout = (try? ARCTaskLayout.of(dataset)) ?? nil else { return count }
    return count + " (\(layout.versionsPerTask) version\(layout.versionsPerTask == 1 ? "" : "s") per task of \(layout.tasks.count) task\(layout.tasks.count == 1 ? "" : "s"), made while training, seed \(layout.seed))"
}

/// A built dataset file (with its manifest) or raw files loaded and validated.
func loadAny(_ paths: [String], _ options: PuzzleInputOptions) throws -> (PuzzleDataset, DatasetManifest?) {
    if paths.count == 1, DatasetFile.isDatasetFile(path: paths[0]) {
        let (d, m) = try DatasetFile.read(path: paths[0])
        return (d, m)
    }
    let loaded = try PuzzleLoader.load(paths: paths, options: options.loadOptions())
    printSkipReport(loaded.report)
    return (loaded.dataset, nil)
}

struct DataShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Pretty-print puzzles and their answers as grids.")

    @Argument(help: "A built dataset file or a raw puzzle file.")
    var inputs: [String]

    @OptionGroup var input: PuzzleInputOptions

    @Option(help: "First example to show (0-based).")
    var index = 0

    @Option(help: "How many examples to show.")
    var count = 1

    func run() throws {
        let (dataset, _) = try loadAny(inputs, input)
        guard index >= 0, index < dataset.count else {
            throw DataError.invalidArgument("--index \(index) is outside 0..<\(dataset.count)")
        }
        for i in index..<min(dataset.count, index + max(1, count)) {
            print(PuzzleDisplay.render(dataset, index: i))
        }
    }
}

struct DataGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate puzzles (CSV source,question,answer,rating).",
        subcommands: [GenerateSudoku.self, GenerateMaze.self]
    )
}

/// Writes generated rows as CSV to a file (atomically) or standard output.
func emitCSV(_ lines: [String], to output: String?) throws {
    let text = (["source,question,answer,rating"] + lines).joined(separator: "\n") + "\n"
    if let output {
        try DatasetFile.writeAtomically(Array(text.utf8), to: output)
        print("wrote \(output): \(lines.count) puzzle\(lines.count == 1 ? "" : "s")")
    } else {
        print(text, terminator: "")
    }
}

struct GenerateSudoku: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sudoku",
        abstract: "Sudoku puzzles with a unique solution at a given clue count and difficulty.")

    @Option(help: "Number of puzzles.") var count = 10
    @Option(help: "Clues per puzzle (17...81; below ~24 gets slow).") var clues = 30
    @Option(help: "Minimum backtracks of the solver (difficulty).") var minBacktracks = 0
    @Option(help: "Maximum backtracks of the solver.") var maxBacktracks: Int?
    @Option(help: "Attempts per puzzle before giving up.") var maxAttempts = 200
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(name: .outputPath, help: "Output CSV (default: standard output).") var output: String?

    func run() throws {
        guard count >= 0 else { throw ValidationError("--count must be >= 0") }
        guard minBacktracks <= (maxBacktracks ?? Int.max) else { throw ValidationError("--min-backtracks exceeds --max-backtracks") }
        var rng = DeterministicRandom(seed: seed)
        let options = SudokuGeneratorOptions(clues: clues, backtracks: minBacktracks...(maxBacktracks ?? Int.max),
                                             maxAttempts: maxAttempts)
        var lines: [String] = []
        for _ in 0..<count {
            let g = try SudokuGenerator.generate(options, using: &rng)
            lines.append("generated_\(clues)_clue,\(g.puzzle.line),\(g.solution.line),\(g.backtracks)")
        }
        try emitCSV(lines, to: output)
    }
}

struct GenerateMaze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maze",
        abstract: "Hard mazes: random walls, shortest S-to-G path of at least --min-path-cells cells; rating = steps.")

    @Option(help: "Number of mazes.") var count = 10
    @Option(help: "Side of the square maze.") var side = 30
    @Option(help: "Minimum cells on the shortest S-to-G path, S and G included (default: 110 at 30x30, Maze-Hard's rule; 2 x side at other sides).")
    var minPathCells: Int?
    @Option(help: "Probability that a cell is a wall.") var wallDensity = 0.37
    @Flag(help: "Keep only mazes with exactly one shortest S-to-G path, so the answer is the only right one in every rotated or mirrored version (training augments with them). Same draws as without it: the unique-path ones among them, in order.")
    var uniquePath = false
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(name: .outputPath, help: "Output CSV (default: standard output).") var output: String?

    func run() throws {
        guard count >= 0 else { throw ValidationError("--count must be >= 0") }
        var rng = DeterministicRandom(seed: seed)
        let options = MazeGeneratorOptions(side: side, wallDensity: wallDensity, minPathCells: minPathCells,
                                           uniqueShortestPath: uniquePath)
        var lines: [String] = []
        for _ in 0..<count {
            let m = try MazeGenerator.generate(options, using: &rng)
            lines.append("generated,\(m.question.line),\(m.answer.line),\(m.rating ?? 0)")
        }
        try emitCSV(lines, to: output)
    }
}

struct DataCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a puzzle file (kind detected from content or --kind); non-zero exit if anything is wrong.",
        discussion: "Sudoku: 81 cells, known characters, answer a valid completion agreeing with every clue (--solve also proves each puzzle has exactly one solution). Maze: one S and one G, answer marks a shortest path. ARC: every task file parses. Grid: every line fits the header.")

    @Argument(help: "Files to check (ARC: task folders; also built dataset files).")
    var inputs: [String]

    @OptionGroup var input: PuzzleInputOptions

    @Flag(help: "Sudoku: also run the solver to prove uniqueness and compare with the answer.")
    var solve = false

    @Option(help: "Print at most this many bad rows (in line order), then a count of the rest.")
    var maxErrors = SkipReport.maxMessages

    func validate() throws {
        guard maxErrors >= 0 else { throw ValidationError("--max-errors must be 0 or more, got \(maxErrors)") }
    }

    func run() throws {
        let start = Date()
        if inputs.count == 1, DatasetFile.isDatasetFile(path: inputs[0]) {
            let (d, m) = try DatasetFile.read(path: inputs[0], verify: true)
            print("ok: \(inputs[0]): \(d.count) \(m.kind.rawValue) examples, checksum verified")
            return
        }
        var options = try input.loadOptions()
        options.skipInvalid = true  // collect every problem, then decide
        let loaded = try loadListingEveryBadRow(inputs, options, maxErrors: maxErrors, header: { "\($0) bad row(s), 0 valid:" })
        var report = loaded.report
        if solve {
            for record in loaded.sudoku {
                let result = SudokuSolver.solve(record.puzzle, limit: 2)
                if !result.isUnique || result.solution != record.solution {
                    let location = record.location ?? DataLocation(file: inputs[0], line: 0)
                    let reason = result.isUnique ? "the solver's solution differs from the answer" : "\(result.solutionCount) solutions"
                    report.accepted -= 1
                    report.record(file: location.file, line: location.line, message: "\(location): \(reason)",
                                  reason: result.isUnique ? reason : "more than one solution")
                }
            }
            for file in inputs { report.sortLines(ofFile: file) }
        }
        if report.skipped == 0 {
            print("ok: \(report.accepted) valid \(loaded.dataset.kind.rawValue) puzzle(s) in \(inputs.joined(separator: ", ")) (\(seconds(since: start)))")
            return
        }
        printSkipReport(report, maxErrors: maxErrors, header: "\(report.skipped) bad row(s), \(report.accepted) valid:")
        throw ExitCode(1)
    }
}
