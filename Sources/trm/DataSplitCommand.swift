// `trm data split` and `trm data overlap`: honest training data. A training or validation puzzle
// that is a version of a held-out one (what training's augmentation can turn it into) is a test
// puzzle seen in training; `split` drops those (and repeats), mixes files and cuts a validation
// split; `overlap` checks files already cut.
import ArgumentParser
import Foundation
import TRMPuzzles

/// Rows of Sudoku or maze CSVs with their parsed questions, the kind taken from the first file.
private struct VersionedRows {
    enum Puzzles { case sudoku([SudokuGrid]), maze([MazeGrid]) }
    var kind: PuzzleKind
    var rows: [(file: String, row: PuzzleRow)] = []
    var puzzles: Puzzles

    /// Reads `paths`; `requireAnswers` validates each row as a training pair (answer included),
    /// otherwise only its question is read (held-out files). Errors name file and line.
    static func read(_ paths: [String], kind wanted: PuzzleKind?, requireAnswers: Bool, role: String) throws -> VersionedRows {
        guard let first = paths.first else { throw ValidationError("no \(role) files") }
        let kind = try wanted ?? PuzzleLoader.detectKind(path: first)
        guard kind == .sudoku || kind == .maze else {
            throw ValidationError("\(first): \(kind.rawValue) puzzles: split and overlap know the augmentations of sudoku and maze CSVs (ARC: `trm data build --arc-evaluation` refuses overlapping tasks)")
        }
        var result = VersionedRows(kind: kind, puzzles: kind == .sudoku ? .sudoku([]) : .maze([]))
        var sudoku: [SudokuGrid] = [], mazes: [MazeGrid] = []
        var side: Int?
        for path in paths {
            for row in try PuzzleRowReader.read(path: path) {
                let at = DataLocation(file: path, line: row.line)
                switch kind {
                case .sudoku:
                    if requireAnswers {
                        sudoku.append(try SudokuRecord.parse(row, file: path).puzzle)
                    } else {
                        switch SudokuGrid.parse(row.question) {
                        case .success(let g): sudoku.append(g)
                        case .failure(let f): throw DataError.malformedRow(at, reason: "question: \(f.reason)")
                        }
                    }
                default:
                    if requireAnswers {
                        let q = try MazeRecord.parse(row, file: path, side: side).question
                        side = side ?? q.side
                        mazes.append(q)
                    } else {
                        switch MazeGrid.parse(row.question, allowPath: false) {
                        case .success(let g): mazes.append(g)
                        case .failure(let f): throw DataError.malformedRow(at, reason: "question: \(f.reason)")
                        }
                    }
                }
                result.rows.append((path, row))
            }
        }
        result.puzzles = kind == .sudoku ? .sudoku(sudoku) : .maze(mazes)
        return result
    }

    /// Held-out sets must be the same kind as the training rows.
    static func readHeldOut(_ paths: [String], kind: PuzzleKind) throws -> [VersionedRows] {
        try paths.map { path in
            let detected = try PuzzleLoader.detectKind(path: path)
            guard detected == kind else {
                throw ValidationError("\(path) holds \(detected.rawValue) puzzles, the training rows are \(kind.rawValue)")
            }
            return try read([path], kind: kind, requireAnswers: false, role: "held-out")
        }
    }

    func split(heldOut: [VersionedRows], validation: Int, seed: UInt64?, dropRepeats: Bool) throws -> PuzzleSplit {
        switch puzzles {
        case .sudoku(let p):
            return try PuzzleSplit.make(p, heldOut: heldOut.map { if case .sudoku(let h) = $0.puzzles { h } else { [] } },
                                        validation: validation, seed: seed, dropRepeats: dropRepeats)
        case .maze(let p):
            return try PuzzleSplit.make(p, heldOut: heldOut.map { if case .maze(let h) = $0.puzzles { h } else { [] } },
                                        validation: validation, seed: seed, dropRepeats: dropRepeats)
        }
    }

    func csv(_ indices: [Int]) -> [UInt8] {
        var text = "source,question,answer,rating\n"
        for i in indices {
            let r = rows[i].row
            text += "\(r.source),\(r.question),\(r.answer),\(r.rating.map(String.init) ?? "")\n"
        }
        return Array(text.utf8)
    }

    func location(_ i: Int) -> String { "\(rows[i].file):\(rows[i].row.line)" }
}

/// What was dropped, counted per reason and held-out file.
private func dropSummary(_ split: PuzzleSplit, heldOut: [VersionedRows], heldOutPaths: [String]) -> [String] {
    var lines: [String] = []
    for (s, path) in heldOutPaths.enumerated() {
        let n = split.dropped.filter { if case .heldOut(s, _) = $0.reason { true } else { false } }.count
        lines.append("\(path): \(heldOut[s].rows.count) held-out puzzles; \(n) row(s) are versions of one")
    }
    let repeats = split.dropped.filter { if case .repeated = $0.reason { true } else { false } }.count
    lines.append("repeats (versions of an earlier row): \(repeats)")
    return lines
}

