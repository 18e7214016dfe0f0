// Checking an answer by the puzzle's own rules, without its label, and trying a puzzle again in
// another version (what training's augmentation makes of it) when the answer fails the check.
//
// A Sudoku answer passes when it is a complete grid that keeps every clue and breaks no rule: for
// a puzzle with one solution that is the label, whichever version the model solved. A maze answer
// passes when it marks a shortest S-to-G path. `trm eval --tries` and `trm solve --tries` use this:
// the answer of the first version that passes counts.

/// A rearrangement of a puzzle's cells and a renaming of its tokens, and the way back.
public struct PuzzleVersionTransform: Sendable, Equatable {
    /// out[i] = in[gather[i]].
    public var gather: [Int]
    /// Token t becomes tokenMap[t] (tokens past its end stay as they are).
    public var tokenMap: [Int32]

    public init(gather: [Int], tokenMap: [Int32]) {
        self.gather = gather
        self.tokenMap = tokenMap
    }

    public static func identity(cells: Int) -> PuzzleVersionTransform {
        PuzzleVersionTransform(gather: Array(0..<cells), tokenMap: [])
    }

    /// Training's Sudoku transform on tokens (token = digit + 1, 1 = blank), as the sample stream
    /// applies it (`SudokuTransform.apply(tokens:into:)`).
    public init(_ t: SudokuTransform) {
        gather = t.cellSource
        tokenMap = (0...Int32(SudokuGrid.vocabSize - 1)).map(t.token)
    }

    /// A rotation or reflection of a side x side grid.
    public init(_ t: Dihedral, side: Int) {
        gather = t.gatherTable(side: side)
        tokenMap = []
    }

    /// The versions for tries 1..<tries of a `rows` x `cols` puzzle of `kind`, or nil when the kind
    /// has no answer check (see `PuzzleDataset.versionTransforms`). Only 9x9 Sudoku has versions.
    public static func tries(kind: PuzzleKind, rows: Int, cols: Int, tries: Int, seed: UInt64) -> [PuzzleVersionTransform]? {
        switch kind {
        case .maze where rows == cols:
            return Dihedral.allCases.dropFirst().prefix(max(0, tries - 1)).map { PuzzleVersionTransform($0, side: rows) }
        case .sudoku where rows == 9 && cols == 9:
            var rng = DeterministicRandom(seed: seed)
            return (0..<max(0, tries - 1)).map { _ in PuzzleVersionTransform(SudokuTransform.random(using: &rng)) }
        default:
            return nil
        }
    }

    private func map(_ t: Int32) -> Int32 { Int(t) < tokenMap.count && t >= 0 ? tokenMap[Int(t)] : t }

    /// The version of `tokens` (one puzzle's cells).
    public func apply<C: RandomAccessCollection>(_ tokens: C) -> [Int32] where C.Element == Int32, C.Index == Int {
        let base = tokens.startIndex
        return gather.map { map(tokens[base + $0]) }
    }

    /// The original-frame tokens of an answer given for the version.
    public func invert<C: RandomAccessCollection>(_ tokens: C) -> [Int32] where C.Element == Int32, C.Index == Int {
        var inverseMap = [Int32](repeating: 0, count: tokenMap.count)
        for (t, m) in tokenMap.enumerated() where Int(m) < inverseMap.count && m >= 0 { inverseMap[Int(m)] = Int32(t) }
        let base = tokens.startIndex
        var out = [Int32](repeating: 0, count: gather.count)
        for (i, source) in gather.enumerated() {
            let t = tokens[base + i]
            out[source] = Int(t) < inverseMap.count && t >= 0 ? inverseMap[Int(t)] : t
        }
        return out
    }
}

extension PuzzleDataset {
    /// What an answer must be to pass ``passesAnswerCheck(_:prediction:)``, or nil for kinds
    /// without a check (ARC, grid tasks).
    public var answerCheckRule: String? {
        switch kind {
        case .sudoku: return "a complete grid that keeps every clue and breaks no rule"
        case .maze: return "a shortest S-to-G path"
        default: return nil
        }
    }

    /// Whether `prediction` (seqLen tokens) passes the rule check of example `i` (its question
    /// only, never its label); nil for kinds without a check.
    public func passesAnswerCheck(_ i: Int, prediction: ArraySlice<Int32>) -> Bool? {
        switch kind {
        case .sudoku:
            guard let question = SudokuGrid(tokens: Array(input(i))), let answer = SudokuGrid(tokens: Array(prediction)) else { return false }
            return question.conflict == nil && question.completionProblem(answer) == nil
        case .maze:
            return isRightAnswer(i, prediction: prediction)
        default:
            return nil
        }
    }

    /// The transforms for tries 1..<tries (try 0 is the puzzle as given), or nil for kinds without
    /// an answer check. Mazes: the 7 other rotations and reflections, in order (so at most 8
    /// tries); Sudoku: random training transforms drawn with `seed`.
    public func versionTransforms(tries: Int, seed: UInt64) -> [PuzzleVersionTransform]? {
        PuzzleVersionTransform.tries(kind: kind, rows: gridRows, cols: gridCols, tries: tries, seed: seed)
    }

    /// Examples `rows`, each in the version `transform` makes of it (inputs and labels alike).
    public func versions(of rows: [Int], transform: PuzzleVersionTransform) -> PuzzleDataset {
        var d = self
        d.inputs = []; d.labels = []
        d.inputs.reserveCapacity(rows.count * seqLen)
        d.labels.reserveCapacity(rows.count * seqLen)
        for i in rows {
            d.inputs += transform.apply(input(i))
            d.labels += transform.apply(label(i))
        }
        d.puzzleIdentifiers = rows.map { puzzleIdentifiers[$0] }
        d.ratings = ratings.map { r in rows.map { r[$0] } }
        return d
    }
}
