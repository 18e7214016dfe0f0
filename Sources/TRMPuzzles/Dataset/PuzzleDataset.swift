// The in-memory dataset the model side consumes: flat token arrays plus the facts needed to read them.

/// Which puzzle family a dataset holds; decides the training augmentation.
public enum PuzzleKind: String, Sendable, Codable, CaseIterable {
    case sudoku, maze, arc, grid
}

/// n examples of `seqLen` tokens each.
///
/// - inputs: [n * seqLen] tokens in 0..<vocabSize
/// - labels: [n * seqLen] tokens, or `PuzzleDataset.ignoreLabel` for cells not to predict
/// - puzzleIdentifiers: [n], each in 0..<numPuzzleIdentifiers (0 = "no identifier")
public struct PuzzleDataset: Sendable, Equatable {
    /// Label of a cell the loss must skip (PyTorch's cross-entropy default).
    public static let ignoreLabel: Int32 = -100

    public var kind: PuzzleKind
    public var seqLen: Int
    public var vocabSize: Int
    public var numPuzzleIdentifiers: Int
    /// The grid the sequence lays out, row-major: gridRows * gridCols == seqLen.
    public var gridRows: Int
    public var gridCols: Int
    public var inputs: [Int32]
    public var labels: [Int32]
    public var puzzleIdentifiers: [Int32]
    /// Free-form facts carried into the file's manifest (ARC version table, sources...).
    public var metadata: [String: String]
    /// Each example's difficulty from the source's `rating` column (Sudoku: backtracks; mazes:
    /// shortest-path steps), -1 where a row had none; nil when no row had one. [n]. Evaluation
    /// splits its accuracy by it; built .trmd files do not keep it.
    public var ratings: [Int32]?

    public var count: Int { puzzleIdentifiers.count }

    public init(kind: PuzzleKind, seqLen: Int, vocabSize: Int, numPuzzleIdentifiers: Int,
                gridRows: Int, gridCols: Int, inputs: [Int32] = [], labels: [Int32] = [],
                puzzleIdentifiers: [Int32] = [], metadata: [String: String] = [:]) {
        precondition(gridRows * gridCols == seqLen, "grid \(gridRows)x\(gridCols) does not cover seqLen \(seqLen)")
        self.kind = kind
        self.seqLen = seqLen
        self.vocabSize = vocabSize
        self.numPuzzleIdentifiers = numPuzzleIdentifiers
        self.gridRows = gridRows
        self.gridCols = gridCols
        self.inputs = inputs
        self.labels = labels
        self.puzzleIdentifiers = puzzleIdentifiers
        self.metadata = metadata
    }

    /// Appends one example. input, label: [seqLen].
    public mutating func append(input: [Int32], label: [Int32], puzzleIdentifier: Int32 = 0) {
        precondition(input.count == seqLen && label.count == seqLen, "example length must be seqLen")
        inputs += input
        labels += label
        puzzleIdentifiers.append(puzzleIdentifier)
        ratings?.append(-1)
    }

    /// Tokens of example i. [seqLen]
    public func input(_ i: Int) -> ArraySlice<Int32> { inputs[(i * seqLen)..<((i + 1) * seqLen)] }
    /// Labels of example i. [seqLen]
    public func label(_ i: Int) -> ArraySlice<Int32> { labels[(i * seqLen)..<((i + 1) * seqLen)] }

    /// Why the arrays are inconsistent (wrong lengths, tokens out of range), or nil.
    public var consistencyProblem: String? {
        let n = count
        if inputs.count != n * seqLen { return "inputs hold \(inputs.count) tokens, expected \(n) x \(seqLen)" }
        if labels.count != n * seqLen { return "labels hold \(labels.count) tokens, expected \(n) x \(seqLen)" }
        if let t = inputs.first(where: { $0 < 0 || Int($0) >= vocabSize }) { return "input token \(t) outside 0..<\(vocabSize)" }
        if let t = labels.first(where: { ($0 < 0 || Int($0) >= vocabSize) && $0 != Self.ignoreLabel }) {
            return "label \(t) outside 0..<\(vocabSize) and not the ignore label"
        }
        if let p = puzzleIdentifiers.first(where: { $0 < 0 || Int($0) >= numPuzzleIdentifiers }) {
            return "puzzle identifier \(p) outside 0..<\(numPuzzleIdentifiers)"
        }
        if let ratings, ratings.count != n { return "\(ratings.count) ratings for \(n) examples" }
        return nil
    }

    /// The first `n` examples (or all).
    public func prefix(_ n: Int) -> PuzzleDataset {
        let k = max(0, min(n, count))
        var d = self
        d.inputs = Array(inputs[0..<(k * seqLen)])
        d.labels = Array(labels[0..<(k * seqLen)])
        d.puzzleIdentifiers = Array(puzzleIdentifiers[0..<k])
        d.ratings = ratings.map { Array($0.prefix(k)) }
        return d
    }
}

extension PuzzleDataset {
    /// Sudoku records -> dataset: inputs are puzzle tokens, labels the solution tokens on all 81 cells.
    public static func sudoku(_ records: [SudokuRecord]) -> PuzzleDataset {
        var d = PuzzleDataset(kind: .sudoku, seqLen: 81, vocabSize: SudokuGrid.vocabSize,
                              numPuzzleIdentifiers: 1, gridRows: 9, gridCols: 9)
        d.inputs.reserveCapacity(records.count * 81)
        d.labels.reserveCapacity(records.count * 81)
        d.puzzleIdentifiers.reserveCapacity(records.count)
        for r in records {
            for v in r.puzzle.cells { d.inputs.append(Int32(v) + 1) }
            for v in r.solution.cells { d.labels.append(Int32(v) + 1) }
            d.puzzleIdentifiers.append(0)
        }
        if records.contains(where: { $0.rating != nil }) { d.ratings = records.map { Int32($0.rating ?? -1) } }
        return d
    }

    /// Maze records -> dataset: inputs are question tokens, labels the answer tokens on every cell.
    public static func maze(_ records: [MazeRecord]) -> PuzzleDataset {
        let side = records.first?.question.side ?? 30
        var d = PuzzleDataset(kind: .maze, seqLen: side * side, vocabSize: MazeGrid.vocabSize,
                              numPuzzleIdentifiers: 1, gridRows: side, gridCols: side)
        let kept = records.filter { $0.question.side == side }
        for r in kept {
            d.inputs += r.question.tokens
            d.labels += r.answer.tokens
            d.puzzleIdentifiers.append(0)
        }
        if kept.contains(where: { $0.rating != nil }) { d.ratings = kept.map { Int32($0.rating ?? -1) } }
        return d
    }
}
