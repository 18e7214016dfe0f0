// "Versions" of a puzzle: what training's augmentation can turn it into. A training puzzle that is
// a version of a held-out one is that held-out puzzle seen in training, so honest splits drop it.
//
// Mazes: the 8 rotations and reflections (the maze stream's augmentation); a maze's key is the
// smallest of its 8 transformed lines, so two mazes are versions of each other exactly when their
// keys are equal. Sudoku: digit relabelling, transpose, band and row-within-band permutations,
// stack and column-within-stack permutations (`SudokuTransform.random`); the key is an invariant
// of those operations (equal for versions, rarely equal otherwise) and puzzles sharing it are
// compared exhaustively.

/// A puzzle whose training augmentation defines which puzzles are versions of each other.
public protocol AugmentationVersioned: Sendable {
    associatedtype VersionKey: Hashable & Sendable
    /// Equal for every two versions of one puzzle.
    var versionKey: VersionKey { get }
    /// Whether `other` is some augmented version of `self` (only asked when the keys are equal).
    func isVersion(of other: Self) -> Bool
}

extension MazeGrid: AugmentationVersioned {
    /// The smallest of the 8 dihedral images of the maze's cells: a canonical form.
    public var versionKey: [UInt8] {
        let raw = cells.map(\.rawValue)
        var best = raw
        for transform in Dihedral.allCases.dropFirst() {
            let image = transform.apply(raw, rows: side, cols: side)
            if image.lexicographicallyPrecedes(best) { best = image }
        }
        return best
    }

    /// The keys are canonical forms, so equal keys already mean versions.
    public func isVersion(of other: MazeGrid) -> Bool { versionKey == other.versionKey }
}

extension SudokuGrid: AugmentationVersioned {
    /// For every clue: its row's and column's clue counts as an unordered pair, its box's clue
    /// count and how many clues carry its digit; sorted. Each of training's Sudoku transforms
    /// keeps all four (a transpose swaps row and column, hence the unordered pair).
    public var versionKey: [UInt32] {
        var rowCount = [UInt32](repeating: 0, count: 9), colCount = rowCount, boxCount = rowCount
        var digitCount = [UInt32](repeating: 0, count: 10)
        for i in 0..<81 where cells[i] != 0 {
            let (r, c) = (i / 9, i % 9)
            rowCount[r] += 1; colCount[c] += 1; boxCount[(r / 3) * 3 + c / 3] += 1; digitCount[Int(cells[i])] += 1
        }
        var key: [UInt32] = []
        for i in 0..<81 where cells[i] != 0 {
            let (r, c) = (i / 9, i % 9)
            let (lo, hi) = (min(rowCount[r], colCount[c]), max(rowCount[r], colCount[c]))
            key.append(((lo * 10 + hi) * 10 + boxCount[(r / 3) * 3 + c / 3]) * 100 + digitCount[Int(cells[i])])
        }
        return key.sorted()
    }

    /// Exhaustive: every row order that keeps bands together and every column order that keeps
    /// stacks together (6^4 each), on the grid and its transpose, restricted to the orders that
    /// carry each line's clue count onto `other`'s; then a one-to-one digit relabelling.
    public func isVersion(of other: SudokuGrid) -> Bool {
        let target = other.cells
        let targetRows = Self.lineCounts(target, rows: true), targetCols = Self.lineCounts(target, rows: false)
        let transposed = (0..<81).map { cells[($0 % 9) * 9 + $0 / 9] }
        for grid in [cells, transposed] {
            let rowCounts = Self.lineCounts(grid, rows: true)
            let rowOrders = Self.bandKeepingOrders.filter { order in (0..<9).allSatisfy { rowCounts[order[$0]] == targetRows[$0] } }
            guard !rowOrders.isEmpty else { continue }
            let colCounts = Self.lineCounts(grid, rows: false)
            let colOrders = Self.bandKeepingOrders.filter { order in (0..<9).allSatisfy { colCounts[order[$0]] == targetCols[$0] } }
            for rowOrder in rowOrders {
                for colOrder in colOrders where Self.maps(grid, rowOrder: rowOrder, colOrder: colOrder, onto: target) {
                    return true
                }
            }
        }
        return false
    }

    /// Whether reordering `grid` puts clues exactly where `target` has them, with digits that a
    /// one-to-one relabelling turns into `target`'s.
    private static func maps(_ grid: [UInt8], rowOrder: [Int], colOrder: [Int], onto target: [UInt8]) -> Bool {
        var forward = [UInt8](repeating: 0, count: 10), backward = forward
        for r in 0..<9 {
            for c in 0..<9 {
                let a = grid[rowOrder[r] * 9 + colOrder[c]], b = target[r * 9 + c]
                if (a == 0) != (b == 0) { return false }
                if a == 0 { continue }
                if forward[Int(a)] == 0 && backward[Int(b)] == 0 {
                    forward[Int(a)] = b; backward[Int(b)] = a
                } else if forward[Int(a)] != b || backward[Int(b)] != a {
                    return false
                }
            }
        }
        return true
    }

