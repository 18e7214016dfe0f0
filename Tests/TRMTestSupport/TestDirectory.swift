// TestDirectory: a fresh temporary directory per test, removed when the value is released.
import Foundation

public final class TestDirectory: @unchecked Sendable {
    public let url: URL

    public init(_ label: String = #function) {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("trm-tests-\(safe)-\(UUID().uuidString)", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// A text file `name` here holding `lines`, each ended by "\n" (a CSV cut from a shared data
    /// file, say); returns its URL.
    public func file<S: StringProtocol>(_ name: String, lines: some Sequence<S>) throws -> URL {
        let file = file(name)
        try (lines.map { String($0) + "\n" }.joined()).write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Names of the entries in the directory, sorted.
    public func contents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
    }

    deinit {
        // A test may have made the directory read-only (write-failure tests): give it back first.
        try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        try? FileManager.default.removeItem(at: url)
    }
}

/// Collects text written from any thread.
public final class TextSink: @unchecked Sendable {
    private let lock = NSLock()
    private var chunks: [String] = []

    public init() {}
    public func write(_ text: String) { lock.lock(); chunks.append(text); lock.unlock() }
    public var all: [String] { lock.lock(); defer { lock.unlock() }; return chunks }
}

/// A clock the test moves by hand.
public final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds = 0.0

    public init() {}
    public func now() -> Double { lock.lock(); defer { lock.unlock() }; return seconds }
    public func advance(_ delta: Double) { lock.lock(); seconds += delta; lock.unlock() }
}
