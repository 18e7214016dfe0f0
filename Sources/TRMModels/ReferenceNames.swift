// The reference implementation's names, in one place: its parameter names (a state dict of the
// compiled ACT loss head: `_orig_mod.model.inner.L_level.layers.0.mlp.down_proj.weight`) and its
// `arch:` configuration fields (H_cycles, hidden_size, puzzle_emb_ndim...). Our parameter paths are
// the reference's below `model.`, so the mapping is a prefix; the golden fixtures, the checkpoint
// importer and the torch exporter all use this file.
import Foundation
import TRMTensor

public enum ReferenceNames {
    /// The prefix `torch.compile` adds to every key of the reference's saved state dict.
    public static let compiledPrefix = "_orig_mod."
    /// The ACT loss head wraps the model as `model`; the model keeps its tensors under `inner`.
    public static let modelPrefix = "model."
    /// What the reference's `load_checkpoint` expects in front of our parameter paths.
    public static let checkpointPrefix = compiledPrefix + modelPrefix

    /// Our parameter path for a reference key, with or without `_orig_mod.`, `model.` and `inner.`.
    public static func ourName(fromReference key: String) -> String {
        var k = Substring(key)
        if k.hasPrefix(compiledPrefix) { k = k.dropFirst(compiledPrefix.count) }
        if k.hasPrefix(modelPrefix) { k = k.dropFirst(modelPrefix.count) }
        return k.hasPrefix("inner.") ? String(k) : "inner." + k
    }

    /// The key the reference's own checkpoints use for our parameter path.
    public static func referenceName(ours name: String) -> String { checkpointPrefix + name }

    /// Non-persistent buffers of the reference (recomputed at load time): ignored when present.
    public static func isDerivedBuffer(_ ourName: String) -> Bool {
        ourName.hasPrefix("inner.rotary_emb.")
    }
}

/// The reference's `arch:` section (and the golden fixtures' `model_config`), field names as the
/// reference spells them. Data-set sizes (seq_len, vocab_size, num_puzzle_identifiers) are optional:
/// a reference run takes them from its data set, not from this section.
public struct ReferenceArchConfig: Codable, Sendable, Equatable {
    public var name: String?
    public var H_cycles: Int
    public var L_cycles: Int
    public var H_layers: Int?
    public var L_layers: Int
    public var hidden_size: Int
    public var num_heads: Int?
    public var expansion: Double
    public var puzzle_emb_ndim: Int?
    public var puzzle_emb_len: Int?
    public var pos_encodings: String?
    public var mlp_t: Bool?
    public var halt_max_steps: Int
    public var halt_exploration_prob: Double?
    public var rope_theta: Double?
    public var rms_norm_eps: Double?
    public var forward_dtype: String?
    public var no_ACT_continue: Bool?
    public var seq_len: Int?
    public var vocab_size: Int?
    public var num_puzzle_identifiers: Int?
    /// The loss head (`losses@ACTLossHead`) and its cross-entropy (`stablemax_cross_entropy`).
    public var loss: Loss?

    public struct Loss: Codable, Sendable, Equatable {
        public var name: String?
        public var loss_type: String?
        public init(name: String?, loss_type: String?) { self.name = name; self.loss_type = loss_type }
    }

    public init(H_cycles: Int, L_cycles: Int, L_layers: Int, hidden_size: Int, expansion: Double, halt_max_steps: Int) {
        self.H_cycles = H_cycles; self.L_cycles = L_cycles; self.L_layers = L_layers
        self.hidden_size = hidden_size; self.expansion = expansion; self.halt_max_steps = halt_max_steps
    }

