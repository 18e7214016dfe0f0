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
    /// A row that does not follow the format (wrong field count, wrong length, unknown character...).
    case malformedRow(DataLocation, reason: String)
    /// A row that parses but is not a valid puzzle (answer contradicts a clue, no path, ...).
    case invalidPuzzle(DataLocation, reason: String)
    /// The file holds no usable rows.
    case empty(file: String)
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
        case let .malformedRow(location, reason):
            return "\(location): malformed row: \(reason)"
        case let .invalidPuzzle(location, reason):
            return "\(location): invalid puzzle: \(reason)"
        case let .empty(file):
            return "\(file): no puzzle rows found"
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
public struct SkipReport: Sendable, Equatable, Codable {
    public var accepted = 0
    public var skipped = 0
    /// The first `maxMessages` error messages, in file order.
    public var messages: [String] = []
    public static let maxMessages = 20

    public init() {}

    mutating func record(_ error: DataError) {
        skipped += 1
        if messages.count < Self.maxMessages { messages.append(error.description) }
    }
}
