// Reading the `source,question,answer,rating` CSV and plain one-puzzle-per-line files, fast.
//
// The reader works on raw bytes (the 87,633-row Sudoku train set must build in well under a second)
// and never trims fields: maze rows begin with spaces that are open cells.
import Foundation

/// One row of a puzzle CSV (or a plain line, where only `question` is set).
public struct PuzzleRow: Sendable, Equatable {
    public var source: String
    public var question: String
    /// Empty when the file has no answers.
    public var answer: String
    /// The `rating` column, or nil when absent or not an integer.
    public var rating: Int?
    /// 1-based line number in the file.
    public var line: Int

    public init(source: String = "", question: String, answer: String = "", rating: Int? = nil, line: Int = 0) {
        self.source = source
        self.question = question
        self.answer = answer
        self.rating = rating
        self.line = line
    }
}

/// Splits puzzle text into rows. Recognises the header `source,question,answer,rating` (any column
/// order, `question` required); without that header every non-empty line is a plain question
/// (optionally `question,answer`).
public enum PuzzleRowReader {
    /// Reads a whole file. Errors name the file.
    public static func read(path: String) throws(DataError) -> [PuzzleRow] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
        return try parse(data, file: path)
    }

    /// Parses CSV or plain-line text. `file` is used in error messages only.
    public static func parse(_ data: Data, file: String) throws(DataError) -> [PuzzleRow] {
        let lines = splitLines(data)
        guard let first = lines.first(where: { !$0.fields.isEmpty }) else { throw .empty(file: file) }
        var rows: [PuzzleRow] = []
        rows.reserveCapacity(lines.count)
        let header = first.fields.map { $0.lowercased() }
        if let q = header.firstIndex(of: "question") {
            let s = header.firstIndex(of: "source")
            let a = header.firstIndex(of: "answer")
            let r = header.firstIndex(of: "rating")
            for line in lines where line.number > first.number && !line.fields.isEmpty {
                let f = line.fields
                guard f.count == header.count else {
                    throw .malformedRow(DataLocation(file: file, line: line.number),
                                        reason: "expected \(header.count) comma-separated fields (\(header.joined(separator: ","))), found \(f.count)")
                }
                rows.append(PuzzleRow(source: s.map { f[$0] } ?? "", question: f[q],
                                      answer: a.map { f[$0] } ?? "",
                                      rating: r.flatMap { Int(f[$0]) }, line: line.number))
            }
        } else {
            for line in lines where !line.fields.isEmpty {
                let f = line.fields
                guard f.count <= 2 else {
                    throw .malformedRow(DataLocation(file: file, line: line.number),
                                        reason: "a plain puzzle line holds a question and optionally ',answer'; found \(f.count) fields (add the header source,question,answer,rating for CSV)")
                }
                rows.append(PuzzleRow(question: f[0], answer: f.count > 1 ? f[1] : "", line: line.number))
            }
        }
        return rows
    }

    struct Line {
        var number: Int
        var fields: [String]
    }

    /// Splits on `\n` (dropping a trailing `\r`), then on commas outside double quotes.
    /// A line holding only whitespace-free nothing yields no fields.
    static func splitLines(_ data: Data) -> [Line] {
        var out: [Line] = []
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            var number = 0
            let n = bytes.count
            while start < n {
                number += 1
                var end = start
                while end < n && bytes[end] != 0x0A { end += 1 }
                var stop = end
                if stop > start && bytes[stop - 1] == 0x0D { stop -= 1 }
                if stop > start {
                    out.append(Line(number: number, fields: splitFields(bytes, start, stop)))
                } else {
                    out.append(Line(number: number, fields: []))
                }
                start = end + 1
            }
        }
        return out
    }

    private static func splitFields(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ stop: Int) -> [String] {
        var fields: [String] = []
        var i = start
        var quoted = false
        var k = start
        while k < stop { if b[k] == 0x22 { quoted = true; break }; k += 1 }
        if !quoted {
            var fieldStart = start
            while i <= stop {
                if i == stop || b[i] == 0x2C {
                    fields.append(String(decoding: UnsafeBufferPointer(rebasing: b[fieldStart..<i]), as: UTF8.self))
                    fieldStart = i + 1
                }
                i += 1
            }
            return fields
        }
        // RFC 4180 quoting: "a ""b"" c" is one field.
        var current: [UInt8] = []
        var inQuotes = false
        while i < stop {
            let c = b[i]
            if inQuotes {
                if c == 0x22 {
                    if i + 1 < stop && b[i + 1] == 0x22 { current.append(0x22); i += 1 } else { inQuotes = false }
                } else { current.append(c) }
            } else if c == 0x22 {
                inQuotes = true
            } else if c == 0x2C {
                fields.append(String(decoding: current, as: UTF8.self)); current.removeAll(keepingCapacity: true)
            } else { current.append(c) }
            i += 1
        }
        fields.append(String(decoding: current, as: UTF8.self))
        return fields
    }
}
