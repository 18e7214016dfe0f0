// ModelIntegrity: sizes and checksums of the files a model is loaded from, and the check every
// loader runs before trusting them. Checkpoints record theirs in state.json, model folders in
// manifest.json, and an exported .safetensors file in its own metadata ("checksum": over the config
// text and the tensor bytes), so a truncated copy or a flipped bit is an error naming the file,
// never a silently wrong model.
import Foundation

/// Size and checksum of one file as written.
public struct FileRecord: Codable, Equatable, Sendable {
    public var bytes: Int
    /// "fnv1a64w:<16 hex digits>" (see ``FileChecksum``).
    public var checksum: String

    public init(bytes: Int, checksum: String) { self.bytes = bytes; self.checksum = checksum }

    /// The record of `data`.
    public init(of data: Data) { self.init(bytes: data.count, checksum: FileChecksum.of(data)) }
}

/// FNV-1a over 64-bit little-endian words (then the tail bytes): fast enough for checkpoints of
/// hundreds of megabytes, and sensitive to any changed, missing or extra byte.
public enum FileChecksum {
    public static func of(_ data: Data) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in h = update(h, raw) }
        h = (h ^ UInt64(data.count)) &* prime
        return format(h)
    }

    /// The checksum of several byte ranges read as one (an exported file's config and tensors).
    public static func of(_ parts: [Data]) -> String {
        var joined = Data()
        for p in parts { joined.append(p) }
        return of(joined)
    }

    static let prime: UInt64 = 0x0000_0100_0000_01B3

    static func update(_ start: UInt64, _ raw: UnsafeRawBufferPointer) -> UInt64 {
        var h = start
        let words = raw.count / 8
        var i = 0
        while i < words {
            h = (h ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))) &* prime
            i += 1
        }
        for j in (words * 8)..<raw.count { h = (h ^ UInt64(raw[j])) &* prime }
        return h
    }

    static func format(_ h: UInt64) -> String {
        let hex = String(h, radix: 16)
        return "fnv1a64w:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// What is wrong with a file compared with its record.
public enum IntegrityProblem: Equatable, Sendable, CustomStringConvertible {
    case missing
    case sizeMismatch(expectedBytes: Int, actualBytes: Int)
    case checksumMismatch(expected: String, found: String)

    /// The problem of `data` (nil: the file is absent) against `record`; nil when it matches.
    public static func check(_ data: Data?, against record: FileRecord) -> IntegrityProblem? {
        guard let data else { return .missing }
        guard data.count == record.bytes else { return .sizeMismatch(expectedBytes: record.bytes, actualBytes: data.count) }
        let sum = FileChecksum.of(data)
        return sum == record.checksum ? nil : .checksumMismatch(expected: record.checksum, found: sum)
    }

    public var description: String {
        switch self {
        case .missing: return "the file is missing"
        case let .sizeMismatch(e, a): return "\(a < e ? "truncated" : "too long"): \(a) bytes where \(e) were recorded"
        case let .checksumMismatch(e, f): return "checksum \(f) does not match the recorded \(e), so the file is damaged"
        }
    }
}

/// manifest.json of a model folder: every other file's size and checksum, and where it came from.
public struct ModelManifest: Codable, Equatable, Sendable {
    public static let fileName = "manifest.json"
    public static let formatName = "trm-model"
    public static let currentVersion = 1

    public var format: String = ModelManifest.formatName
    public var version: Int = ModelManifest.currentVersion
    public var files: [String: FileRecord]
    /// Where the weights came from (a checkpoint, an import), informational.
    public var source: String?

    public init(files: [String: FileRecord], source: String? = nil) { self.files = files; self.source = source }

    /// The manifest of `files` (name -> contents).
    public init(contents: [String: Data], source: String? = nil) {
        self.init(files: contents.mapValues { FileRecord(of: $0) }, source: source)
    }
}

/// How a loaded model's files were checked.
public enum ModelVerification: Equatable, Sendable, CustomStringConvertible {
    /// Every recorded file matched its size and checksum.
    case verified(files: Int)
    /// The user asked not to check (`--no-verify`).
    case skipped
    /// Nothing to check against (a folder without manifest.json, a file exported before checksums).
    case unrecorded(reason: String)

    public var description: String {
        switch self {
        case let .verified(n): return "verified (\(n) file\(n == 1 ? "" : "s"), sizes and checksums)"
        case .skipped: return "not verified (--no-verify)"
        case let .unrecorded(reason): return "not verified: \(reason)"
        }
    }
}
