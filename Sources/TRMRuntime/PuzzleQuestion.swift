// PuzzleQuestion: one user puzzle ready for a model: its tokens, how to draw a prediction as a grid of
// characters, and the verdict on an answer. The verdict comes from the exact validators in TRMPuzzles
// (Sudoku rules and clues; a shortest S-G maze path), never from the model.
import Foundation
import TRMPuzzles

public enum PuzzleQuestion: Sendable, Equatable {
    case sudoku(SudokuGrid)
    /// A 4x4 Sudoku (2x2 boxes, digits 1...4; cells 0 = blank): the `trm-tiny-sudoku4` models.
    case miniSudoku([UInt8])
    /// The maze without path marks.
    case maze(MazeGrid)
    /// One ARC test input and, when the task file has it, the expected output.
    case arc(input: ARCGrid, expected: ARCGrid?)
    /// A user-defined grid task: input tokens [rows * cols] and, when given, target labels
    /// (`PuzzleDataset.ignoreLabel` on masked-out cells).
    case grid(spec: GridTaskSpec, input: [Int32], target: [Int32]?)

    public var kind: PuzzleKind {
        switch self {
        case .sudoku, .miniSudoku: return .sudoku
        case .maze: return .maze
        case .arc: return .arc
        case .grid: return .grid
        }
    }

    /// Model input tokens. [seqLen]
    public var tokens: [Int32] {
        switch self {
        case .sudoku(let g): return g.tokens
        case .miniSudoku(let cells): return cells.map { Int32($0) + 1 }
        case .maze(let m): return m.tokens
        case .arc(let input, _): return ARCCanvas.encode(input)
        case .grid(_, let input, _): return input
        }
    }

    /// Rows and columns of the token layout (ARC: the 30x30 canvas).
    public var shape: (rows: Int, cols: Int) {
        switch self {
        case .sudoku: return (9, 9)
        case .miniSudoku: return (4, 4)
        case .maze(let m): return (m.side, m.side)
        case .arc: return (ARCCanvas.side, ARCCanvas.side)
        case .grid(let spec, _, _): return (spec.rows, spec.cols)
        }
    }

    /// Cells the user gave (Sudoku clues, maze walls/S/G) that an answer must keep; drawn plain.
    public var givenCells: Set<Int> {
        switch self {
        case .sudoku(let g): return Set(g.cells.indices.filter { g.cells[$0] != 0 })
        case .miniSudoku(let cells): return Set(cells.indices.filter { cells[$0] != 0 })
        case .maze(let m): return Set(m.cells.indices.filter { m.cells[$0] != .open })
        case .arc, .grid: return []
        }
    }

    // MARK: Rendering

    /// One character per cell of the question itself. [rows] strings of [cols] characters
    public var questionRows: [String] { rows(tokens) }

    /// A prediction (tokens [seqLen]) as text rows, one character per cell. Tokens the kind cannot
    /// hold are drawn as `?` (Sudoku blank/pad as `.`); ARC draws pad as `·` and the end marker as `|`.
    public func rows(_ prediction: [Int32]) -> [String] {
        let (r, c) = shape
        guard prediction.count == r * c else { return ["(prediction has \(prediction.count) cells, expected \(r * c))"] }
        let chars = prediction.map(character)
        return (0..<r).map { String(chars[($0 * c)..<(($0 + 1) * c)]) }
    }

    /// The character for one predicted token.
    public func character(_ t: Int32) -> Character {
        switch self {
        case .sudoku:
            return (2...10).contains(t) ? Character(String(t - 1)) : "."
        case .miniSudoku:
            return (2...5).contains(t) ? Character(String(t - 1)) : "."
        case .maze:
            return MazeCell(rawValue: UInt8(clamping: t)).map(\.character) ?? "?"
        case .arc:
            if t == ARCCanvas.padToken { return "·" }
            if t == ARCCanvas.endToken { return "|" }
            return (2...11).contains(t) ? Character(String(t - 2)) : "?"
        case .grid(let spec, _, _):
            let a = Array(spec.alphabet)
            return t >= 1 && Int(t) <= a.count ? a[Int(t) - 1] : "?"
        }
    }

    /// The answer in the kind's own form: Sudoku 81-char line, maze rows, ARC grid rows (digits),
    /// grid rows in the task alphabet.
    public func answerRows(_ prediction: [Int32]) -> [String] {
        switch self {
        case .arc:
            // Read as the reference's evaluator crops a prediction (the largest all-colour
            // rectangle at the top-left; none: no rows).
            return ARCCanvas.cropPrediction(prediction).nested.map { $0.map(String.init).joined() }
        default:
            return rows(prediction)
        }
    }