struct DataSplit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Mix Sudoku or maze CSVs, drop held-out puzzles and repeats up to augmentation, cut a validation split.",
        discussion: """
        A version of a puzzle is what training's augmentation can make of it: mazes rotated or \
        mirrored; Sudoku with digits relabelled, transposed, bands/rows and stacks/columns \
        permuted. Every input row that is a version of a puzzle in an --exclude file (held-out test \
        sets) is dropped, and so is every row that is a version of an earlier one (unless \
        --keep-repeats). The rest is shuffled (--seed; --keep-order keeps input order) and the last \
        --val rows go to --val-output. Rows keep their source, question, answer and rating.

        Examples:
          trm data split all.csv --exclude test.csv --val 500 -o train.csv --val-output val.csv
          trm data split extreme/train.csv ladder/train.csv --exclude extreme/test.csv -o mix.csv
        """)

    @Argument(help: "Sudoku or maze CSVs (source,question,answer,rating), mixed in this order.")
    var inputs: [String]

    @Option(help: "A held-out file (repeatable): no version of its puzzles may stay.")
    var exclude: [String] = []

    @Option(help: "Rows for the validation split.")
    var val = 0

    @Option(name: .outputPath, help: "Output CSV of the training rows.")
    var output: String

    @Option(help: "Output CSV of the validation rows (needed with --val).")
    var valOutput: String?

    @Option(help: "Output CSV listing each dropped row and why (file, line, reason, held-out file and line).")
    var droppedOutput: String?

    @Option(help: "Seed of the shuffle.")
    var seed: UInt64 = 0

    @Flag(help: "Keep the input order (no shuffle): the validation rows are the last --val rows kept.")
    var keepOrder = false

    @Flag(help: "Keep rows that are versions of earlier rows.")
    var keepRepeats = false

    @Option(help: "Puzzle kind: sudoku or maze (default: detected from the first input).")
    var kind: PuzzleKind?

    func validate() throws {
        guard val >= 0 else { throw ValidationError("--val must be 0 or more, got \(val)") }
        if val > 0 && valOutput == nil { throw ValidationError("--val \(val) needs --val-output FILE") }
        let outputs = [output] + [valOutput, droppedOutput].compactMap { $0 }
        for o in outputs where inputs.contains(o) || exclude.contains(o) {
            throw ValidationError("\(o) is both an input and an output; write the split elsewhere")
        }
    }

    func run() throws {
        let data = try VersionedRows.read(inputs, kind: kind, requireAnswers: true, role: "input")
        let heldOut = try VersionedRows.readHeldOut(exclude, kind: data.kind)
        let split = try data.split(heldOut: heldOut, validation: val, seed: keepOrder ? nil : seed, dropRepeats: !keepRepeats)
        for line in dropSummary(split, heldOut: heldOut, heldOutPaths: exclude) { print(line) }
        guard !split.train.isEmpty else {
            throw ValidationError("no row of \(inputs.joined(separator: ", ")) is left for training (\(split.dropped.count) dropped)")
        }
        try DatasetFile.writeAtomically(data.csv(split.train), to: output)
        if let valOutput { try DatasetFile.writeAtomically(data.csv(split.validation), to: valOutput) }
        if let droppedOutput {
            var text = "file,line,reason,heldout_file,heldout_line\n"
            for (i, reason) in split.dropped {
                let (file, line) = (data.rows[i].file, data.rows[i].row.line)
                switch reason {
                case let .heldOut(s, h): text += "\(file),\(line),held-out version,\(exclude[s]),\(heldOut[s].rows[h].row.line)\n"
                case let .repeated(of: e): text += "\(file),\(line),repeat,\(data.rows[e].file),\(data.rows[e].row.line)\n"
                }
            }
            try DatasetFile.writeAtomically(Array(text.utf8), to: droppedOutput)
        }
        print("\(data.rows.count) \(data.kind.rawValue) rows in, \(split.dropped.count) dropped: \(split.train.count) -> \(output)"
              + (valOutput.map { ", \(split.validation.count) -> \($0)" } ?? ""))
    }
}

struct DataOverlap: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overlap",
        abstract: "Check that no training or validation puzzle is a version of a held-out one; non-zero exit if any is.",
        discussion: """
        Versions as for `trm data split`: what training's augmentation can make of a puzzle. Lists \
        the first --max-listed pairs (training file:line = held-out file:line).

        Example:
          trm data overlap train.csv val.csv --heldout test.csv
        """)

    @Argument(help: "Training and validation CSVs.")
    var inputs: [String]

    @Option(help: "A held-out file (repeatable).")
    var heldout: [String]

    @Option(help: "List at most this many pairs.")
    var maxListed = 10

    @Option(help: "Puzzle kind: sudoku or maze (default: detected from the first input).")
    var kind: PuzzleKind?

    func validate() throws {
        guard !heldout.isEmpty else { throw ValidationError("name at least one --heldout file") }
        guard maxListed >= 0 else { throw ValidationError("--max-listed must be 0 or more, got \(maxListed)") }
    }

    func run() throws {
        let data = try VersionedRows.read(inputs, kind: kind, requireAnswers: false, role: "input")
        let heldOut = try VersionedRows.readHeldOut(heldout, kind: data.kind)
        let split = try data.split(heldOut: heldOut, validation: 0, seed: nil, dropRepeats: false)
        let found = split.dropped.compactMap { d -> (Int, Int, Int)? in
            if case let .heldOut(s, h) = d.reason { (d.index, s, h) } else { nil }
        }
        for line in dropSummary(split, heldOut: heldOut, heldOutPaths: heldout).dropLast() { print(line) }
        for (i, s, h) in found.prefix(maxListed) { print("  \(data.location(i)) = \(heldout[s]):\(heldOut[s].rows[h].row.line)") }
        if found.count > maxListed { print("  ... and \(found.count - maxListed) more") }
        if found.isEmpty {
            print("ok: none of the \(data.rows.count) \(data.kind.rawValue) rows is a version of a held-out puzzle")
            return
        }
        printError("\(found.count) of \(data.rows.count) rows are versions of held-out puzzles")
        throw ExitCode(1)
    }
}
