// CheckpointError: everything that can be wrong when saving or loading a checkpoint. Every case
// names the file (or folder) involved and says what to do.
import Foundation
import TRMRuntime

public enum CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The path holds no checkpoint (no state.json here, in <path>/checkpoint or <path>/checkpoint.previous).
    case notFound(path: String)
    /// A file the checkpoint lists (or always has) is absent.
    case missingFile(path: String)
    /// The file is shorter or longer than the size recorded when it was written (truncated copy,
    /// interrupted transfer).
    case sizeMismatch(path: String, expectedBytes: Int, actualBytes: Int)
    /// The file's checksum differs from the one recorded when it was written (bit rot, edits).
    case checksumMismatch(path: String, expected: String, found: String)
    /// The file cannot be parsed (bad JSON, malformed safetensors).
    case corrupt(path: String, reason: String)
    /// A tensor is absent or has the wrong shape for the model the config describes.
    case incompatible(path: String, reason: String)
    /// The configuration given for a resume differs from the checkpoint's in a way that matters.
    case configMismatch(path: String, reason: String)
    /// Writing the checkpoint failed; the previous checkpoint, if any, is untouched.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .notFound(p):
            return "\(p): no checkpoint here (looked for state.json in it, in \(p)/checkpoint and in "
                + "\(p)/checkpoint.previous). Pass a run directory written by `trm train --out` or a checkpoint folder."
        case let .missingFile(p):
            return Self.damage(p, .missing)
        case let .sizeMismatch(p, e, a):
            return Self.damage(p, .sizeMismatch(expectedBytes: e, actualBytes: a))
        case let .checksumMismatch(p, e, f):
            return Self.damage(p, .checksumMismatch(expected: e, found: f))
        case let .corrupt(p, r):
            return DamageAdvice.corrupt(path: p, what: "checkpoint file", reason: r,
                                        remedy: DamageAdvice.checkpointRemedy(URL(fileURLWithPath: p).deletingLastPathComponent())) + "."
        case let .incompatible(p, r):
            return "\(p): does not fit the model in config.json: \(r)"
        case let .configMismatch(p, r):
            return "\(p): cannot resume with this configuration: \(r). Resume without --preset/--config to use the checkpoint's own."
        case let .writeFailed(p, r):
            let cause = r.hasSuffix(".") ? String(r.dropLast()) : r
            // p is the checkpoint folder (or the temporary one beside it) inside the run directory.
            let run = URL(fileURLWithPath: p).deletingLastPathComponent()
            let saved = ["checkpoint", "checkpoint.previous"].contains {
                FileManager.default.fileExists(atPath: run.appendingPathComponent($0).appendingPathComponent("state.json").path)
            }
            return "cannot write checkpoint \(p): \(cause). "
                + (saved ? "The previous checkpoint is unchanged; free disk space (or fix the folder) and continue with `trm train --resume \(run.path)`."
                         : "No checkpoint of this run was saved yet; free disk space (or fix the folder) and start the run again.")
        }
    }

    /// A file differs from what state.json records (missing, wrong size, wrong checksum).
    public var isDamage: Bool {
        switch self {
        case .missingFile, .sizeMismatch, .checksumMismatch: return true
        default: return false
        }
    }

    /// One wording for a damaged file, shared with the model loader (``DamageAdvice``).
    static func damage(_ path: String, _ problem: IntegrityProblem) -> String {
        DamageAdvice.message(path: path, problem: problem,
                             remedy: DamageAdvice.checkpointRemedy(URL(fileURLWithPath: path).deletingLastPathComponent())) + "."
    }
}
