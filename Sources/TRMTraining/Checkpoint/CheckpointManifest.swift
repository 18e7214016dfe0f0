// CheckpointManifest: the contents of a checkpoint's state.json (step, optimizer step, random
// generator, data position, timing) and the size and checksum of every other file, so loading can
// tell a truncated or corrupt file from a good one before trusting it.
import Foundation
import TRMPuzzles
import TRMTensor

/// Size and checksum of one checkpoint file as written.
public struct CheckpointFileRecord: Codable, Equatable, Sendable {
    public var bytes: Int
    /// "fnv1a64w:<16 hex digits>" (see ``CheckpointChecksum``).
    public var checksum: String
}

/// state.json of a checkpoint.
public struct CheckpointManifest: Codable, Equatable, Sendable {
    public static let formatName = "trm-checkpoint"
    public static let currentVersion = 1

    public var format: String = CheckpointManifest.formatName
    public var version: Int = CheckpointManifest.currentVersion
    /// Optimizer steps taken by the run (TrainingState.step).
    public var step: Int
    /// The dense optimizer's own step counter (bias correction).
    public var optimizerStep: Int
    /// The training generator (halting exploration) after `step` steps.
    public var rng: SeededRandom
    /// Where the training sample stream stands; nil when saved outside a training loop.
    public var stream: SampleStreamState?
    /// Training wall-clock seconds so far, summed over resumed segments.
    public var elapsedSeconds: Double
    /// True when model.safetensors holds EMA weights and weights-raw.safetensors the trained ones.
    public var emaWeights: Bool
    /// True when carry.safetensors holds the ACT carry (y, z, steps, halted and the rows' data).
    public var hasCarry: Bool
    /// Every other file of the checkpoint by name.
    public var files: [String: CheckpointFileRecord]
    /// ISO 8601, UTC.
    public var createdAt: String
    /// Where the training data came from (informational).
    public var trainingData: [String]
}

/// FNV-1a over 64-bit little-endian words (then the tail bytes): fast enough for checkpoints of
/// hundreds of megabytes, and sensitive to any changed, missing or extra byte.
public enum CheckpointChecksum {
    public static func of(_ data: Data) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let prime: UInt64 = 0x0000_0100_0000_01B3
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let words = raw.count / 8
            var i = 0
            while i < words {
                h = (h ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))) &* prime
                i += 1
            }
            for j in (words * 8)..<raw.count { h = (h ^ UInt64(raw[j])) &* prime }
        }
        h = (h ^ UInt64(data.count)) &* prime
        let hex = String(h, radix: 16)
        return "fnv1a64w:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
