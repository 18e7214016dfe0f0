// Turning dataset examples back into text grids for `trm data show`, and summary statistics for
// `trm data stats`.

public enum PuzzleDisplay {
    /// Example i as text: its input grid, then its label grid (`?` marks ignored cells).
    public static func render(_ dataset: PuzzleDataset, index i: Int) -> String {
        let input = Array(dataset.input(i)), label = Array(dataset.label(i))
        let id = dataset.puzzleIdentifiers[i]
        var out = "example \(i) (puzzle identifier \(id))\n"
        switch dataset.kind {
        case .sudoku:
            let q = SudokuGrid(tokens: input), a = SudokuGrid(tokens: label)
            out += sideBySide(q?.pretty ?? rawGrid(input, dataset), a?.pretty ?? rawGrid(label, dataset), "puzzle", "answer")
        case .maze:
            let q = MazeGrid(tokens: input), a = MazeGrid(tokens: label)
            out += sideBySide(q?.pretty ?? rawGrid(input, dataset), a?.pretty ?? rawGrid(label, dataset), "maze", "answer")
        case .arc:
            let q = ARCCanvas.crop(input), a = ARCCanvas.crop(label.map { $0 == PuzzleDataset.ignoreLabel ? 0 : $0 })
            out += sideBySide(q.map { "\($0.rows)x\($0.cols)\n" + $0.pretty } ?? "(no grid)",
                              a.map { "\($0.rows)x\($0.cols)\n" + $0.pretty } ?? "(no answer)", "input", "output")
        case .grid:
            let alphabet = Array(dataset.metadata["grid.alphabet"] ?? "")
            func text(_ t: [Int32]) -> String {
                var s = ""
                for r in 0..<dataset.gridRows {
                    for c in 0..<dataset.gridCols {
                        let v = Int(t[r * dataset.gridCols + c])
                        s.append(v == Int(PuzzleDataset.ignoreLabel) ? "?" : (v >= 1 && v <= alphabet.count ? alphabet[v - 1] : "·"))
                    }
                    if r < dataset.gridRows - 1 { s += "\n" }
                }
                return s
            }
            out += sideBySide(text(input), text(label), "input", "target")
        }
        return out
    }

    /// Tokens as numbers, one grid row per line.
    static func rawGrid(_ tokens: [Int32], _ d: PuzzleDataset) -> String {
        (0..<d.gridRows).map { r in
            (0..<d.gridCols).map { String(tokens[r * d.gridCols + $0]) }.joined(separator: " ")
        }.joined(separator: "\n")
    }

    /// Two blocks of text next to each other, each under its title.
    public static func sideBySide(_ left: String, _ right: String, _ leftTitle: String, _ rightTitle: String) -> String {
        let l = [leftTitle] + left.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let r = [rightTitle] + right.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let width = (l.map(\.count).max() ?? 0) + 4
        var out = ""
        for k in 0..<max(l.count, r.count) {
            let a = k < l.count ? l[k] : ""
            let b = k < r.count ? r[k] : ""
            out += a + String(repeating: " ", count: width - a.count) + b + "\n"
        }
        return out
    }
}

/// Counts that describe a dataset.
public struct DatasetStatistics: Sendable, Codable, Equatable {
    public var kind: PuzzleKind
    public var count: Int
    public var seqLen: Int
    public var vocabSize: Int
    public var numPuzzleIdentifiers: Int
    /// inputTokenCounts[t] = how often token t appears in the inputs. [vocabSize]
    public var inputTokenCounts: [Int]
    /// Fraction of label cells that are ignored.
    public var ignoredLabelFraction: Double
    /// Fraction of predicted cells whose label differs from the input (the cells to fill in).
    public var changedCellFraction: Double
    /// Mazes: how many have more than one right answer (several shortest paths; the label marks
    /// one). Nil for other kinds.
    public var puzzlesWithSeveralRightAnswers: Int?

    public init(_ d: PuzzleDataset) {
        kind = d.kind
        count = d.count
        seqLen = d.seqLen
        vocabSize = d.vocabSize
        numPuzzleIdentifiers = d.numPuzzleIdentifiers
        var counts = [Int](repeating: 0, count: d.vocabSize)
        for t in d.inputs where t >= 0 && Int(t) < d.vocabSize { counts[Int(t)] += 1 }
        inputTokenCounts = counts
        var ignored = 0, changed = 0
        for i in 0..<d.labels.count {
            let l = d.labels[i]
            if l == PuzzleDataset.ignoreLabel { ignored += 1 } else if l != d.inputs[i] { changed += 1 }
        }
        let total = max(1, d.labels.count)
        ignoredLabelFraction = Double(ignored) / Double(total)
        changedCellFraction = Double(changed) / Double(max(1, total - ignored))
        puzzlesWithSeveralRightAnswers = d.puzzlesWithSeveralRightAnswers
    }
}
