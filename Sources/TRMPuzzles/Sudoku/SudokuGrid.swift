// A 9x9 Sudoku grid: parsing from text, validation, tokens, pretty printing.
import Foundation

/// 81 cells row-major, each 0 (blank) or 1...9.
public struct SudokuGrid: Sendable, Hashable, CustomStringConvertible {
    public static let side = 9
    public static let cellCount = 81
    /// Token layout (TRM-SPEC section 4): 0 pad, 1 blank, 2...10 digits 1...9.
    public static let vocabSize = 11

    public var cells: [UInt8]

    /// cells: [81], values 0...9. Programmer error if not.
    public init(cells: [UInt8]) {
        precondition(cells.count == 81 && cells.allSatisfy { $0 <= 9 }, "a Sudoku grid is 81 cells 0...9")
        self.cells = cells
    }

    /// The empty grid.
    public static var empty: SudokuGrid { SudokuGrid(cells: [UInt8](repeating: 0, count: 81)) }

    /// Parses 81 characters: digits 1-9, and `.` or `0` for blanks.
    /// Returns the reason on failure (the caller adds file and line).
    public static func parse(_ text: String) -> Result<SudokuGrid, SudokuParseFailure> {
        var cells = [UInt8]()
        cells.reserveCapacity(81)
        var count = 0
        for byte in text.utf8 {
            count += 1
            switch byte {
            case UInt8(ascii: "."), UInt8(ascii: "0"): cells.append(0)
            case UInt8(ascii: "1")...UInt8(ascii: "9"): cells.append(byte - UInt8(ascii: "0"))
            default:
                return .failure(SudokuParseFailure(reason: "unknown character \(describe(byte)) at position \(count); use digits 1-9 and '.' or '0' for blanks"))
            }
        }
        guard count == 81 else {
            return .failure(SudokuParseFailure(reason: "expected 81 cells, found \(count)"))
        }
        return .success(SudokuGrid(cells: cells))
    }

    public subscript(row: Int, col: Int) -> UInt8 {
        get { cells[row * 9 + col] }
        set { cells[row * 9 + col] = newValue }
    }

    public var clueCount: Int { cells.reduce(0) { $0 + ($1 == 0 ? 0 : 1) } }
    public var isComplete: Bool { !cells.contains(0) }

    /// The 81-character line form, `.` for blanks.
    public var line: String {
        String(decoding: cells.map { $0 == 0 ? UInt8(ascii: ".") : $0 + UInt8(ascii: "0") }, as: UTF8.self)
    }

    public var description: String { line }

    /// A boxed 9x9 picture for terminals.
    public var pretty: String {
        var out = ""
        for r in 0..<9 {
            if r % 3 == 0 { out += "+-------+-------+-------+\n" }
            for c in 0..<9 {
                if c % 3 == 0 { out += "| " }
                let v = self[r, c]
                out += v == 0 ? ". " : "\(v) "
            }
            out += "|\n"
        }
        out += "+-------+-------+-------+"
        return out
    }

    /// The first rule a filled or partial grid breaks (a digit twice in a row, column or box), or nil.
    public var conflict: String? {
        for unit in 0..<27 {
            var seen: UInt16 = 0
            for cell in SudokuUnits.units[unit] {
                let v = cells[cell]
                if v == 0 { continue }
                let bit = UInt16(1) << v
                if seen & bit != 0 { return "digit \(v) appears twice in \(SudokuUnits.unitName(unit))" }
                seen |= bit
            }
        }
        return nil
    }

    /// Why `answer` is not a valid completion of this puzzle, or nil when it is.
    public func completionProblem(_ answer: SudokuGrid) -> String? {
        if let blank = answer.cells.firstIndex(of: 0) {
            return "answer has a blank at row \(blank / 9 + 1), column \(blank % 9 + 1)"
        }
        for i in 0..<81 where cells[i] != 0 && cells[i] != answer.cells[i] {
            return "answer \(answer.cells[i]) contradicts clue \(cells[i]) at row \(i / 9 + 1), column \(i % 9 + 1)"
        }
        if let conflict = answer.conflict { return "answer breaks the rules: \(conflict)" }
        return nil
    }

    /// Tokens: blank -> 1, digit d -> d + 1. [81]
    public var tokens: [Int32] { cells.map { Int32($0) + 1 } }

    /// Inverse of `tokens`; nil when a token is outside 1...10.
    public init?(tokens: [Int32]) {
        guard tokens.count == 81, tokens.allSatisfy({ (1...10).contains($0) }) else { return nil }
        self.cells = tokens.map { UInt8($0 - 1) }
    }

    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(UnicodeScalar(byte)))'" }
        return String(format: "0x%02X", byte)
    }
}

/// Why a line is not a Sudoku grid.
public struct SudokuParseFailure: Error, Sendable, Equatable {
    public var reason: String
}

/// Rows, columns, boxes and peers as flat index tables.
enum SudokuUnits {
    /// 27 units: rows 0-8, columns 9-17, boxes 18-26; each 9 cell indices.
    static let units: [[Int]] = {
        var u: [[Int]] = []
        for r in 0..<9 { u.append((0..<9).map { r * 9 + $0 }) }
        for c in 0..<9 { u.append((0..<9).map { $0 * 9 + c }) }
        for b in 0..<9 {
            let r0 = (b / 3) * 3, c0 = (b % 3) * 3
            u.append((0..<9).map { (r0 + $0 / 3) * 9 + c0 + $0 % 3 })
        }
        return u
    }()

    /// units flattened: [27 * 9].
    static let flatUnits: [Int] = units.flatMap { $0 }

    /// peers[cell * 20 + k]: the 20 other cells sharing a row, column or box. [81 * 20]
    static let flatPeers: [Int] = {
        var out: [Int] = []
        for cell in 0..<81 {
            let r = cell / 9, c = cell % 9, b = (r / 3) * 3 + c / 3
            var set = Set(units[r] + units[9 + c] + units[18 + b])
            set.remove(cell)
            out += set.sorted()
        }
        return out
    }()

    static func unitName(_ unit: Int) -> String {
        switch unit {
        case 0..<9: return "row \(unit + 1)"
        case 9..<18: return "column \(unit - 8)"
        default: return "box \(unit - 17)"
        }
    }
}
