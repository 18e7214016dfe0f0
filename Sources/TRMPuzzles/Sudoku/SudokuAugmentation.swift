// Validity-preserving Sudoku transforms for training: digit relabelling, transpose (p = 1/2),
// band permutation with row permutation inside bands, stack permutation with column permutation
// inside stacks. Applied to puzzle and solution alike, so a valid pair stays a valid pair.

/// One drawn transform. `apply` maps a grid (or its tokens) to the transformed grid.
public struct SudokuTransform: Sendable, Equatable, Codable {
    /// digitMap[d] for d in 0...9; digitMap[0] == 0 (blanks stay blank).
    public var digitMap: [UInt8]
    /// out[i] = in[cellSource[i]]. [81]
    public var cellSource: [Int]

    public static let identity = SudokuTransform(digitMap: Array(0...9), cellSource: Array(0..<81))

    public init(digitMap: [UInt8], cellSource: [Int]) {
        self.digitMap = digitMap
        self.cellSource = cellSource
    }

    /// Draws a uniformly random transform of the kind the TRM paper uses.
    public static func random(using rng: inout DeterministicRandom) -> SudokuTransform {
        var digits: [UInt8] = [0]
        digits += rng.permutation(9).map { UInt8($0 + 1) }
        let transpose = rng.coin()
        let bands = rng.permutation(3), stacks = rng.permutation(3)
        var rowSource = [Int](), colSource = [Int]()
        for band in bands { for r in rng.permutation(3) { rowSource.append(band * 3 + r) } }
        for stack in stacks { for c in rng.permutation(3) { colSource.append(stack * 3 + c) } }
        var source = [Int](repeating: 0, count: 81)
        for r in 0..<9 {
            for c in 0..<9 {
                let s = rowSource[r] * 9 + colSource[c]
                // Transposing after the permutation: output (r, c) reads permuted (c, r).
                source[r * 9 + c] = transpose ? rowSource[c] * 9 + colSource[r] : s
            }
        }
        return SudokuTransform(digitMap: digits, cellSource: source)
    }

    public func apply(_ grid: SudokuGrid) -> SudokuGrid {
        SudokuGrid(cells: cellSource.map { digitMap[Int(grid.cells[$0])] })
    }

    /// One token relabelled: 2...10 (digits) by `digitMap`; 1 (blank), 0 (pad) and other values
    /// pass through.
    @inlinable
    public func token(_ t: Int32) -> Int32 {
        (t >= 2 && t <= 10) ? Int32(digitMap[Int(t - 1)]) + 1 : t
    }

    /// Token form: cells moved by `cellSource`, each token relabelled by `token(_:)`.
    /// input: [81] -> output: [81] written at out[outOffset...].
    @inlinable
    public func apply(tokens input: UnsafePointer<Int32>, into out: UnsafeMutablePointer<Int32>) {
        for i in 0..<81 { out[i] = token(input[cellSource[i]]) }
    }
}
