// Model and training configuration as JSON, with named presets from the papers and small CPU
// presets. Every hyperparameter of ../shared/docs/TRM-SPEC.md is a field.
import Foundation
import TRMFiles
import TRMNN
import TRMTensor

/// TRM (one network, deep recursion) or HRM (two networks, one-step gradient, Q-learning halting).
public enum ModelFamily: String, Codable, Sendable {
    case trm
    case hrm
}

/// Which part of a supervision step receives gradients.
public enum GradientMode: String, Codable, Sendable {
    /// TRM: back-propagate through the whole last cycle (n latent updates and one answer update).
    case fullLastCycle = "full_last_cycle"
    /// HRM's one-step (deep-equilibrium) approximation: only the final latent and answer updates.
    case oneStep = "one_step"
}

public enum PositionEncoding: String, Codable, Sendable {
    /// The reference's rotary embedding over the flattened sequence (position = index).
    case rope
    /// swift-trm's own, not the reference's: rotary embedding by grid row and column. A square
    /// grid of side s = sqrt(seqLen); in each head the first half of the rotation pairs turns with
    /// the row, the second half with the column, so the angle between two cells depends only on
    /// their row and column offsets, whatever the side: the cell above is the same relation in an
    /// 8x8 and a 30x30 maze (with `rope` it is 8 positions back in one, 30 in the other). The
    /// puzzle-embedding prefix is not turned. Needs a head width divisible by 4.
    case rope2d
    case none
}

public struct ModelConfig: Codable, Sendable, Equatable {
    public var family: ModelFamily = .trm
    public var mixer: MixerKind = .attention
    public var mixerNormAxis: MixerNormAxis = .sequence
    public var hidden: Int = 512
    public var heads: Int = 8
    public var expansion: Double = 4
    /// Blocks per network (TRM's single network; each of HRM's two).
    public var layers: Int = 2
    /// T (TRM) / N (HRM).
    public var hCycles: Int = 3
    /// n (TRM) / T (HRM).
    public var lCycles: Int = 6
    /// Cells per puzzle; 0 = taken from the training data (see `RunConfig.sized(for:)` in TRMTraining).
    public var seqLen: Int = 81
    /// Tokens 0..<vocabSize; 0 = taken from the training data.
    public var vocabSize: Int = 11
    public var puzzleEmbeddingWidth: Int = 512
    /// Prefix positions before the cells (TRM: 16; HRM: ceil(puzzleEmbeddingWidth / hidden)).
    public var puzzleEmbeddingLength: Int = 16
    /// Rows of the puzzle-embedding table; 0 = taken from the training data (the ARC presets).
    public var puzzleIdentifiers: Int = 1
    /// What the puzzle identifiers mean: the ARC layout of the training data (versions per task,
    /// seed, task list), set when a run is sized from such data; nil otherwise. Evaluation refuses
    /// data whose layout differs (`PuzzleDataset.problem(for:)` in TRMTraining).
    public var puzzleIdentifierLayout: PuzzleIdentifierLayout?
    public var positionEncoding: PositionEncoding = .rope
    public var ropeTheta: Double = 10000
    public var haltMaxSteps: Int = 16
    public var haltExplorationProbability: Double = 0.1
    public var gradientMode: GradientMode = .fullLastCycle
    public var normEpsilon: Float = 1e-5

    public init() {}

    public var headDim: Int { hidden / heads }
    public var totalLength: Int { puzzleEmbeddingLength + seqLen }
    public var mlpInner: Int { swigluInnerWidth(width: hidden, expansion: expansion) }
    public var tokenMixerInner: Int { swigluInnerWidth(width: totalLength, expansion: expansion) }

    /// The side of a square grid of `cells` cells, nil when `cells` is not a positive square.
    public static func gridSide(_ cells: Int) -> Int? {
        guard cells > 0 else { return nil }
        let side = Int(Double(cells).squareRoot().rounded())
        return side * side == cells ? side : nil
    }

