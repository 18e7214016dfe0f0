// PuzzleSource: where `trm solve` reads its puzzle: an argument, a file ('-' for stdin), or piped
// stdin (only when data or end-of-file is ready at once, so an idle inherited stdin never blocks).
import Foundation

public enum PuzzleSourceError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case tooLarge(path: String, bytes: Int)

    public var description: String {
        switch self {
        case let .unreadable(p, r): return "cannot read \(p): \(r)"
        case let .tooLarge(p, n): return "\(p) is \(n) bytes; a puzzle is at most \(PuzzleParser.maximumBytes) bytes"
        }
    }
}

public enum PuzzleSource {
    /// The puzzle text, or nil when none was given (the caller uses its default).
    public static func read(argument: String?, file: String?) throws -> String? {
        if let argument, argument != "-" { return argument }
        if argument == "-" || file == "-" { return try readStdin(wait: true) }
        if let file {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                throw PuzzleSourceError.unreadable(path: file, reason: error.localizedDescription)
            }
            guard data.count <= PuzzleParser.maximumBytes else { throw PuzzleSourceError.tooLarge(path: file, bytes: data.count) }
            return String(decoding: data, as: UTF8.self)
        }
        if isatty(STDIN_FILENO) == 1 { return nil }
        let text = try readStdin(wait: false)
        return text?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == false ? text : nil
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
            if data.count > PuzzleParser.maximumBytes { throw PuzzleSourceError.tooLarge(path: "stdin", bytes: data.count) }
        }
        return String(decoding: data, as: UTF8.self)
    }
}
