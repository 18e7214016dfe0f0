// The ARC token canvas: a grid placed on a 30x30 board of tokens, with end-of-grid markers.
//
// Tokens: 0 pad, 1 end-of-grid marker, colours 0...9 -> 2...11 (vocab 12). The marker fills the row
// just below the grid and the column just right of it (corner included), where they fit on the board.

public enum ARCCanvas {
    public static let side = 30
    public static let cellCount = 900
    public static let vocabSize = 12
    public static let padToken: Int32 = 0
    public static let endToken: Int32 = 1

    /// grid -> [900] tokens with the grid's top-left corner at (top, left).
    public static func encode(_ grid: ARCGrid, top: Int = 0, left: Int = 0) -> [Int32] {
        precondition(top >= 0 && left >= 0 && top + grid.rows <= side && left + grid.cols <= side, "grid does not fit the canvas there")
        var out = [Int32](repeating: padToken, count: cellCount)
        for r in 0..<grid.rows {
            for c in 0..<grid.cols { out[(top + r) * side + left + c] = Int32(grid.cells[r * grid.cols + c]) + 2 }
        }
        let below = top + grid.rows, right = left + grid.cols
        if below < side { for c in left..<min(right + 1, side) { out[below * side + c] = endToken } }
        if right < side { for r in top..<min(below + 1, side) { out[r * side + right] = endToken } }
        return out
    }

    /// Labels for a target grid: its tokens, with pad cells set to the ignore label. [900]
    public static func labels(_ grid: ARCGrid, top: Int = 0, left: Int = 0) -> [Int32] {
        encode(grid, top: top, left: left).map { $0 == padToken ? PuzzleDataset.ignoreLabel : $0 }
    }

    /// Reads a (predicted) grid back from canvas tokens placed at the top-left: the width is the run
    /// of colour tokens along row 0, the height the run down column 0; every cell of that rectangle
    /// must be a colour. Nil when no valid grid is there. tokens: [900]
    public static func crop<C: RandomAccessCollection>(_ tokens: C) -> ARCGrid? where C.Element == Int32, C.Index == Int {
        guard tokens.count == cellCount else { return nil }
        let base = tokens.startIndex
        func isColour(_ t: Int32) -> Bool { t >= 2 && t <= 11 }
        var cols = 0
        while cols < side && isColour(tokens[base + cols]) { cols += 1 }
        var rows = 0
        while rows < side && isColour(tokens[base + rows * side]) { rows += 1 }
        guard rows > 0, cols > 0 else { return nil }
        var cells: [UInt8] = []
        cells.reserveCapacity(rows * cols)
        for r in 0..<rows {
            for c in 0..<cols {
                let t = tokens[base + r * side + c]
                guard isColour(t) else { return nil }
                cells.append(UInt8(t - 2))
            }
        }
        return ARCGrid(rows: rows, cols: cols, cells: cells)
    }

    /// Reads a model's predicted grid from canvas tokens as the reference's evaluator does before
    /// voting, so that every prediction votes: the largest rectangle at the top-left whose cells are
    /// all colours. Going down the rows, the width is the shortest run of colour tokens from column
    /// 0 seen so far; the rectangle of the row with the largest area (the first on ties) wins. A
    /// prediction with no colour at (0, 0) reads as the empty 0x0 grid, which still votes (and can
    /// never be an answer). Data labels use the strict ``crop(_:)``. tokens: [900] -> rows x cols
    public static func cropPrediction<C: RandomAccessCollection>(_ tokens: C) -> ARCGrid where C.Element == Int32, C.Index == Int {
        guard tokens.count == cellCount else { return ARCGrid(rows: 0, cols: 0, cells: []) }
        let base = tokens.startIndex
        func isColour(_ t: Int32) -> Bool { t >= 2 && t <= 11 }
        var width = side, best = (rows: 0, cols: 0, area: 0)
        for row in 0..<side {
            var run = 0
            while run < width && isColour(tokens[base + row * side + run]) { run += 1 }
            width = run
            if (row + 1) * width > best.area { best = (row + 1, width, (row + 1) * width) }
        }
        var cells: [UInt8] = []
        cells.reserveCapacity(best.area)
        for r in 0..<best.rows {
            for c in 0..<best.cols { cells.append(UInt8(tokens[base + r * side + c] - 2)) }
        }
        return ARCGrid(rows: best.rows, cols: best.cols, cells: cells)
    }

    /// Training augmentation: shifts input and label content (kept at the top-left) by the same
    /// random offset that keeps both on the board. Pad fills the rest (ignore label in labels).
    /// input, label, outInput, outLabel: [rows * cols]
    static func translate(input: UnsafePointer<Int32>, label: UnsafePointer<Int32>, rows: Int, cols: Int,
                          into outInput: UnsafeMutablePointer<Int32>, label outLabel: UnsafeMutablePointer<Int32>,
                          using rng: inout DeterministicRandom) {
        var usedRows = 0, usedCols = 0
        for r in 0..<rows {
            for c in 0..<cols {
                let i = r * cols + c
                if input[i] != padToken || (label[i] != PuzzleDataset.ignoreLabel && label[i] != padToken) {
                    usedRows = max(usedRows, r + 1); usedCols = max(usedCols, c + 1)
                }
            }
        }
        let dy = rng.below(rows - usedRows + 1), dx = rng.below(cols - usedCols + 1)
        outInput.update(repeating: padToken, count: rows * cols)
        outLabel.update(repeating: PuzzleDataset.ignoreLabel, count: rows * cols)
        for r in 0..<usedRows {
            for c in 0..<usedCols {
                let from = r * cols + c, to = (r + dy) * cols + c + dx
                outInput[to] = input[from]
                outLabel[to] = label[from]
            }
        }
    }
}
