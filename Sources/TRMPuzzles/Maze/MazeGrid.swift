// A square maze (30x30 in the Maze-Hard set): walls, open cells, start, goal and the marked path.

/// One maze cell.
public enum MazeCell: UInt8, Sendable, CaseIterable {
    /// Token values match TRM-SPEC section 4: 1 `#`, 2 ` `, 3 `S`, 4 `G`, 5 `o`.
    case wall = 1, open = 2, start = 3, goal = 4, path = 5

    public var character: Character {
        switch self {
        case .wall: return "#"
        case .open: return " "
        case .start: return "S"
        case .goal: return "G"
        case .path: return "o"
        }
    }

    init?(ascii byte: UInt8) {
        switch byte {
        case UInt8(ascii: "#"): self = .wall
        case UInt8(ascii: " "): self = .open
        case UInt8(ascii: "S"): self = .start
        case UInt8(ascii: "G"): self = .goal
        case UInt8(ascii: "o"): self = .path
        default: return nil
        }
    }

    /// Whether a walker may stand here.
    public var isPassable: Bool { self != .wall }
}

/// side x side cells, row-major.
public struct MazeGrid: Sendable, Hashable, CustomStringConvertible {
    /// Token vocabulary: 0 pad + 5 cell kinds.
    public static let vocabSize = 6
    public let side: Int
    public var cells: [MazeCell]

    public init(side: Int, cells: [MazeCell]) {
        precondition(cells.count == side * side, "a maze of side \(side) has \(side * side) cells")
        self.side = side
        self.cells = cells
    }

    /// Parses side*side characters (`#`, space, `S`, `G`, and `o` when `allowPath`). The side is the
    /// square root of the length; it must be a perfect square. Returns the reason on failure.
    public static func parse(_ text: String, allowPath: Bool, side expected: Int? = nil) -> Result<MazeGrid, MazeParseFailure> {
        var cells: [MazeCell] = []
        cells.reserveCapacity(900)
        var position = 0
        for byte in text.utf8 {
            position += 1
            guard let cell = MazeCell(ascii: byte), allowPath || cell != .path else {
                let allowed = allowPath ? "'#', ' ', 'S', 'G', 'o'" : "'#', ' ', 'S', 'G'"
                return .failure(MazeParseFailure(reason: "unknown character \(SudokuGrid.describe(byte)) at position \(position); allowed: \(allowed)"))
            }
            cells.append(cell)
        }
        let side = Int(Double(cells.count).squareRoot().rounded())
        if let expected, cells.count != expected * expected {
            return .failure(MazeParseFailure(reason: "expected \(expected * expected) cells (\(expected)x\(expected)), found \(cells.count)"))
        }
        guard side > 1, side * side == cells.count else {
            return .failure(MazeParseFailure(reason: "expected a square maze (e.g. 900 cells for 30x30), found \(cells.count) cells"))
        }
        let starts = cells.filter { $0 == .start }.count, goals = cells.filter { $0 == .goal }.count
        guard starts == 1, goals == 1 else {
            return .failure(MazeParseFailure(reason: "a maze needs exactly one 'S' and one 'G', found \(starts) and \(goals)"))
        }
        return .success(MazeGrid(side: side, cells: cells))
    }

    public subscript(row: Int, col: Int) -> MazeCell {
        get { cells[row * side + col] }
        set { cells[row * side + col] = newValue }
    }

    public var start: Int { cells.firstIndex(of: .start) ?? -1 }
    public var goal: Int { cells.firstIndex(of: .goal) ?? -1 }

    /// The question: this grid with every path mark turned back into an open cell.
    public var withoutPath: MazeGrid {
        MazeGrid(side: side, cells: cells.map { $0 == .path ? .open : $0 })
    }

    /// side*side characters, row-major (the CSV form).
    public var line: String { String(cells.map(\.character)) }

    /// One text row per maze row.
    public var pretty: String {
        (0..<side).map { r in String(cells[(r * side)..<((r + 1) * side)].map(\.character)) }.joined(separator: "\n")
    }

    public var description: String { line }

    /// Tokens 1...5. [side * side]
    public var tokens: [Int32] { cells.map { Int32($0.rawValue) } }

    public init?(tokens: [Int32]) {
        let side = Int(Double(tokens.count).squareRoot().rounded())
        guard side * side == tokens.count else { return nil }
        var cells: [MazeCell] = []
        for t in tokens {
            guard t >= 1 && t <= 5, let c = MazeCell(rawValue: UInt8(t)) else { return nil }
            cells.append(c)
        }
        self.init(side: side, cells: cells)
    }
}

/// Why a line is not a maze.
public struct MazeParseFailure: Error, Sendable, Equatable {
    public var reason: String
}
