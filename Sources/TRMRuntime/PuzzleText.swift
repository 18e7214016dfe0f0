// PuzzleText: what a user hands `trm solve` (or an embedding app), made into one puzzle's text:
// the data sets' own CSV rows (`source,question,answer,rating`, with or without the header), a
// file of several puzzles one per line (`--index` picks one), or one puzzle as it is. A row's
// answer, when present, comes along so it can be shown beside the model's.
import Foundation
import TRMPuzzles

public struct PuzzleText: Sendable, Equatable {
    /// The puzzle itself, as PuzzleParser reads it.
    public var question: String
    /// The answer column of a CSV row, when the row had one.
    public var answer: String?
    /// Where it came from ("row 3 of 10"), for messages; nil for a single puzzle.
    public var origin: String?
    /// How many puzzles the text held (1 for a single puzzle).
    public var count: Int

    public init(question: String, answer: String? = nil, origin: String? = nil, count: Int = 1) {
        self.question = question; self.answer = answer; self.origin = origin; self.count = count
    }

    /// The header of the data sets' CSV files.
    public static let csvHeader = ["source", "question", "answer", "rating"]

    /// Picks puzzle `index` (0-based) of `text`. Single-puzzle text (a 9x9 grid drawn over nine
    /// lines, a maze, ARC or grid JSON) comes back as it is, and `index` is left to the parser.
    public static func select(_ text: String, index: Int) throws(PuzzleInputError) -> (PuzzleText, indexUsed: Bool) {
        let lines = text.split(whereSeparator: \.isNewline).map { String($0).trimmingCharacters(in: .init(charactersIn: "\r")) }
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard let first = lines.first, !first.hasPrefix("{") else { return (PuzzleText(question: text), false) }
        let firstFields = first.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let hasHeader = firstFields.contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "question" }
        let rowsAreCSV = hasHeader || (firstFields.count == 4 && Int(firstFields[3].trimmingCharacters(in: .whitespaces)) != nil
                                       && looksLikePuzzle(firstFields[1]))
        if rowsAreCSV {
            let data = Data((hasHeader ? "" : csvHeader.joined(separator: ",") + "\n").utf8) + Data(lines.joined(separator: "\n").utf8)
            let rows: [PuzzleRow]
            do { rows = try PuzzleRowReader.parse(data, file: "the input") } catch {
                throw PuzzleInputError(kind: "csv", reason: error.description.replacingOccurrences(of: "the input:", with: "line "))
            }
            guard !rows.isEmpty else { throw PuzzleInputError(kind: "csv", reason: "the CSV has a header but no rows") }
            guard rows.indices.contains(index) else {
                throw PuzzleInputError(kind: "csv", reason: "--index \(index) is past the last row; the input has \(rows.count) row\(rows.count == 1 ? "" : "s") (0...\(rows.count - 1))")
            }
            let row = rows[index]
            return (PuzzleText(question: row.question, answer: row.answer.isEmpty ? nil : row.answer,
                               origin: "row \(index + 1) of \(rows.count)\(row.source.isEmpty ? "" : ", \(row.source)")", count: rows.count), true)
        }
        // Several one-line puzzles (81-cell Sudoku lines, single-line mazes), optionally `question,answer`.
        let oneLine = lines.map { $0.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).map(String.init) }
        if lines.count > 1, oneLine.allSatisfy({ isOneLinePuzzle($0[0]) }) {
            guard oneLine.indices.contains(index) else {
                throw PuzzleInputError(kind: "input", reason: "--index \(index) is past the last puzzle; the input has \(lines.count) puzzles (0...\(lines.count - 1))")
            }
            let f = oneLine[index]
            return (PuzzleText(question: f[0], answer: f.count > 1 && !f[1].isEmpty ? f[1] : nil,
                               origin: "puzzle \(index + 1) of \(lines.count)", count: lines.count), true)
        }
        if lines.count == 1, oneLine[0].count == 2, isOneLinePuzzle(oneLine[0][0]) {
            return (PuzzleText(question: oneLine[0][0], answer: oneLine[0][1].isEmpty ? nil : oneLine[0][1]), false)
        }
        return (PuzzleText(question: text), false)
    }

    /// 81 or 16 Sudoku cells, or a square single-line maze.
    static func isOneLinePuzzle(_ s: String) -> Bool {
        let sudoku = Set("0123456789.")
        if (s.count == 81 || s.count == 16) && s.allSatisfy({ sudoku.contains($0) }) { return true }
        let side = Int(Double(s.count).squareRoot())
        return side >= 3 && side * side == s.count && s.allSatisfy({ "# SGo".contains($0) }) && s.contains("S")
    }

    static func looksLikePuzzle(_ field: String) -> Bool { isOneLinePuzzle(field) || field.contains("#") }
}
