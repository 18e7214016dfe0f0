// MetricsLog: the training run's metrics as JSON Lines (`metrics.jsonl`), one object per step,
// and a reader for it that survives a run killed mid-write.
//
// A line looks like
//   {"step":120,"loss":0.8123,"lm_loss":0.7,"q_halt_loss":0.11,"token_accuracy":0.91,...}
// Each line is written with a single write(2) call, so a killed process leaves at most one
// partial last line; the reader reports it as `truncatedLastLine` instead of failing.
// Non-finite values are written as the strings "NaN", "Infinity" and "-Infinity".

import Foundation
import TRMFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A line of `metrics.jsonl` that was skipped, with its 1-based line number.
public struct MalformedMetricsLine: Equatable, Sendable, CustomStringConvertible {
    public var lineNumber: Int
    public var reason: String
    public var description: String { "line \(lineNumber): \(reason)" }
}

/// Failure to open, append to or read a metrics log.
public enum MetricsLogError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    case cannotRead(path: String, reason: String)
    /// Strict reading found lines it could not parse.
    case malformedLines(path: String, lines: [MalformedMetricsLine])

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open metrics log \(path) for appending (\(reason)). Check that the run directory exists and is writable."
        case .writeFailed(let path, let reason):
            return "cannot append to metrics log \(path) (\(reason)). Check free disk space."
        case .cannotRead(let path, let reason):
            return "cannot read metrics log \(path) (\(reason)). Check the run directory path."
        case .malformedLines(let path, let lines):
            let shown = lines.prefix(5).map(\.description).joined(separator: "; ")
            return "\(path): \(lines.count) malformed line(s): \(shown)\(lines.count > 5 ? "; ..." : ""). "
                + "Fix or delete those lines, or read without strict mode to skip them."
        }
    }
}

/// An append-only JSONL metrics file. Safe to share between threads; each `append` is one
/// unbuffered write, so the file is always readable, even while training runs.
public final class MetricsLog: @unchecked Sendable {
    public let url: URL
    private let lock = NSLock()
    private var fd: Int32

    /// Opens (creating if needed) `url` for appending. If a previous, killed run left a partial
    /// last line, a newline is added first so new records start on their own line.
    public init(url: URL) throws(MetricsLogError) {
        self.url = url
        let fd = open(url.path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { throw .cannotOpen(path: url.path, reason: String(cString: strerror(errno))) }
        self.fd = fd
        if let last = Self.lastByte(of: url.path), last != UInt8(ascii: "\n") {
            try write("\n")
        }
    }

    /// Opens `<runDirectory>/metrics.jsonl` for appending.
    public convenience init(runDirectory: URL) throws(MetricsLogError) {
        try self.init(url: runDirectory.appendingPathComponent(MetricsLogReader.fileName))
    }

    deinit { close() }

    /// Appends one record as a line.
    public func append(_ record: MetricsRecord) throws(MetricsLogError) {
        try write(record.jsonLine() + "\n")
    }

    /// Flushes to disk (fsync); call at checkpoints, not every step.
    public func sync() {
        lock.lock(); defer { lock.unlock() }
        if fd >= 0 { _ = fsync(fd) }
    }

    /// Closes the file; later appends fail. Called automatically on deinit.
    public func close() {
        lock.lock(); defer { lock.unlock() }
        if fd >= 0 {
            #if canImport(Glibc)
            _ = Glibc.close(fd)
            #elseif canImport(Musl)
            _ = Musl.close(fd)
            #else
            _ = Darwin.close(fd)
            #endif
            fd = -1
        }
    }

    private func write(_ text: String) throws(MetricsLogError) {
        lock.lock(); defer { lock.unlock() }
        guard fd >= 0 else { throw .writeFailed(path: url.path, reason: "the log is closed") }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                AtomicFile.systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .writeFailed(path: url.path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    private static func lastByte(of path: String) -> UInt8? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd(), end > 0 else { return nil }
        try? handle.seek(toOffset: end - 1)
        return (try? handle.read(upToCount: 1))?.first
    }
}

/// What reading a metrics log found.
public struct MetricsLogContents: Equatable, Sendable {
    /// Parsed records, in file order.
    public var records: [MetricsRecord]
    /// Lines in the middle of the file that could not be parsed (skipped).
    public var malformedLines: [MalformedMetricsLine]
    /// True when the last line had no newline and did not parse: a run killed mid-write.
    public var truncatedLastLine: Bool
}

/// Reads `metrics.jsonl` files.
public enum MetricsLogReader {
    /// The file name inside a run directory.
    public static let fileName = "metrics.jsonl"

    /// Reads a metrics log. A partial last line is reported, never an error. Malformed lines
    /// elsewhere are skipped and listed, or, when `strict`, make the read fail.
    public static func read(_ url: URL, strict: Bool = false) throws(MetricsLogError) -> MetricsLogContents {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .cannotRead(path: url.path, reason: error.localizedDescription)
        }
        let contents = parse(String(decoding: data, as: UTF8.self))
        if strict && !contents.malformedLines.isEmpty {
            throw .malformedLines(path: url.path, lines: contents.malformedLines)
        }
        return contents
    }

    /// Parses the text of a metrics log; see ``read(_:strict:)``.
    public static func parse(_ text: String) -> MetricsLogContents {
        var records: [MetricsRecord] = []
        var malformed: [MalformedMetricsLine] = []
        var truncated = false
        // Split on the byte 10, not on Characters: "\r\n" is one Character in Swift.
        let bytes = text.utf8
        let endsWithNewline = bytes.last == UInt8(ascii: "\n")
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            let trimmed = rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine
            let line = Substring(decoding: trimmed, as: UTF8.self)
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                records.append(try MetricsRecord(jsonLine: line))
            } catch {
                let isLast = index == lines.count - 1 && !endsWithNewline
                if isLast { truncated = true } else {
                    malformed.append(MalformedMetricsLine(lineNumber: index + 1, reason: error.reason))
                }
            }
        }
        return MetricsLogContents(records: records, malformedLines: malformed, truncatedLastLine: truncated)
    }
}
