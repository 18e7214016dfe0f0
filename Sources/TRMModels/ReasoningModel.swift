// The recursive reasoning model: TRM (one network updating latent z and answer y) and HRM (a fast
// low-level and a slow high-level network). Parameter paths follow the reference module tree.
import Foundation
import TRMNN
import TRMTensor

public final class ReasoningModel: Module, @unchecked Sendable {
    public let config: ModelConfig
    public let embedTokens: Tensor          // [V, D]
    public let lmHead: Linear               // [V, D]
    public let qHead: Linear                // [2, D] + bias [2]: halt, continue
    /// TRM's single network; HRM's low-level network.
    public let lowLevel: ReasoningNet
    /// HRM's high-level network (nil for TRM).
    public let highLevel: ReasoningNet?
    /// Initial answer state y (z_H) and latent z (z_L): [D], fixed.
    public let initialY: Tensor
    public let initialZ: Tensor
    /// One learned vector per puzzle identifier, trained by sign-SGD on the rows a batch uses: [ids, W].
    public let puzzleEmbedding: Tensor
    public let rotary: RotaryTables?

    public init(config: ModelConfig, seed: UInt64) throws {
        try config.validate(requireSizes: true)
        self.config = config
        var rng = SeededRandom(seed: seed)
        let d = config.hidden
        embedTokens = parameter([config.vocabSize, d],
                                values: rng.truncatedNormal(count: config.vocabSize * d, std: 1 / Double(d).squareRoot()))
        lmHead = Linear(inputs: d, outputs: config.vocabSize, rng: &rng)
        qHead = Linear(weight: Initializer.zeros([2, d]), bias: Initializer.constant([2], -5))
        func net() -> ReasoningNet {
            ReasoningNet(layers: (0..<config.layers).map { _ in
                let mlp = SwiGLU(width: d, inner: config.mlpInner, rng: &rng)
                switch config.mixer {
                case .attention:
                    return Block(attention: SelfAttention(width: d, heads: config.heads, rng: &rng), tokenMixer: nil,
                                 mlp: mlp, eps: config.normEpsilon)
                case .mlp:
                    return Block(attention: nil,
                                 tokenMixer: TokenMixer(length: config.totalLength, inner: config.tokenMixerInner, rng: &rng),
                                 mlp: mlp, mixerNormAxis: config.mixerNormAxis, eps: config.normEpsilon)
                }
            })
        }
        if config.family == .hrm {
            highLevel = net()
            lowLevel = net()
        } else {
            highLevel = nil
            lowLevel = net()
        }
        initialY = try Tensor(shape: [d], values: rng.truncatedNormal(count: d, std: 1))
        initialZ = try Tensor(shape: [d], values: rng.truncatedNormal(count: d, std: 1))
        puzzleEmbedding = Tensor(zeros: [config.puzzleIdentifiers, max(config.puzzleEmbeddingWidth, 1)])
        switch (config.mixer, config.positionEncoding) {
        case (.attention, .rope):
            rotary = ReasoningModel.rotaryTables(length: config.totalLength, headDim: config.headDim, theta: config.ropeTheta)
        case (.attention, .rope2d):
            // validate() has checked that seqLen is a square and the head width a multiple of 4.
            rotary = ReasoningModel.gridRotaryTables(prefix: config.puzzleEmbeddingLength,
                                                     side: ModelConfig.gridSide(config.seqLen) ?? 1,
                                                     headDim: config.headDim, theta: config.ropeTheta)
        default:
            rotary = nil
        }
    }

    /// 2-D RoPE tables (`PositionEncoding.rope2d`): `prefix` unturned positions, then the cells of
    /// a side x side grid row by row. Rotation pair i of a head (i < headDim/4) turns by row * f_i,
    /// pair headDim/4 + i by column * f_i, with f_i = theta^(-4i/headDim): each axis gets the 1-D
    /// frequencies of a head half as wide. Rows and columns count from 1 (0 is the prefix's).
    static func gridRotaryTables(prefix: Int, side: Int, headDim: Int, theta: Double) -> RotaryTables {
        let quarter = headDim / 4
        let invFreq = (0..<quarter).map { 1 / Foundation.pow(Float(theta), Float(4 * $0) / Float(headDim)) }
        return rotaryTables(length: prefix + side * side, headDim: headDim) { p, i in
            guard p >= prefix else { return 0 }
            let cell = p - prefix
            return i < quarter ? Float(cell / side + 1) * invFreq[i] : Float(cell % side + 1) * invFreq[i - quarter]
        }
    }

