// CheckpointError: everything that can be wrong when saving or loading a checkpoint. Every case
// names the file (or folder) involved and says what to do.
import Foundation

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
            return "\(p): missing checkpoint file. The checkpoint is incomplete; use the run's checkpoint.previous folder or retrain."
        case let .sizeMismatch(p, e, a):
            return "\(p): \(a < e ? "truncated" : "too long"): \(a) bytes, the checkpoint recorded \(e). "
                + "The file was damaged after it was written; use checkpoint.previous or copy the run again."
        case let .checksumMismatch(p, e, f):
            return "\(p): checksum \(f) does not match the recorded \(e); the file is corrupt. Use checkpoint.previous or copy the run again."
        case let .corrupt(p, r):
            return "\(p): corrupt checkpoint file: \(r)"
        case let .incompatible(p, r):
            return "\(p): does not fit the model in config.json: \(r)"
        case let .configMismatch(p, r):
            return "\(p): cannot resume with this configuration: \(r). Resume without --preset/--config to use the checkpoint's own."
        case let .writeFailed(p, r):
            let cause = r.hasSuffix(".") ? String(r.dropLast()) : r
            return "cannot write checkpoint \(p): \(cause). The previous checkpoint, if any, is unchanged; "
                + "free disk space (or fix the folder) and continue with `trm train --resume RUN`"
        }
    }
}
