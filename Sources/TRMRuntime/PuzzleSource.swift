// PuzzleSource: where `trm solve` reads its puzzle: an argument, a file ('-' for stdin), or piped
// stdin (only when data or end-of-file is ready at once, so an idle inherited stdin never blocks).
import Foundation

public enum PuzzleSourceError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case tooLarge(path: String, bytes: Int)

    public var description: String {
        switch self {
        case let .unreadable(p, r): return "cannot read \(p): \(r)"
        case let .tooLarge(p, n): return "\(p) is \(n) bytes; a file of puzzles is at most \(PuzzleSource.maximumBytes) bytes"
        }
    }
}

public enum PuzzleSource {
    /// The most a puzzle file (or stdin) may hold: a whole data set's CSV, from which `--index`
    /// picks one row (Sudoku-Extreme-lite's test set is 1.9 MB, its training set 17 MB); the row
    /// picked is then held to `PuzzleParser.maximumBytes` like any puzzle.
    public static let maximumBytes = 64 << 20

    /// The puzzle text, or nil when none was given (the caller uses its default). An argument that
    /// names an existing file is read as that file.
    public static func read(argument: String?, file: String?) throws -> String? {
        if let argument, argument != "-" {
            var isDirectory: ObjCBool = false
            if argument.utf8.count < 4096, FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
                if isDirectory.boolValue {
                    throw PuzzleSourceError.unreadable(path: argument, reason: "it is a folder; give a puzzle file or the puzzle text")
                }
                return try read(argument: nil, file: argument)
            }
            if looksLikePath(argument) {
                throw PuzzleSourceError.unreadable(path: argument, reason: "no such file (the argument looks like a file name; give an existing file or the puzzle text)")
            }
            return argument
        }
        if argument == "-" || file == "-" { return try readStdin(wait: true) }
        if let file {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
                throw PuzzleSourceError.unreadable(path: file, reason: "no such file; give an existing puzzle file")
            }
            if isDirectory.boolValue {
                throw PuzzleSourceError.unreadable(path: file, reason: "it is a folder; give a puzzle file or the puzzle text")
            }
            // Refuse an oversized file before reading it, not after holding all of it in memory.
            if let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int, size > maximumBytes {
                throw PuzzleSourceError.tooLarge(path: file, bytes: size)
            }
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                throw PuzzleSourceError.unreadable(path: file, reason: (error as NSError).localizedFailureReason ?? "permission denied or not a regular file")
            }
            guard data.count <= maximumBytes else { throw PuzzleSourceError.tooLarge(path: file, bytes: data.count) }
            return String(decoding: data, as: UTF8.self)
        }
        if isatty(STDIN_FILENO) == 1 { return nil }
        let text = try readStdin(wait: false)
        return text?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == false ? text : nil
    }

    /// A name no puzzle text looks like: it holds '/' or ends in a puzzle file's extension.
    static func looksLikePath(_ s: String) -> Bool {
        !s.contains("\n") && (s.contains("/") || [".txt", ".csv", ".json", ".jsonl"].contains { s.lowercased().hasSuffix($0) })
    }

    /// Reads stdin to the end. Without `wait`, gives up (nil) when nothing is ready within 200 ms.
    static func readStdin(wait: Bool) throws -> String? {
        if !wait {
            var fds = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            guard poll(&fds, 1, 200) > 0 else { return nil }
        }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = Foundation.read(STDIN_FILENO, &buffer, buffer.count)
            if n < 0 { throw PuzzleSourceError.unreadable(path: "stdin", reason: String(cString: strerror(errno))) }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
            if data.count > maximumBytes { throw PuzzleSourceError.tooLarge(path: "stdin", bytes: data.count) }
        }
        return String(decoding: data, as: UTF8.self)
    }
}