    /// RoPE tables computed in float32 like the reference (inverse frequencies, then angles, then cos/sin).
    static func rotaryTables(length: Int, headDim: Int, theta: Double) -> RotaryTables {
        let invFreq = (0..<(headDim / 2)).map { 1 / Foundation.pow(Float(theta), Float(2 * $0) / Float(headDim)) }
        return rotaryTables(length: length, headDim: headDim) { p, i in Float(p) * invFreq[i] }
    }

    /// cos and sin of `angle(position, pair)` for each rotation pair i < headDim/2, written to the
    /// pair's two dims (i and i + headDim/2).
    static func rotaryTables(length: Int, headDim: Int, angle: (Int, Int) -> Float) -> RotaryTables {
        let half = headDim / 2
        var cosV = [Float](repeating: 0, count: length * headDim), sinV = cosV
        for p in 0..<length {
            for i in 0..<half {
                let a = angle(p, i)
                for j in [i, i + half] {
                    cosV[p * headDim + j] = Foundation.cos(a)
                    sinV[p * headDim + j] = Foundation.sin(a)
                }
            }
        }
        return try! RotaryTables(cos: Tensor(shape: [length, headDim], values: cosV),
                                 sin: Tensor(shape: [length, headDim], values: sinV))
    }

    // MARK: Parameter tree

    /// Dense trainable parameters (Adam-atan2 / AdamW).
    public var parameters: [(String, Tensor)] {
        var p: [(String, Tensor)] = [("inner.embed_tokens.embedding_weight", embedTokens)]
        p += scoped("inner.lm_head", lmHead.parameters)
        p += scoped("inner.q_head", qHead.parameters)
        if let highLevel { p += scoped("inner.H_level", highLevel.parameters) }
        p += scoped("inner.L_level", lowLevel.parameters)
        return p
    }

    /// Saved but not trained by the dense optimizer: initial states and the puzzle embeddings.
    public var buffers: [(String, Tensor)] {
        [("inner.H_init", initialY), ("inner.L_init", initialZ), ("inner.puzzle_emb.weights", puzzleEmbedding)]
    }

    /// Copies named tensors into the model. Every model tensor must be present with its shape;
    /// RoPE tables in the file are checked against ours.
    public func load(_ tensors: [String: Tensor], source: String) throws {
        for (name, t) in state {
            guard let src = tensors[name] else { throw ModelError.missingTensor(name: name, source: source) }
            guard src.shape == t.shape else {
                throw ModelError.shapeMismatch(name: name, expected: t.shape, found: src.shape, source: source)
            }
            try t.assign(src)
        }
    }

    // MARK: Forward

    /// The input embedding: puzzle-embedding prefix then token embeddings, scaled by sqrt(D).
    /// tokens: [B, S]; puzzleRows: [B, W] -> [B, P + S, D]
    public func embed(tokens: IntTensor, puzzleRows: Tensor) throws -> Tensor {
        let b = tokens.shape[0], d = config.hidden, p = config.puzzleEmbeddingLength
        let tok = try embedding(tokens, table: embedTokens)
        var x = tok
        if p > 0 {
            var rows = puzzleRows
            let pad = p * d - puzzleRows.shape[1]
            if pad > 0 { rows = try concat([rows, Tensor(zeros: [b, pad])], axis: 1) }
            x = try concat([rows.reshaped([b, p, d]), tok], axis: 1)
        }
        // bf16 compute: the reference casts both embedding tables to bf16 and scales in bf16. x is a
        // fresh gather or concat output (neither backward reads it): rounded in place.
        return roundingInPlaceToComputeDType(scale(roundingInPlaceToComputeDType(x), by: Float(d).squareRoot()))
    }

    /// Rows of the puzzle embedding for `ids` as a fresh tensor: [B, W]. With `trainable` it is a
    /// leaf whose gradient the sign-SGD step reads.
    public func gatherPuzzleRows(_ ids: [Int32], trainable: Bool) throws -> Tensor {
        let w = puzzleEmbedding.shape[1]
        let out = Tensor(uninitialized: [ids.count, w])
        for (b, id) in ids.enumerated() {
            guard id >= 0, Int(id) < puzzleEmbedding.shape[0] else {
                throw ModelError.puzzleIdentifierOutOfRange(id: Int(id), count: puzzleEmbedding.shape[0])
            }
            (out.data + b * w).update(from: puzzleEmbedding.data + Int(id) * w, count: w)
        }
        out.requiresGrad = trainable
        return out
    }