    private static func lineCounts(_ grid: [UInt8], rows: Bool) -> [Int] {
        (0..<9).map { line in (0..<9).reduce(0) { $0 + (grid[rows ? line * 9 + $1 : $1 * 9 + line] != 0 ? 1 : 0) } }
    }

    /// The 1,296 orders of 9 lines that keep each group of three together (groups and lines
    /// within groups permuted).
    static let bandKeepingOrders: [[Int]] = {
        let threes = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
        var orders: [[Int]] = []
        for groups in threes {
            for a in threes { for b in threes { for c in threes {
                let inner = [a, b, c]
                orders.append((0..<3).flatMap { k in inner[k].map { groups[k] * 3 + $0 } })
            } } }
        }
        return orders
    }()
}

/// Puzzles by version key, to find which one (if any) a puzzle is a version of.
public struct PuzzleVersionIndex<Puzzle: AugmentationVersioned>: Sendable {
    private var byKey: [Puzzle.VersionKey: [(puzzle: Puzzle, id: Int)]] = [:]
    public private(set) var count = 0

    public init() {}

    public init(_ puzzles: [Puzzle]) {
        for (i, p) in puzzles.enumerated() { insert(p, id: i) }
    }

    public mutating func insert(_ puzzle: Puzzle, id: Int) {
        insert(puzzle, key: puzzle.versionKey, id: id)
    }

    mutating func insert(_ puzzle: Puzzle, key: Puzzle.VersionKey, id: Int) {
        byKey[key, default: []].append((puzzle, id))
        count += 1
    }

    /// The id of the first indexed puzzle that `puzzle` is a version of.
    public func match(_ puzzle: Puzzle) -> Int? { match(puzzle, key: puzzle.versionKey) }

    func match(_ puzzle: Puzzle, key: Puzzle.VersionKey) -> Int? {
        byKey[key]?.first(where: { $0.puzzle.isVersion(of: puzzle) })?.id
    }
}

/// Why a row was left out of a split.
public enum SplitDrop: Sendable, Equatable {
    /// A version of the held-out puzzle `index` of held-out set `set`.
    case heldOut(set: Int, index: Int)
    /// A version of the earlier row `index` (of the input, in input order) that was kept.
    case repeated(of: Int)
}

/// Training and validation rows cut from one list of puzzles, without held-out puzzles.
public struct PuzzleSplit: Sendable, Equatable {
    /// Indices into the input, in output order.
    public var train: [Int]
    public var validation: [Int]
    /// Input index and reason, in input order.
    public var dropped: [(index: Int, reason: SplitDrop)]

    public static func == (a: PuzzleSplit, b: PuzzleSplit) -> Bool {
        a.train == b.train && a.validation == b.validation
            && a.dropped.map(\.index) == b.dropped.map(\.index) && a.dropped.map(\.reason) == b.dropped.map(\.reason)
    }

    /// Drops every puzzle that is a version of a held-out puzzle, and (with `dropRepeats`) every
    /// one that is a version of an earlier kept one; orders the rest (shuffled with `seed`, or
    /// input order when nil) and takes the last `validation` of them as the validation split.
    /// - Throws: `DataError.invalidArgument` when a validation split is asked for and no more than
    ///   `validation` puzzles are left.
    public static func make<P: AugmentationVersioned>(_ puzzles: [P], heldOut: [[P]], validation: Int,
                                                     seed: UInt64?, dropRepeats: Bool = true) throws(DataError) -> PuzzleSplit {
        guard validation >= 0 else { throw .invalidArgument("the validation size must be 0 or more, got \(validation)") }
        let heldIndex = heldOut.map { PuzzleVersionIndex($0) }
        var kept = PuzzleVersionIndex<P>()
        var keptOrder: [Int] = []
        var dropped: [(index: Int, reason: SplitDrop)] = []
        for (i, p) in puzzles.enumerated() {
            let key = p.versionKey
            if let (set, index) = heldIndex.enumerated().lazy.compactMap({ s, index in index.match(p, key: key).map { (s, $0) } }).first {
                dropped.append((i, .heldOut(set: set, index: index)))
            } else if dropRepeats, let earlier = kept.match(p, key: key) {
                dropped.append((i, .repeated(of: earlier)))
            } else {
                kept.insert(p, key: key, id: i)
                keptOrder.append(i)
            }
        }
        if let seed {
            var rng = DeterministicRandom(seed: seed)
            rng.shuffle(&keptOrder)
        }
        guard validation == 0 || keptOrder.count > validation else {
            throw .invalidArgument("\(keptOrder.count) puzzle(s) left after dropping \(dropped.count) (held-out versions and repeats): need more than the \(validation) for validation")
        }
        return PuzzleSplit(train: Array(keptOrder.dropLast(validation)), validation: Array(keptOrder.suffix(validation)),
                           dropped: dropped)
    }
}
