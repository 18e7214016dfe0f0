// PNGConverter: turns SVG files into PNG with whatever converter the machine has (rsvg-convert,
// or ImageMagick's `magick`/`convert`). A candidate counts only after it converts a small test SVG
// into a real PNG, so stand-ins and broken installs are passed over.

import Foundation

/// A working SVG-to-PNG command-line converter.
public struct PNGConverter: Sendable, Equatable {
    /// Which program, which decides its arguments.
    public enum Tool: String, Sendable {
        case rsvgConvert = "rsvg-convert"
        case magick = "magick"
        case convert = "convert"
    }

    public let tool: Tool
    /// Absolute path of the executable.
    public let executable: String

    /// Seconds a conversion may take before it is abandoned.
    public static let timeoutSeconds = 60.0

    /// The first converter on `searchPath` (default: $PATH) that really converts a test SVG,
    /// trying rsvg-convert, then magick, then convert; nil when none works.
    public static func find(searchPath: String? = nil) -> PNGConverter? {
        let path = searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        let probeDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("trm-png-probe-\(UUID().uuidString)", isDirectory: true)
        guard (try? FileManager.default.createDirectory(at: probeDirectory, withIntermediateDirectories: true)) != nil else {
            return nil
        }
        defer { try? FileManager.default.removeItem(at: probeDirectory) }
        let svg = probeDirectory.appendingPathComponent("probe.svg")
        let probe = """
            <svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#1f77b4"/></svg>
            """
        guard (try? Data(probe.utf8).write(to: svg)) != nil else { return nil }
        for tool in [Tool.rsvgConvert, .magick, .convert] {
            for directory in directories {
                let candidate = URL(fileURLWithPath: directory).appendingPathComponent(tool.rawValue).path
                guard FileManager.default.isExecutableFile(atPath: candidate) else { continue }
                let converter = PNGConverter(tool: tool, executable: candidate)
                let png = probeDirectory.appendingPathComponent("probe-\(tool.rawValue).png")
                if converter.convert(svg: svg, to: png) { return converter }
            }
        }
        return nil
    }

    /// Converts `svg` to `png`; true only when the output exists and starts with the PNG
    /// signature. A failed conversion leaves no output file.
    @discardableResult
    public func convert(svg: URL, to png: URL) -> Bool {
        try? FileManager.default.removeItem(at: png)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        switch tool {
        case .rsvgConvert: process.arguments = ["-f", "png", "-o", png.path, svg.path]
        case .magick, .convert: process.arguments = [svg.path, png.path]
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do { try process.run() } catch { return false }
        if finished.wait(timeout: .now() + Self.timeoutSeconds) == .timedOut {
            process.terminate()
            _ = finished.wait(timeout: .now() + 5)
            try? FileManager.default.removeItem(at: png)
            return false
        }
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard process.terminationStatus == 0,
              let handle = FileHandle(forReadingAtPath: png.path) else {
            try? FileManager.default.removeItem(at: png)
            return false
        }
        let head = (try? handle.read(upToCount: 8)) ?? Data()
        try? handle.close()
        if Array(head) != signature {
            try? FileManager.default.removeItem(at: png)
            return false
        }
        return true
    }
}