    /// Result of one pass of the recursion.
    public struct Recursion {
        /// New answer and latent states [B, L, D] (recorded when gradients flow).
        public var y: Tensor
        public var z: Tensor
        /// Cell logits [B, S, V].
        public var logits: Tensor
        /// Halt and continue logits [B].
        public var qHalt: Tensor
        public var qContinue: Tensor
    }

    /// One supervision step's recursion from (y, z) given the embedded input x: [B, L, D].
    /// Only the last cycle (or the last update, in one-step mode) is recorded on the tape.
    public func recurse(y y0: Tensor, z z0: Tensor, x: Tensor) throws -> Recursion {
        // bf16 compute: the carried states (and H_init / L_init) are bf16 in the reference.
        var y = roundedToComputeDType(y0), z = roundedToComputeDType(z0)
        let c = config
        let rope = rotary
        let low = lowLevel
        func lowStep() throws { z = try low(z, injection: roundingInPlaceToComputeDType(y + x), rotary: rope) }
        switch c.family {
        case .trm:
            // f updates z from (y + x) n times, then y from z.
            func answerStep() throws { y = try low(y, injection: z, rotary: rope) }
            if c.gradientMode == .fullLastCycle {
                try Tape.noGrad {
                    for _ in 0..<(c.hCycles - 1) {
                        let yx = try roundingInPlaceToComputeDType(y + x)
                        for _ in 0..<c.lCycles { z = try low(z, injection: yx, rotary: rope) }
                        try answerStep()
                    }
                }
                let yx = try roundingInPlaceToComputeDType(y + x)
                for _ in 0..<c.lCycles { z = try low(z, injection: yx, rotary: rope) }
                try answerStep()
            } else {
                try Tape.noGrad {
                    for h in 0..<c.hCycles {
                        let yx = try roundingInPlaceToComputeDType(y + x)
                        for l in 0..<c.lCycles where !(h == c.hCycles - 1 && l == c.lCycles - 1) {
                            z = try low(z, injection: yx, rotary: rope)
                        }
                        if h < c.hCycles - 1 { try answerStep() }
                    }
                }
                try lowStep()
                try answerStep()
            }
        case .hrm:
            let high = highLevel!
            try Tape.noGrad {
                for h in 0..<c.hCycles {
                    for l in 0..<c.lCycles where !(h == c.hCycles - 1 && l == c.lCycles - 1) {
                        try lowStep()
                    }
                    if h < c.hCycles - 1 { y = try high(y, injection: z, rotary: rope) }
                }
            }
            try lowStep()
            y = try high(y, injection: z, rotary: rope)
        }
        let b = y.shape[0], p = c.puzzleEmbeddingLength
        let cells = try slice(y, axis: 1, range: p..<(p + c.seqLen))
        let logits = try lmHead(cells)
        let first = try slice(y, axis: 1, range: 0..<1).reshaped([b, c.hidden])
        let q = try qHead(first)  // [B, 2]
        let qHalt = try slice(q, axis: 1, range: 0..<1).reshaped([b])
        let qContinue = try slice(q, axis: 1, range: 1..<2).reshaped([b])
        return Recursion(y: y, z: z, logits: logits, qHalt: qHalt, qContinue: qContinue)
    }
}

public enum ModelError: Error, CustomStringConvertible, Equatable {
    case missingTensor(name: String, source: String)
    case shapeMismatch(name: String, expected: [Int], found: [Int], source: String)
    case puzzleIdentifierOutOfRange(id: Int, count: Int)
    case batchShape(reason: String)
    /// The model cannot run on puzzles of `cells` cells (`ModelConfig.sizeTransfer`).
    case otherSize(cells: Int, reason: String)

    public var description: String {
        switch self {
        case let .missingTensor(n, s): return "\(s): tensor '\(n)' is missing"
        case let .shapeMismatch(n, e, f, s): return "\(s): tensor '\(n)' has shape \(f), the model expects \(e)"
        case let .puzzleIdentifierOutOfRange(id, count):
            return "puzzle identifier \(id) is outside 0..<\(count); the model was built for \(count) identifiers"
        case let .batchShape(r): return "batch: \(r)"
        case let .otherSize(n, r): return "the model cannot run on puzzles of \(n) cells: \(r)"
        }
    }
}