    /// The reference's `arch:` section for one of our models (the inverse of ``modelConfig``).
    public init(_ m: ModelConfig, loss: CrossEntropyKind) {
        self.init(H_cycles: m.hCycles, L_cycles: m.lCycles, L_layers: m.layers, hidden_size: m.hidden,
                  expansion: m.expansion, halt_max_steps: m.haltMaxSteps)
        switch m.family {
        case .trm:
            name = "recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1"
            H_layers = 0
            puzzle_emb_len = m.puzzleEmbeddingLength
            mlp_t = m.mixer == .mlp
        case .hrm:
            name = "recursive_reasoning.hrm@HierarchicalReasoningModel_ACTV1"
            H_layers = m.layers
        }
        num_heads = m.heads
        puzzle_emb_ndim = m.puzzleEmbeddingWidth
        pos_encodings = m.positionEncoding.rawValue  // rope2d is ours: TorchExport refuses it
        halt_exploration_prob = m.haltExplorationProbability
        rope_theta = m.ropeTheta
        rms_norm_eps = Double(String(m.normEpsilon)) ?? 1e-5
        forward_dtype = "float32"
        no_ACT_continue = m.family == .trm ? true : nil
        self.loss = Loss(name: "losses@ACTLossHead",
                         loss_type: loss == .stablemax ? "stablemax_cross_entropy" : "softmax_cross_entropy")
    }

    /// The model family an `arch.name` such as `recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1`
    /// or `hrm.hrm_act_v1@HierarchicalReasoningModel_ACTV1` stands for; nil for any other class.
    public static func family(ofArchitecture name: String) -> ModelFamily? {
        let cls = name.split(separator: "@").last.map(String.init) ?? name
        switch cls {
        case "TinyRecursiveReasoningModel_ACTV1": return .trm
        case "HierarchicalReasoningModel_ACTV1": return .hrm
        default: return nil
        }
    }

    /// Our model configuration for this architecture. `family` overrides the one `name` implies;
    /// seqLen, vocabSize and puzzleIdentifiers override the optional fields.
    public func modelConfig(family given: ModelFamily? = nil, seqLen: Int? = nil, vocabSize: Int? = nil,
                            puzzleIdentifiers: Int? = nil) throws -> ModelConfig {
        func fail(_ why: String) -> ConfigError { ConfigError.invalid(field: why) }
        guard let family = given ?? name.flatMap(Self.family(ofArchitecture:)) else {
            throw fail("unknown architecture '\(name ?? "(none)")'; supported: recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1 "
                + "(TRM, attention or mlp_t) and HierarchicalReasoningModel_ACTV1 (HRM)")
        }
        guard let seq = seqLen ?? seq_len, let vocab = vocabSize ?? vocab_size,
              let ids = puzzleIdentifiers ?? num_puzzle_identifiers else {
            throw fail("the sequence length, vocabulary size and puzzle-identifier count are not known")
        }
        try checkLimits(seqLen: seq, vocabSize: vocab, puzzleIdentifiers: ids)
        var m = ModelConfig()
        m.family = family
        m.mixer = (mlp_t ?? false) ? .mlp : .attention
        m.hidden = hidden_size; m.heads = num_heads ?? 1; m.expansion = expansion
        m.hCycles = H_cycles; m.lCycles = L_cycles
        m.seqLen = seq; m.vocabSize = vocab
        m.puzzleEmbeddingWidth = puzzle_emb_ndim ?? 0; m.puzzleIdentifiers = ids
        let pos = pos_encodings ?? "rope"
        guard pos == "rope" || pos == "none" || m.mixer == .mlp else {
            throw fail("position encoding '\(pos)' is not supported (rope or none)")
        }
        m.positionEncoding = pos == "rope" ? .rope : .none
        m.ropeTheta = rope_theta ?? 10000
        m.normEpsilon = Float(rms_norm_eps ?? 1e-5)
        m.haltMaxSteps = halt_max_steps; m.haltExplorationProbability = halt_exploration_prob ?? 0.1
        let ceilLength = (m.puzzleEmbeddingWidth + hidden_size - 1) / max(hidden_size, 1)
        switch family {
        case .trm:
            m.layers = L_layers
            // The reference: puzzle_emb_len 0 means ceil(puzzle_emb_ndim / hidden_size); default 16.
            let len = puzzle_emb_len ?? 16
            m.puzzleEmbeddingLength = len == 0 ? ceilLength : len
            m.gradientMode = .fullLastCycle
        case .hrm:
            let h = H_layers ?? L_layers
            guard h == L_layers else { throw fail("H_layers \(h) != L_layers \(L_layers) is not supported") }
            m.layers = L_layers
            m.puzzleEmbeddingLength = ceilLength
            m.gradientMode = .oneStep
        }
        try m.validate()
        return m
    }
}