    /// True when seqLen, vocabSize or puzzleIdentifiers is 0, to be taken from the training data.
    public var needsDataSizes: Bool { seqLen == 0 || vocabSize == 0 || puzzleIdentifiers == 0 }

    /// Problems a user can fix in a config file. 0 in seqLen, vocabSize and puzzleIdentifiers means
    /// "from the data" and passes unless `requireSizes` (building a model needs every size).
    public func validate(requireSizes: Bool = false) throws {
        func fail(_ why: String) throws -> Never { throw ConfigError.invalid(field: why) }
        if hidden <= 0 { try fail("hidden must be positive") }
        if mixer == .attention && (heads <= 0 || hidden % heads != 0 || (hidden / heads) % 2 != 0) {
            try fail("hidden (\(hidden)) must split into heads (\(heads)) of even width")
        }
        if mixer == .attention && positionEncoding == .rope2d {
            if (hidden / max(heads, 1)) % 4 != 0 {
                try fail("positionEncoding rope2d turns half of each head with the row and half with the column: the head width (hidden \(hidden) / heads \(heads)) must be a multiple of 4")
            }
            if seqLen > 0 && Self.gridSide(seqLen) == nil {
                try fail("positionEncoding rope2d needs a square grid, and seqLen \(seqLen) is not a square (use rope)")
            }
        }
        if layers <= 0 || hCycles <= 0 || lCycles <= 0 { try fail("layers, hCycles and lCycles must be positive") }
        if requireSizes && needsDataSizes {
            try fail("seqLen \(seqLen), vocabSize \(vocabSize), puzzleIdentifiers \(puzzleIdentifiers): 0 means 'from the training data', and no data has sized this model yet")
        }
        if seqLen < 0 || vocabSize < 0 || vocabSize == 1 { try fail("seqLen must be positive and vocabSize at least 2 (0: from the data)") }
        if puzzleEmbeddingWidth > puzzleEmbeddingLength * hidden {
            try fail("puzzleEmbeddingWidth (\(puzzleEmbeddingWidth)) exceeds puzzleEmbeddingLength x hidden")
        }
        if haltMaxSteps <= 0 { try fail("haltMaxSteps must be positive") }
        if puzzleIdentifiers < 0 { try fail("puzzleIdentifiers must be at least 1 (0: from the data)") }
    }
}

extension ModelConfig {
    /// Missing keys take the defaults above, except seqLen, vocabSize and puzzleIdentifiers: missing,
    /// they are 0 and the training data decides them.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try read(.family, &family); try read(.mixer, &mixer); try read(.mixerNormAxis, &mixerNormAxis)
        try read(.hidden, &hidden); try read(.heads, &heads); try read(.expansion, &expansion)
        try read(.layers, &layers); try read(.hCycles, &hCycles); try read(.lCycles, &lCycles)
        try read(.puzzleEmbeddingWidth, &puzzleEmbeddingWidth); try read(.puzzleEmbeddingLength, &puzzleEmbeddingLength)
        try read(.positionEncoding, &positionEncoding); try read(.ropeTheta, &ropeTheta)
        try read(.haltMaxSteps, &haltMaxSteps); try read(.haltExplorationProbability, &haltExplorationProbability)
        try read(.gradientMode, &gradientMode); try read(.normEpsilon, &normEpsilon)
        seqLen = try c.decodeIfPresent(Int.self, forKey: .seqLen) ?? 0
        vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? 0
        puzzleIdentifiers = try c.decodeIfPresent(Int.self, forKey: .puzzleIdentifiers) ?? 0
        puzzleIdentifierLayout = try c.decodeIfPresent(PuzzleIdentifierLayout.self, forKey: .puzzleIdentifierLayout)
    }

    /// This configuration with sizes still taken from the data set to placeholders (1 puzzle
    /// identifier): for parameter counts and benchmarks, which need a model but no data.
    public var withPlaceholderSizes: ModelConfig {
        var c = self
        if c.puzzleIdentifiers == 0 { c.puzzleIdentifiers = 1 }
        if c.seqLen == 0 { c.seqLen = 81 }
        if c.vocabSize == 0 { c.vocabSize = 11 }
        return c
    }
}