    // MARK: Verdict

    /// Checks a predicted answer with the exact validator for the kind.
    public func verdict(_ prediction: [Int32]) -> Verdict {
        switch self {
        case .sudoku(let q):
            let validator = "sudoku: complete, agrees with every clue, no digit twice in a row, column or box"
            guard prediction.count == 81 else { return Verdict(.invalid, "answer has \(prediction.count) cells", validator) }
            let answer = SudokuGrid(cells: prediction.map { (2...10).contains($0) ? UInt8($0 - 1) : 0 })
            if let problem = q.completionProblem(answer) { return Verdict(.invalid, problem, validator) }
            return Verdict(.valid, nil, validator)
        case .miniSudoku(let q):
            let validator = "sudoku 4x4: complete, agrees with every clue, no digit twice in a row, column or 2x2 box"
            guard prediction.count == 16 else { return Verdict(.invalid, "answer has \(prediction.count) cells", validator) }
            let answer = prediction.map { (2...5).contains($0) ? UInt8($0 - 1) : 0 }
            if let blank = answer.firstIndex(of: 0) {
                return Verdict(.invalid, "answer has a blank at row \(blank / 4 + 1), column \(blank % 4 + 1)", validator)
            }
            for i in 0..<16 where q[i] != 0 && q[i] != answer[i] {
                return Verdict(.invalid, "answer \(answer[i]) contradicts clue \(q[i]) at row \(i / 4 + 1), column \(i % 4 + 1)", validator)
            }
            if !TinySudoku.isConsistent(answer) { return Verdict(.invalid, "answer breaks the rules: a digit repeats in a row, column or box", validator) }
            return Verdict(.valid, nil, validator)
        case .maze(let q):
            let validator = "maze: question unchanged, marks exactly one shortest S-to-G path"
            guard let answer = MazeGrid(tokens: prediction), answer.side == q.side else {
                let bad = prediction.firstIndex { !(1...5).contains($0) }
                return Verdict(.invalid, bad.map { "cell \($0) holds token \(prediction[$0]), not a maze cell" }
                               ?? "answer is not a \(q.side)x\(q.side) maze", validator)
            }
            if let problem = MazeSolver.answerProblem(question: q, answer: answer) { return Verdict(.invalid, problem, validator) }
            return Verdict(.valid, nil, validator)
        case .arc(_, let expected):
            let validator = "arc: exact match with the task's test output"
            guard let expected else { return Verdict(.unchecked, "the task has no test output to compare with", validator) }
            // The prediction as the reference's evaluator crops it, as voting reads it too.
            let got = ARCCanvas.cropPrediction(prediction)
            guard got.rows > 0 else {
                return Verdict(.invalid, "no colour at the canvas's top-left corner, so the answer is the empty grid", validator)
            }
            if got == expected { return Verdict(.valid, nil, validator) }
            if got.rows != expected.rows || got.cols != expected.cols {
                return Verdict(.invalid, "answer is \(got.rows)x\(got.cols), expected \(expected.rows)x\(expected.cols)", validator)
            }
            let wrong = zip(got.cells, expected.cells).filter { $0 != $1 }.count
            return Verdict(.invalid, "\(wrong) of \(got.cells.count) cells differ from the expected output", validator)
        case .grid(let spec, _, let target):
            let validator = "grid: matches the target on every predicted (unmasked) cell"
            guard let target else { return Verdict(.unchecked, "no target given to compare with", validator) }
            let wrong = zip(prediction, target).enumerated().filter { $0.element.1 != -100 && $0.element.0 != $0.element.1 }
            if let first = wrong.first {
                return Verdict(.invalid, "\(wrong.count) cells differ from the target, first at row \(first.offset / spec.cols + 1), column \(first.offset % spec.cols + 1)", validator)
            }
            return Verdict(.valid, nil, validator)
        }
    }
}

/// Whether an answer obeys the puzzle's rules, from an exact validator.
public struct Verdict: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case valid, invalid, unchecked }
    public var status: Status
    /// Why the answer is not valid (or why it was not checked); nil when valid.
    public var reason: String?
    /// What the validator checks.
    public var validator: String

    public init(_ status: Status, _ reason: String?, _ validator: String) {
        self.status = status; self.reason = reason; self.validator = validator
    }

    public var isValid: Bool { status == .valid }
}
