// CheckpointManifest: the contents of a checkpoint's state.json (step, optimizer step, random
// generator, data position, timing) and the size and checksum of every other file, so loading can
// tell a truncated or corrupt file from a good one before trusting it.
import Foundation
import TRMPuzzles
import TRMTensor
import TRMRuntime

/// Size and checksum of one checkpoint file as written (the runtime's record: the loader in
/// TRMRuntime checks checkpoints with the same records).
public typealias CheckpointFileRecord = FileRecord

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
    /// Where the training data came from (informational: paths as given, or what generated it).
    public var trainingData: [String]
    /// The data files with their sizes and checksums, the training-row limit and the evaluation
    /// size: what `--resume` continues on when not given again (nil in checkpoints of older
    /// versions and of runs on generated puzzles).
    public var inputs: RunInputs? = nil
}
