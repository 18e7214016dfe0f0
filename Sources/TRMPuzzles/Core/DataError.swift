// Typed errors for everything that reads puzzle data: each names the file, the line and the reason.
import Foundation

/// Where a bad record was found. `line` is 1-based; 0 means "the file as a whole".
public struct DataLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { line > 0 ? "\(file):\(line)" : file }
}

/// An error in user-supplied puzzle data. Never a crash: every reader throws one of these.
public enum DataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file could not be written (a missing or read-only folder, a full disk).
    case unwritable(file: String, reason: String)
    /// A row that does not follow the format (wrong field count, wrong length, unknown character...).
    case malformedRow(DataLocation, reason: String)
    /// A row that parses but is not a valid puzzle (answer contradicts a clue, no path, ...).
    case invalidPuzzle(DataLocation, reason: String)
    /// The file holds no usable rows.
    case empty(file: String)
    /// Every row was bad (a tolerant read skipped them all): the report names each one.
    case noValidRows(file: String, report: SkipReport)
    /// The content's kind could not be recognised; pass `--kind`.
    case unknownKind(file: String, reason: String)
    /// A binary dataset file is damaged or of another version.
    case corruptDataset(file: String, reason: String)
    /// Training tasks that also appear among the evaluation tasks being reported (e.g. ARC-AGI-2
    /// training holds 376 ARC-AGI-1 evaluation tasks).
    case trainEvaluationOverlap(count: Int, examples: [String])
    /// An argument that makes no sense for this data (clue count out of range, ...).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read: \(reason)"
        case let .unwritable(file, reason):
            return "\(file): cannot write: \(reason); give a path in a writable folder"
        case let .malformedRow(location, reason):
            return "\(location): malformed row: \(reason)"
        case let .invalidPuzzle(location, reason):
            return "\(location): invalid puzzle: \(reason)"
        case let .empty(file):
            return "\(file): no puzzle rows found"
        case let .noValidRows(file, report):
            let first = report.messages.prefix(3).joined(separator: "; ")
            return "\(file): all \(report.skipped) row(s) are bad, none kept (\(first)\(report.skipped > 3 ? "; ..." : "")); `trm data check` lists them all"
        case let .unknownKind(file, reason):
            return "\(file): cannot tell what kind of puzzle data this is (\(reason)); pass --kind sudoku|maze|arc|grid"
        case let .corruptDataset(file, reason):
            return "\(file): not a valid trm dataset file: \(reason); rebuild it with `trm data build`"
        case let .trainEvaluationOverlap(count, examples):
            return "refusing to build: \(count) training task(s) also appear in the evaluation set (e.g. \(examples.prefix(5).joined(separator: ", "))); training on them would leak the answers (ARC-AGI-2 training contains 376 ARC-AGI-1 evaluation tasks). Drop those training tasks (`trm data build --drop-overlapping`) or report another evaluation set"
        case let .invalidArgument(reason):
            return "invalid argument: \(reason)"
        }
    }

    /// The location of the offending row, when the error is about one row.
    public var location: DataLocation? {
        switch self {
        case let .malformedRow(location, _), let .invalidPuzzle(location, _): return location
        default: return nil
        }
    }
}

/// How many rows a tolerant (`--skip-invalid`) read accepted and rejected, with the first few reasons.
/// What a tolerant read skipped: every bad row in file order and line order, and counts by reason.
public struct SkipReport: Sendable, Equatable, Codable {
    /// One skipped row (or file, for whole-file problems).
    public struct Problem: Sendable, Equatable, Codable {
        /// File and 1-based line (0: the file as a whole).
        public var file: String
        public var line: Int
        /// The full message, `file:line: what is wrong`.
        public var message: String
        /// The reason with its numbers blanked, for counting alike problems together.
        public var reason: String
    }

    public var accepted = 0
    public var skipped = 0
    /// The first `retainedLimit` problems, in the order of the files read and of lines within a file.
    public var problems: [Problem] = []
    /// How many rows were skipped for each reason (all of them, also past `retainedLimit`).
    public var byReason: [String: Int] = [:]
    /// How many messages a report prints by default (`--max-errors`).
    public static let maxMessages = 20
    /// Problems kept in memory; beyond this only the counts grow.
    public static let retainedLimit = 100_000

    public init() {}

    /// The messages of the retained problems, in order.
    public var messages: [String] { problems.map(\.message) }

    public mutating func record(_ error: DataError) {
        let location = error.location
        record(file: location?.file ?? "", line: location?.line ?? 0, message: error.description, reason: error.reasonKind)
    }

    /// Records a problem found outside the readers (a solver disagreeing with an answer, say).
    public mutating func record(file: String, line: Int, message: String, reason: String) {
        skipped += 1
        byReason[reason, default: 0] += 1
        if problems.count < Self.retainedLimit {
            problems.append(Problem(file: file, line: line, message: message, reason: reason))
        }
    }

    /// Puts the problems of one file into line order (readers find some problems in a first pass
    /// over the text and the rest while parsing rows).
    public mutating func sortLines(ofFile file: String) {
        guard let first = problems.firstIndex(where: { $0.file == file }) else { return }
        let tail = problems[first...]
        let mine = tail.filter { $0.file == file }.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
        problems = Array(problems[..<first]) + mine + tail.filter { $0.file != file }
    }
}

extension DataError {
    /// The kind of problem with its numbers blanked ("malformed row: expected N comma-separated
    /// fields ..., found N"), so that alike rows count together.
    public var reasonKind: String {
        let text: String
        switch self {
        case let .malformedRow(_, reason): text = "malformed row: " + reason
        case let .invalidPuzzle(_, reason): text = "invalid puzzle: " + reason
        default: text = description
        }
        // Numbers become N; digits that belong to a word ("UTF-8", "x86"), a quoted character ('0')
        // or a double-quoted text (an alphabet such as ".0123456789") are part of the reason and stay.
        var out = ""
        var quoted = false
        var run: (blanked: Bool, active: Bool) = (false, false)
        var previous: Character?
        var beforePrevious: Character?
        for c in text {
            if c == "\"" { quoted.toggle() }
            if c.isNumber && !quoted {
                if !run.active {
                    let attached = previous.map { $0.isLetter || $0 == "'" || ($0 == "-" && beforePrevious?.isLetter == true) } ?? false
                    run = (!attached, true)
                    if run.blanked { out.append("N") }
                }
                if !run.blanked { out.append(c) }
            } else {
                run.active = false
                out.append(c)
            }
            beforePrevious = previous
            previous = c
        }
        return out
    }
}
