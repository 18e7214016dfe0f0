// PuzzleParser: a user's puzzle text (an 81-character Sudoku line or grid, maze rows, an ARC task
// JSON, a grid-task JSONL header + example line) -> PuzzleQuestion, with a reason on bad input.
// Shared by `trm solve`, the HTTP server and the MCP tools. Never traps on input.
import Foundation
import TRMPuzzles

/// Which parser to use; `auto` tells from the text.
public enum PuzzleInputKind: String, Sendable, CaseIterable, Codable {
    case auto, sudoku, maze, arc, grid
}

/// Why a puzzle could not be read.
public struct PuzzleInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var kind: String
    public var reason: String
    public init(kind: String, reason: String) { self.kind = kind; self.reason = reason }
    public var description: String {
        ["auto", "csv", "input"].contains(kind) ? "cannot read the puzzle: \(reason)" : "not a valid \(kind) puzzle: \(reason)"
    }
}

public enum PuzzleParser {
    /// Largest text accepted (a 30x30 ARC task with many pairs fits easily).
    public static let maximumBytes = 1 << 20

    /// Parses `text` as `kind`. `index` picks the ARC test pair / grid example line (0-based);
    /// `gridSpec` supplies the grid task header when the text has none (from the model).
    public static func parse(_ text: String, kind: PuzzleInputKind = .auto, index: Int = 0,
                             gridSpec: GridTaskSpec? = nil) throws(PuzzleInputError) -> PuzzleQuestion {
        guard text.utf8.count <= maximumBytes else {
            throw PuzzleInputError(kind: kind.rawValue, reason: "input is \(text.utf8.count) bytes; at most \(maximumBytes)")
        }
        let resolved = kind == .auto ? try detect(text, gridSpec: gridSpec) : kind
        switch resolved {
        case .sudoku: return try sudoku(text)
        case .maze: return try maze(text)
        case .arc: return try arc(text, index: index)
        case .grid: return try grid(text, index: index, spec: gridSpec)
        case .auto: throw PuzzleInputError(kind: "auto", reason: "cannot tell the kind")
        }
    }