public struct TrainingConfig: Codable, Sendable, Equatable {
    public var optimizer: OptimizerKind = .adamAtan2
    public var learningRate: Float = 1e-4
    public var warmupSteps: Int = 2000
    /// Cosine decay floor as a fraction of the lr; 1.0 (all published runs) = constant after warm-up.
    public var minLearningRateRatio: Float = 1
    public var weightDecay: Float = 1.0
    public var beta1: Float = 0.9
    public var beta2: Float = 0.95
    public var puzzleEmbeddingLearningRate: Float = 1e-4
    public var puzzleEmbeddingWeightDecay: Float = 1.0
    public var loss: CrossEntropyKind = .stablemax
    public var qLossWeight: Float = 0.5
    public var ema: Bool = true
    public var emaRate: Float = 0.999
    public var batchSize: Int = 768
    public var totalSteps: Int = 65_000
    public var evalInterval: Int = 5000
    public var checkpointInterval: Int = 1000
    public var seed: UInt64 = 0
    /// Training-time augmentation: nil (absent from the JSON) = the data's default (augment, unless
    /// its rows are already augmented versions); false = none, only the epoch shuffle (`trm train
    /// --no-augment`), e.g. to train on exactly the rows a reference run saw.
    public var augment: Bool? = nil

    public init() {}

    /// Warm-up then cosine towards lr * minLearningRateRatio (constant when the ratio is 1).
    public func learningRate(atStep step: Int) -> Float {
        if step < warmupSteps { return learningRate * Float(step) / Float(max(warmupSteps, 1)) }
        if minLearningRateRatio >= 1 { return learningRate }
        let progress = Float(step - warmupSteps) / Float(max(1, totalSteps - warmupSteps))
        let cosine = 0.5 * (1 + Foundation.cos(Float.pi * min(progress, 1)))
        return learningRate * (minLearningRateRatio + (1 - minLearningRateRatio) * cosine)
    }
}

/// A model and how to train it: what `trm train --config` reads and checkpoints store.
public struct RunConfig: Codable, Sendable, Equatable {
    public var name: String
    public var model: ModelConfig
    public var training: TrainingConfig

    public init(name: String, model: ModelConfig, training: TrainingConfig) {
        self.name = name; self.model = model; self.training = training
    }

    public static func load(from url: URL) throws -> RunConfig {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ConfigError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        do {
            let cfg = try JSONDecoder().decode(RunConfig.self, from: data)
            try cfg.model.validate()
            return cfg
        } catch let e as ConfigError {
            throw e
        } catch {
            var reason = JSONText.decodingReason(error)
            if ["yaml", "yml"].contains(url.pathExtension.lowercased()) {
                reason += " (a run configuration is JSON, as config.json and the presets are; the reference's "
                    + "all_config.yaml goes with its checkpoint to `trm import --config`)"
            }
            throw ConfigError.malformed(path: url.path, reason: reason)
        }
    }

    public func jsonData() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try enc.encode(self)
    }
}

public enum ConfigError: Error, CustomStringConvertible, Equatable {
    case unknownPreset(String, known: [String])
    case invalid(field: String)
    case unreadable(path: String, reason: String)
    case malformed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownPreset(n, known): return "unknown preset '\(n)'; known presets: \(known.joined(separator: ", "))"
        case let .invalid(f): return "invalid configuration: \(f)"
        case let .unreadable(p, r): return "cannot read config \(p): \(r)"
        case let .malformed(p, r): return "config \(p) is not a valid run configuration: \(r)"
        }
    }
}
