// ProgressBar: a progress line for long loops (training steps, evaluation batches).
//
//   train [##########..............]  4120/10000  41.2%  38.5 it/s  ETA 2m33s  loss 0.8123  acc 0.912
//
// On a terminal it redraws in place with \r; otherwise (a log file, CI) it prints a plain line at
// most every `plainIntervalSeconds`. Calling it every step is cheap: most calls only store the
// numbers and compare a clock reading. Safe to call from several threads.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread-safe progress display with rate, ETA and arbitrary named values.
public final class ProgressBar: @unchecked Sendable {
    /// How the bar shows itself.
    public enum Mode: Sendable, Equatable {
        /// `.terminal` when standard error is a TTY, else `.plain`.
        case automatic
        /// Redraw one line in place.
        case terminal
        /// A new line at most every `plainIntervalSeconds`, and at the end.
        case plain
        /// Print nothing.
        case quiet
    }

    public let total: Int?
    public let label: String
    public let mode: Mode
    private let plainIntervalSeconds: Double
    private let terminalIntervalSeconds: Double
    private let barWidth: Int
    private let output: @Sendable (String) -> Void
    private let clock: @Sendable () -> Double

    private let lock = NSLock()
    private var done = 0
    private var values: [(key: String, value: Double)] = []
    private let startSeconds: Double
    private var lastDrawSeconds = -Double.infinity
    private var finished = false
    private var lastPlainLine = ""

    /// - Parameters:
    ///   - total: the number of units of work, or nil when unknown (no bar, no ETA).
    ///   - label: a short name shown first ("train", "eval").
    ///   - mode: see ``Mode``.
    ///   - plainIntervalSeconds: the least time between plain lines.
    ///   - terminalIntervalSeconds: the least time between in-place redraws.
    ///   - output: where text goes (default: standard error, unbuffered).
    ///   - clock: seconds from any fixed origin (default: the monotonic clock); for tests.
    public init(total: Int?, label: String = "", mode: Mode = .automatic, plainIntervalSeconds: Double = 10,
                terminalIntervalSeconds: Double = 0.1, barWidth: Int = 24,
                output: (@Sendable (String) -> Void)? = nil, clock: (@Sendable () -> Double)? = nil) {
        self.total = total.map { max(0, $0) }
        self.label = label
        if mode == .automatic {
            self.mode = isatty(2) == 1 ? .terminal : .plain
        } else {
            self.mode = mode
        }
        self.plainIntervalSeconds = plainIntervalSeconds
        self.terminalIntervalSeconds = terminalIntervalSeconds
        self.barWidth = max(1, barWidth)
        self.output = output ?? Self.writeToStandardError
        self.clock = clock ?? { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        self.startSeconds = self.clock()
    }

    /// Sets the amount of work done and any named values (replacing earlier values of the same
    /// names, keeping first-seen order), then redraws if it is time.
    public func update(done: Int, _ newValues: KeyValuePairs<String, Double> = [:]) {
        lock.lock()
        self.done = max(0, done)
        store(newValues)
        let line = lineIfDue()
        lock.unlock()
        if let line { output(line) }
    }

    /// Adds `count` to the work done; see ``update(done:_:)``.
    public func advance(by count: Int = 1, _ newValues: KeyValuePairs<String, Double> = [:]) {
        lock.lock()
        done = max(0, done + count)
        store(newValues)
        let line = lineIfDue()
        lock.unlock()
        if let line { output(line) }
    }

    /// Draws the final state (always, unless quiet) and ends the line. Later calls do nothing.
    public func finish() {
        lock.lock()
        let alreadyFinished = finished
        finished = true
        let now = clock()
        let text = formatLine(now: now)
        let repeatsLastLine = mode == .plain && text + "\n" == lastPlainLine
        lock.unlock()
        guard !alreadyFinished else { return }
        switch mode {
        case .quiet: return
        case .terminal: output("\r\u{1B}[2K" + text + "\n")
        default: if !repeatsLastLine { output(text + "\n") }
        }
    }

    /// The current progress line, without drawing it.
    public func currentLine() -> String {
        lock.lock(); defer { lock.unlock() }
        return formatLine(now: clock())
    }

    // MARK: Internals (called with the lock held)

    private func store(_ newValues: KeyValuePairs<String, Double>) {
        for (key, value) in newValues {
            if let index = values.firstIndex(where: { $0.key == key }) {
                values[index].value = value
            } else {
                values.append((key, value))
            }
        }
    }

    private func lineIfDue() -> String? {
        guard !finished, mode != .quiet else { return nil }
        let now = clock()
        let interval = mode == .terminal ? terminalIntervalSeconds : plainIntervalSeconds
        guard now - lastDrawSeconds >= interval else { return nil }
        lastDrawSeconds = now
        let text = formatLine(now: now)
        if mode == .terminal { return "\r\u{1B}[2K" + text }
        lastPlainLine = text + "\n"
        return lastPlainLine
    }

    private func formatLine(now: Double) -> String {
        var parts: [String] = []
        if !label.isEmpty { parts.append(label) }
        let elapsed = max(0, now - startSeconds)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        if let total {
            let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
            let filled = Int((fraction * Double(barWidth)).rounded(.down))
            parts.append("[" + String(repeating: "#", count: filled)
                         + String(repeating: ".", count: barWidth - filled) + "]")
            let width = String(total).count
            let doneText = String(done)
            parts.append(String(repeating: " ", count: max(0, width - doneText.count)) + "\(doneText)/\(total)")
            parts.append(String(format: "%5.1f%%", fraction * 100))
        } else {
            parts.append("\(done)")
        }
        parts.append(Self.formatRate(rate))
        if let total, rate > 0, done < total {
            parts.append("ETA " + Self.formatDuration(Double(total - done) / rate))
        } else {
            parts.append("elapsed " + Self.formatDuration(elapsed))
        }
        for (key, value) in values {
            parts.append("\(key) \(String(format: "%.4g", value))")
        }
        return parts.joined(separator: "  ")
    }

    // MARK: Formatting

    /// "38.5 it/s", or "2.50 s/it" when slower than one per second.
    static func formatRate(_ rate: Double) -> String {
        if rate <= 0 || !rate.isFinite { return "-- it/s" }
        if rate < 1 { return String(format: "%.2f s/it", 1 / rate) }
        return String(format: rate < 100 ? "%.1f it/s" : "%.0f it/s", rate)
    }

    /// "45s", "3m12s", "1h02m", "2d03h".
    static func formatDuration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        if s < 86400 { return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m" }
        return "\(s / 86400)d\(String(format: "%02d", (s % 86400) / 3600))h"
    }

    private static let writeToStandardError: @Sendable (String) -> Void = { text in
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                #if canImport(Glibc)
                Glibc.write(2, raw.baseAddress! + offset, raw.count - offset)
                #elseif canImport(Musl)
                Musl.write(2, raw.baseAddress! + offset, raw.count - offset)
                #else
                Darwin.write(2, raw.baseAddress! + offset, raw.count - offset)
                #endif
            }
            if written <= 0 { if written < 0 && errno == EINTR { continue }; return }
            offset += written
        }
    }
}