    /// Tells the kind from the text: JSON with "train"/"test" is ARC, JSON with a grid header or
    /// "input" is a grid task, 81 digits/dots is Sudoku, `#`/`S`/`G` rows are a maze.
    public static func detect(_ text: String, gridSpec: GridTaskSpec? = nil) throws(PuzzleInputError) -> PuzzleInputKind {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { throw PuzzleInputError(kind: "auto", reason: "the input is empty") }
        if trimmed.hasPrefix("{") {
            let firstLine = trimmed.split(whereSeparator: \.isNewline).first.map(String.init) ?? trimmed
            if let o = (try? JSONSerialization.jsonObject(with: Data(firstLine.utf8))) as? [String: Any] {
                if o["train"] != nil || o["test"] != nil { return .arc }
                if o["alphabet"] != nil || o["format"] != nil || o["input"] != nil { return .grid }
            }
            if let o = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any],
               o["train"] != nil || o["test"] != nil { return .arc }
            throw PuzzleInputError(kind: "auto", reason: "JSON input is neither an ARC task ({\"train\", \"test\"}) nor a grid task (header line then {\"input\": ...}); use --kind")
        }
        let sudokuChars = Set("0123456789.|+-_")
        if trimmed.allSatisfy({ $0.isWhitespace || sudokuChars.contains($0) }),
           [81, 16].contains(trimmed.filter({ $0.isNumber || $0 == "." }).count) { return .sudoku }
        if trimmed.contains(where: { "#SG".contains($0) }) { return .maze }
        throw PuzzleInputError(kind: "auto", reason: "cannot tell the kind (81 digits and dots for Sudoku; '#', ' ', 'S', 'G' rows for a maze; ARC or grid JSON); use --kind")
    }

    /// 81 cells (9x9) or 16 cells (4x4): digits, `.` or `0` blank; whitespace and box-drawing `|+-`
    /// are ignored.
    public static func sudoku(_ text: String) throws(PuzzleInputError) -> PuzzleQuestion {
        let cells = text.filter { !$0.isWhitespace && !"|+-".contains($0) }.map { $0 == "_" ? "." : $0 }
        if cells.count == 16 { return try miniSudoku(cells) }
        switch SudokuGrid.parse(String(cells)) {
        case .success(let g):
            if let conflict = g.conflict { throw PuzzleInputError(kind: "sudoku", reason: "the clues break the rules: \(conflict)") }
            return .sudoku(g)
        case .failure(let f): throw PuzzleInputError(kind: "sudoku", reason: f.reason)
        }
    }

    static func miniSudoku(_ cells: [Character]) throws(PuzzleInputError) -> PuzzleQuestion {
        var out: [UInt8] = []
        for (i, ch) in cells.enumerated() {
            switch ch {
            case ".", "0": out.append(0)
            case "1", "2", "3", "4": out.append(UInt8(String(ch))!)
            default: throw PuzzleInputError(kind: "sudoku", reason: "unknown character '\(ch)' at position \(i + 1) of a 4x4 Sudoku; use digits 1-4 and '.' or '0' for blanks")
            }
        }
        guard TinySudoku.isConsistent(out) else { throw PuzzleInputError(kind: "sudoku", reason: "the clues break the rules: a digit repeats in a row, column or box") }
        return .miniSudoku(out)
    }

    /// An answer given with a puzzle (a data row's answer column) as `kind`: parsed like a puzzle,
    /// except that a maze keeps its `o` path marks (the answer is the path).
    public static func answer(_ text: String, kind: PuzzleInputKind, gridSpec: GridTaskSpec? = nil) throws(PuzzleInputError) -> PuzzleQuestion {
        kind == .maze ? try maze(text, keepingPath: true) : try parse(text, kind: kind, gridSpec: gridSpec)
    }

    /// A square maze: one text row per line (`#` wall, space open, `S` start, `G` goal, `o` path
    /// marks are dropped unless `keepingPath`), one line of rows separated by `|` (as the web page's
    /// URL takes them: handy on a command line), or a single line of side*side cells. Rows shorter
    /// than the widest are padded with open cells (editors strip trailing spaces).
    public static func maze(_ text: String, keepingPath: Bool = false) throws(PuzzleInputError) -> PuzzleQuestion {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        if lines.count == 1, lines[0].contains("|") {
            lines = lines[0].split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        }
        guard !lines.isEmpty else { throw PuzzleInputError(kind: "maze", reason: "the input is empty") }
        let cells: String
        if lines.count == 1 {
            cells = lines[0]
        } else {
            let width = lines.map(\.count).max() ?? 0
            guard width == lines.count else {
                throw PuzzleInputError(kind: "maze", reason: "a maze must be square: \(lines.count) rows, widest row \(width) cells")
            }
            cells = lines.map { $0 + String(repeating: " ", count: width - $0.count) }.joined()
        }
        switch MazeGrid.parse(cells, allowPath: true) {
        case .success(let m): return .maze(keepingPath ? m : m.withoutPath)
        case .failure(let f): throw PuzzleInputError(kind: "maze", reason: f.reason)
        }
    }

    /// An ARC task JSON; solves test pair `index` (or train pair `index` when there are no tests).
    public static func arc(_ text: String, index: Int) throws(PuzzleInputError) -> PuzzleQuestion {
        let task: ARCTask
        do { task = try ARCTaskLoader.parse(Data(text.utf8), id: "input", file: "input") } catch {
            throw PuzzleInputError(kind: "arc", reason: error.description)
        }
        let pairs = task.test.isEmpty ? task.train : task.test
        guard index >= 0, index < pairs.count else {
            throw PuzzleInputError(kind: "arc", reason: "pair \(index) does not exist; the task has \(pairs.count) \(task.test.isEmpty ? "train" : "test") pairs")
        }
        return .arc(input: pairs[index].input, expected: pairs[index].output)
    }

    /// A grid task: an optional header line `{"format": "trm-grid", "alphabet", "rows", "cols"}` (else
    /// `spec`), then example lines `{"input": ..., "target"?: ..., "mask"?: ...}`; solves line `index`.
    public static func grid(_ text: String, index: Int, spec given: GridTaskSpec?) throws(PuzzleInputError) -> PuzzleQuestion {
        var lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var spec = given
        if let first = lines.first, let header = try? JSONDecoder().decode(GridTaskSpec.self, from: Data(first.utf8)) {
            spec = header
            lines.removeFirst()
        }
        guard let spec else {
            throw PuzzleInputError(kind: "grid", reason: "a grid task needs its header line first: {\"format\": \"trm-grid\", \"alphabet\": \"...\", \"rows\": R, \"cols\": C}")
        }
        if let problem = headerProblem(spec) { throw PuzzleInputError(kind: "grid", reason: problem) }
        guard index >= 0, index < lines.count else {
            throw PuzzleInputError(kind: "grid", reason: lines.isEmpty ? "no example line after the header" : "example \(index) does not exist; there are \(lines.count)")
        }
        guard var object = (try? JSONSerialization.jsonObject(with: Data(lines[index].utf8))) as? [String: Any] else {
            throw PuzzleInputError(kind: "grid", reason: "example line is not a JSON object {\"input\": ...}")
        }
        let hasTarget = object["target"] != nil
        if !hasTarget, let input = object["input"] { object["target"] = input }
        guard let line = try? JSONSerialization.data(withJSONObject: object) else {
            throw PuzzleInputError(kind: "grid", reason: "example line cannot be read")
        }
        var table: [Character: Int32] = [:]
        for (i, ch) in spec.alphabet.enumerated() { table[ch] = Int32(i + 1) }
        do {
            let example = try GridTaskReader.example(String(decoding: line, as: UTF8.self), spec: spec, table: table,
                                                     at: DataLocation(file: "input", line: index + 1))
            return .grid(spec: spec, input: example.input, target: hasTarget ? example.label : nil)
        } catch {
            throw PuzzleInputError(kind: "grid", reason: error.description)
        }
    }

    static func headerProblem(_ spec: GridTaskSpec) -> String? {
        if spec.format != "trm-grid" { return "format is \"\(spec.format)\", expected \"trm-grid\"" }
        if spec.alphabet.isEmpty { return "alphabet is empty" }
        if Set(spec.alphabet).count != spec.alphabet.count { return "alphabet \"\(spec.alphabet)\" repeats a character" }
        if spec.rows < 1 || spec.cols < 1 || spec.rows > 1024 || spec.cols > 1024 || spec.rows * spec.cols > 65_536 {
            return "grid shape \(spec.rows)x\(spec.cols) is not usable (1...65536 cells)"
        }
        return nil
    }

    /// Why `question` cannot go to `model`, or nil: same kind and token layout.
    public static func mismatch(_ question: PuzzleQuestion, for model: LoadedModel) -> String? {
        let c = model.run.model
        if question.kind != model.kind {
            return "the model '\(model.name)' solves \(model.kind.rawValue) puzzles (\(c.seqLen) cells), not \(question.kind.rawValue)"
        }
        let n = question.tokens.count
        if !model.takes(cells: n) {
            return "the model '\(model.name)' takes \(c.seqLen) cells (e.g. \(side(c.seqLen))), this puzzle has \(n)"
        }
        if let bad = question.tokens.first(where: { $0 < 0 || Int($0) >= c.vocabSize }) {
            return "token \(bad) is outside the model's vocabulary 0..<\(c.vocabSize)"
        }
        return nil
    }

    /// What to do when no loaded model solves `kind` (puzzles of `cells` cells, when known): the
    /// commands that build data and train one, and how to use it: `--model` for `trm solve`/`eval`,
    /// or, for a server (`restart`: "trm serve" or "trm mcp"), the command that restarts it with it.
    public static func howToGetModel(for kind: PuzzleKind, cells: Int? = nil, restart: String? = nil) -> String {
        let recipe: String, run: String
        switch kind {
        case .sudoku where cells == 16:
            run = "runs/sudoku4"
            recipe = "trm train --preset trm-tiny-sudoku4 --out \(run)"
        case .sudoku:
            run = "runs/sudoku"
            recipe = "trm data build ../shared/data/sudoku-extreme-lite/train.csv -o sudoku.trmd && trm train --preset trm-mlp-sudoku --data sudoku.trmd --out \(run)"
        case .maze:
            let side = cells.map { Int(Double($0).squareRoot()) }.flatMap { $0 * $0 == cells && $0 >= 2 ? $0 : nil }
            if let side, side != 30 {
                // Models/maze/train-config.json leaves seqLen to the data, so it trains any side.
                run = "runs/maze\(side)"
                recipe = "trm data generate maze --side \(side) --min-path-cells \(side) --unique-path --count 10000 -o maze\(side).csv && "
                    + "trm train --config Models/maze/train-config.json --data maze\(side).csv --out \(run)"
            } else {
                run = "runs/maze"
                recipe = "trm data build ../shared/data/maze-30x30-hard/train.csv -o maze.trmd && trm train --preset trm-att-maze --data maze.trmd --out \(run)"
            }
        case .arc:
            run = "runs/arc"
            recipe = "trm data build ARC_TRAINING_DIR -o arc.trmd && trm train --preset trm-att-arc --data arc.trmd --out \(run)"
        case .grid:
            run = "runs/task"
            recipe = "trm data build my-task.jsonl -o task.trmd && trm train --config my-config.json --data task.trmd --out \(run)"
        }
        let use = restart.map { "restart the server with it: `\($0) --model \(run)` (repeat --model for several kinds)" }
            ?? "pass it with --model \(run)"
        return "To solve \(kind.rawValue) puzzles\(cells.map { " of \(side($0))" } ?? ""), train a model (`\(recipe)`) and \(use)"
    }

    /// The whole message when `question` cannot go to `model` (nil when it can): what differs and
    /// what to do. `restart` names the server command ("trm serve", "trm mcp") when a server asks.
    public static func fitProblem(_ question: PuzzleQuestion, for model: LoadedModel, restart: String? = nil) -> String? {
        guard let problem = mismatch(question, for: model) else { return nil }
        let kind = question.kind, cells = question.tokens.count
        if kind != model.kind {
            // Without --model the bundled model of the puzzle's kind would have been used.
            if restart == nil, let bundled = ModelStore.bundledDirectory(for: kind),
               URL(fileURLWithPath: bundled).standardizedFileURL != URL(fileURLWithPath: model.directory).standardizedFileURL {
                return problem + ". Leave out --model to use the bundled \(kind.rawValue) model (\(bundled))"
            }
            return problem + ". " + howToGetModel(for: kind, cells: cells, restart: restart)
        }
        if !model.takes(cells: cells) {
            return "this \(kind.rawValue) puzzle does not fit the model: \(problem). " + howToGetModel(for: kind, cells: cells, restart: restart)
        }
        return "this \(kind.rawValue) puzzle does not fit the model: \(problem)"
    }

    /// "8x8" for a square number of cells, else "N cells".
    public static func side(_ n: Int) -> String {
        let s = Int(Double(n).squareRoot())
        return s * s == n ? "\(s)x\(s)" : "\(n) cells"
    }

    /// A Sudoku (Project Euler problem 96, grid 01) solved when no puzzle is given.
    public static let defaultSudoku = "..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3.."
    /// The 4x4 default (unique solution 1234/3412/2143/4321) for 16-cell Sudoku models.
    public static let defaultMiniSudoku = "12..3.....4....1"

    /// An 8x8 maze from the bundled maze model's held-out test set (row 167 of `trm data generate maze
    /// --count 1000 --side 8 --min-path-cells 16 --unique-path --seed 42`; also the web page's example).
    public static let defaultMaze = ["  #   #S", "   ## # ", "#       ", "  ######", "#  #  G#", "#  #  ##", "  ###   ", "        "]
        .joined(separator: "\n")

    /// The puzzle solved when none is given: the 4x4 Sudoku for 16-cell Sudoku models, the 9x9 one
    /// for other Sudoku models, the 8x8 maze for 64-cell maze models; nil for other kinds and sizes.
    public static func defaultPuzzle(for model: LoadedModel) -> String? {
        switch (model.kind, model.run.model.seqLen) {
        case (.sudoku, 16): return defaultMiniSudoku
        case (.sudoku, _): return defaultSudoku
        case (.maze, 64): return defaultMaze
        default: return nil
        }
    }
}
