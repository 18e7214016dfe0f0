// The 8 symmetries of the square (rotations and reflections) acting on row-major grids.
//
// Used by maze augmentation (square 30x30 grids) and ARC augmentation (rectangular grids, whose
// height and width swap under the transposing transforms).

/// One of the 8 dihedral transforms: 0 identity, 1 rot90 (clockwise), 2 rot180, 3 rot270
/// (clockwise), 4 flip left-right, 5 flip up-down, 6 transpose, 7 anti-transpose.
/// The reference's `dihedral_transform` numbers them the same way except for the rotations: its
/// 1 and 3 are np.rot90 by +90 and +270 degrees counter-clockwise, that is our rotate270 and
/// rotate90 (`ReferenceDataset.dihedral(referenceTransform:)` maps them, and a test checks it on
/// the reference's own ARC data).
public enum Dihedral: Int, CaseIterable, Sendable, Codable {
    case identity = 0, rotate90, rotate180, rotate270, flipHorizontal, flipVertical, transpose, antiTranspose

    /// Whether the transform swaps height and width.
    public var swapsAxes: Bool {
        switch self {
        case .rotate90, .rotate270, .transpose, .antiTranspose: return true
        default: return false
        }
    }

    /// The transform that undoes this one.
    public var inverse: Dihedral {
        switch self {
        case .rotate90: return .rotate270
        case .rotate270: return .rotate90
        default: return self
        }
    }

    /// Output shape for an input of `rows` x `cols`.
    public func shape(rows: Int, cols: Int) -> (rows: Int, cols: Int) {
        swapsAxes ? (cols, rows) : (rows, cols)
    }

    /// Where input cell (r, c) of a `rows` x `cols` grid lands in the output.
    @inlinable
    public func map(row r: Int, col c: Int, rows: Int, cols: Int) -> (row: Int, col: Int) {
        switch self {
        case .identity: return (r, c)
        case .rotate90: return (c, rows - 1 - r)
        case .rotate180: return (rows - 1 - r, cols - 1 - c)
        case .rotate270: return (cols - 1 - c, r)
        case .flipHorizontal: return (r, cols - 1 - c)
        case .flipVertical: return (rows - 1 - r, c)
        case .transpose: return (c, r)
        case .antiTranspose: return (cols - 1 - c, rows - 1 - r)
        }
    }

    /// grid: [rows * cols] row-major -> [cols * rows or rows * cols] row-major.
    public func apply<T>(_ grid: [T], rows: Int, cols: Int) -> [T] {
        precondition(grid.count == rows * cols, "grid size does not match its shape")
        if self == .identity { return grid }
        let outCols = shape(rows: rows, cols: cols).cols
        var out = grid
        for r in 0..<rows {
            for c in 0..<cols {
                let (nr, nc) = map(row: r, col: c, rows: rows, cols: cols)
                out[nr * outCols + nc] = grid[r * cols + c]
            }
        }
        return out
    }

    /// For a square n x n grid: `table[i]` = source index of output cell i, so out[i] = in[table[i]].
    public func gatherTable(side n: Int) -> [Int] {
        var table = [Int](repeating: 0, count: n * n)
        for r in 0..<n {
            for c in 0..<n {
                let (nr, nc) = map(row: r, col: c, rows: n, cols: n)
                table[nr * n + nc] = r * n + c
            }
        }
        return table
    }
}
