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
    /// Reads a whole file. Errors name the file; the first bad line is thrown.
    public static func read(path: String) throws(DataError) -> [PuzzleRow] {
        try parse(load(path), file: path)
    }

    /// Reads a whole file, one result per non-empty line after the header, in line order: a row,
    /// or why the line is not one (wrong field count, invalid UTF-8, a NUL byte, an overlong line).
    /// Only a file that cannot be read at all, or holds no rows, throws.
    public static func readAll(path: String) throws(DataError) -> [Result<PuzzleRow, DataError>] {
        try parseAll(load(path), file: path)
    }

    private static func load(_ path: String) throws(DataError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
    }

    /// Parses CSV or plain-line text. `file` is used in error messages only. The first bad line is thrown.
    public static func parse(_ data: Data, file: String) throws(DataError) -> [PuzzleRow] {
        var rows: [PuzzleRow] = []
        for result in try parseAll(data, file: file) {
            switch result {
            case .success(let row): rows.append(row)
            case .failure(let error): throw error
            }
        }
        return rows
    }

    /// Lines longer than this are refused (a puzzle row is at most a few kilobytes).
    public static let maxLineBytes = 1 << 20

    /// Parses CSV or plain-line text into one result per line (see `readAll`).
    public static func parseAll(_ data: Data, file: String) throws(DataError) -> [Result<PuzzleRow, DataError>] {
        let lines = splitLines(data)
        guard let first = lines.first(where: { !$0.fields.isEmpty || $0.problem != nil }) else { throw .empty(file: file) }
        var rows: [Result<PuzzleRow, DataError>] = []
        rows.reserveCapacity(lines.count)
        func bad(_ line: Line, _ reason: String) -> Result<PuzzleRow, DataError> {
            .failure(.malformedRow(DataLocation(file: file, line: line.number), reason: reason))
        }
        let header = first.problem == nil ? first.fields.map { $0.lowercased() } : []
        if let q = header.firstIndex(of: "question") {
            let s = header.firstIndex(of: "source")
            let a = header.firstIndex(of: "answer")
            let r = header.firstIndex(of: "rating")
            for line in lines where line.number > first.number && (!line.fields.isEmpty || line.problem != nil) {
                if let problem = line.problem { rows.append(bad(line, problem)); continue }
                let f = line.fields
                guard f.count == header.count else {
                    rows.append(bad(line, "expected \(header.count) comma-separated fields (\(header.joined(separator: ","))), found \(f.count)"))
                    continue
                }
                rows.append(.success(PuzzleRow(source: s.map { f[$0] } ?? "", question: f[q],
                                               answer: a.map { f[$0] } ?? "",
                                               rating: r.flatMap { Int(f[$0]) }, line: line.number)))
            }
        } else {
            for line in lines where !line.fields.isEmpty || line.problem != nil {
                if let problem = line.problem { rows.append(bad(line, problem)); continue }
                let f = line.fields
                guard f.count <= 2 else {
                    rows.append(bad(line, "a plain puzzle line holds a question and optionally ',answer'; found \(f.count) fields (add the header source,question,answer,rating for CSV)"))
                    continue
                }
                rows.append(.success(PuzzleRow(question: f[0], answer: f.count > 1 ? f[1] : "", line: line.number)))
            }
        }
        return rows
    }

    struct Line {
        var number: Int
        var fields: [String]
        /// Why the line's bytes cannot be a row (its fields are then empty).
        var problem: String? = nil
    }

    /// Splits on `\n` (dropping a trailing `\r`), then on commas outside double quotes.
    /// A line holding only whitespace-free nothing yields no fields.
    static func splitLines(_ data: Data) -> [Line] {
        var out: [Line] = []
        forEachLine(data) { bytes, number, start, stop in
            if let problem = byteProblem(bytes, start, stop) {
                out.append(Line(number: number, fields: [], problem: problem))
            } else {
                out.append(Line(number: number, fields: stop > start ? splitFields(bytes, start, stop) : []))
            }
        }
        return out
    }

    /// The lines (1-based, split at `\n`) whose bytes cannot be text of a row: a NUL byte, invalid
    /// UTF-8 or an overlong line, with the reason. The grid JSONL reader checks these first too.
    public static func byteProblems(_ data: Data) -> [Int: String] {
        var out: [Int: String] = [:]
        forEachLine(data) { bytes, number, start, stop in
            if let problem = byteProblem(bytes, start, stop) { out[number] = problem }
        }
        return out
    }

    /// Calls `body` with each line's 1-based number and byte range (split at `\n`, a trailing
    /// `\r` dropped).
    private static func forEachLine(_ data: Data, _ body: (UnsafeBufferPointer<UInt8>, Int, Int, Int) -> Void) {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0, number = 0
            while start < bytes.count {
                number += 1
                var end = start
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                let stop = end > start && bytes[end - 1] == 0x0D ? end - 1 : end
                body(bytes, number, start, stop)
                start = end + 1
            }
        }
    }

    /// A NUL byte, invalid UTF-8 or an overlong line; nil for an ordinary line. ASCII lines (all
    /// of the shared data) cost one pass over their bytes.
    private static func byteProblem(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ stop: Int) -> String? {
        if stop - start > maxLineBytes { return "the line is \(stop - start) bytes long (at most \(maxLineBytes) bytes per line)" }
        var nonASCII = false
        for i in start..<stop {
            let c = b[i]
            if c == 0 { return "a NUL byte at column \(i - start + 1) (binary data, not puzzle text)" }
            if c >= 0x80 { nonASCII = true }
        }
        if nonASCII {
            var iterator = UnsafeBufferPointer(rebasing: b[start..<stop]).makeIterator()
            var decoder = UTF8()
            var column = 1
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue: column += 1; continue
                case .emptyInput: return nil
                case .error: return "invalid UTF-8 near character \(column)"
                }
            }
        }
        return nil
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
