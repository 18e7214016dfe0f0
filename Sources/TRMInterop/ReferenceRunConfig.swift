// ReferenceRunConfig: the reference's `all_config.yaml` (what `pretrain.py` writes beside every
// checkpoint): the `arch:` section plus the training settings we map onto TrainingConfig. Read and
// written with Yams.
import Foundation
import TRMModels
import TRMTensor
import Yams

public struct ReferenceRunConfig: Codable, Sendable, Equatable {
    public var arch: ReferenceArchConfig
    public var data_paths: [String]?
    public var data_paths_test: [String]?
    public var global_batch_size: Int?
    public var epochs: Int?
    public var lr: Double?
    public var lr_min_ratio: Double?
    public var lr_warmup_steps: Int?
    public var weight_decay: Double?
    public var beta1: Double?
    public var beta2: Double?
    public var puzzle_emb_lr: Double?
    public var puzzle_emb_weight_decay: Double?
    public var ema: Bool?
    public var ema_rate: Double?
    public var eval_interval: Int?
    public var project_name: String?
    public var run_name: String?
    public var checkpoint_path: String?
    public var seed: Int?

    public init(arch: ReferenceArchConfig) { self.arch = arch }

    /// Reads `all_config.yaml`.
    public static func load(_ url: URL) throws(InteropError) -> ReferenceRunConfig {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw InteropError(file: url.path, problem: "cannot read (\(error.localizedDescription))")
        }
        do { return try YAMLDecoder().decode(ReferenceRunConfig.self, from: text) } catch let e as DecodingError {
            throw InteropError(file: url.path, problem: "not a reference run configuration: \(Self.describe(e))")
        } catch {
            throw InteropError(file: url.path, problem: "not valid YAML: \(error)")
        }
    }

    static func describe(_ e: DecodingError) -> String {
        func path(_ c: [CodingKey]) -> String { c.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") }
        switch e {
        case let .keyNotFound(k, ctx): return "missing field '\(path(ctx.codingPath + [k]))'"
        case let .typeMismatch(_, ctx), let .valueNotFound(_, ctx): return "field '\(path(ctx.codingPath))': \(ctx.debugDescription)"
        case let .dataCorrupted(ctx): return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return String(describing: e)
        }
    }

    /// Our training settings for this run (defaults where the file is silent).
    public var trainingConfig: TrainingConfig {
        var t = TrainingConfig()
        if let lr { t.learningRate = Float(lr) }
        if let lr_min_ratio { t.minLearningRateRatio = Float(lr_min_ratio) }
        if let lr_warmup_steps { t.warmupSteps = lr_warmup_steps }
        if let weight_decay { t.weightDecay = Float(weight_decay) }
        if let beta1 { t.beta1 = Float(beta1) }
        if let beta2 { t.beta2 = Float(beta2) }
        if let puzzle_emb_lr { t.puzzleEmbeddingLearningRate = Float(puzzle_emb_lr) }
        if let puzzle_emb_weight_decay { t.puzzleEmbeddingWeightDecay = Float(puzzle_emb_weight_decay) }
        if let ema { t.ema = ema }
        if let ema_rate { t.emaRate = Float(ema_rate) }
        if let global_batch_size { t.batchSize = global_batch_size }
        if let eval_interval { t.evalInterval = eval_interval }
        if let seed, seed >= 0 { t.seed = UInt64(seed) }
        if let type = arch.loss?.loss_type { t.loss = type.contains("softmax") ? .softmax : .stablemax }
        return t
    }

    /// The reference's configuration for one of our runs (what `trm export --format torch` writes).
    public init(_ run: RunConfig) {
        self.init(arch: ReferenceArchConfig(run.model, loss: run.training.loss))
        let t = run.training
        data_paths = []
        data_paths_test = []
        global_batch_size = t.batchSize
        epochs = t.totalSteps  // the reference counts epochs, we count steps: an upper bound it accepts, not a conversion
        lr = Double(String(t.learningRate)); lr_min_ratio = Double(String(t.minLearningRateRatio))
        lr_warmup_steps = t.warmupSteps
        weight_decay = Double(String(t.weightDecay))
        beta1 = Double(String(t.beta1)); beta2 = Double(String(t.beta2))
        puzzle_emb_lr = Double(String(t.puzzleEmbeddingLearningRate))
        puzzle_emb_weight_decay = Double(String(t.puzzleEmbeddingWeightDecay))
        ema = t.ema; ema_rate = Double(String(t.emaRate))
        // The reference trains `eval_interval` epochs per iteration and asserts that it divides
        // `epochs`; 0 (ours: never evaluate) would divide by zero there. Left out (None: one
        // iteration of all epochs) unless it is a divisor.
        eval_interval = t.evalInterval > 0 && t.totalSteps % t.evalInterval == 0 ? t.evalInterval : nil
        project_name = "swift-trm-export"
        run_name = run.name
        seed = Int(truncatingIfNeeded: t.seed)
    }

    /// The YAML text, with floats spelled so that PyYAML reads them as floats (`4.0`, `1.0e-05`;
    /// YAML 1.1 resolvers need the dot that Yams leaves out of `4e+0`).
    public func yamlText() throws -> String {
        let text = try YAMLEncoder().encode(self)
        guard let node = try Yams.compose(yaml: text) else { return text }
        return try Yams.serialize(node: Self.pythonFloats(node))
    }

    static func pythonFloats(_ node: Node) -> Node {
        switch node {
        case var .scalar(s):
            if s.style == .plain, s.string.contains(where: { $0 == "e" || $0 == "." }), let d = Double(s.string), d.isFinite {
                var t = "\(d)"
                if t.contains("e") && !t.contains("."), let e = t.firstIndex(of: "e") { t.insert(contentsOf: ".0", at: e) }
                s.string = t
            }
            return .scalar(s)
        case let .mapping(m): return .mapping(Node.Mapping(m.map { (pythonFloats($0.key), pythonFloats($0.value)) }, m.tag, m.style))
        case let .sequence(q): return .sequence(Node.Sequence(q.map(pythonFloats), q.tag, q.style))
        }
    }
}
