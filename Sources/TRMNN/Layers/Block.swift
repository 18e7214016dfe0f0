// The post-norm block shared by TRM and HRM, and the reasoning network f(h, injection).
import TRMTensor

/// Which token mixer a block uses.
public enum MixerKind: String, Codable, Sendable {
    case attention
    /// SwiGLU across the sequence axis (TRM-MLP).
    case mlp
}

/// Which axis the norm after the MLP token mixer normalises.
public enum MixerNormAxis: String, Codable, Sendable {
    /// The reference implementation's behaviour: over the sequence axis.
    case sequence
    /// Over the hidden axis, like every other norm in the block.
    case hidden
}

/// h = rmsNorm(h + mixer(h)); h = rmsNorm(h + swiglu(h)). No biases, no learned norm scale.
public final class Block: Module {
    public let attention: SelfAttention?
    public let tokenMixer: TokenMixer?
    public let mlp: SwiGLU
    public let mixerNormAxis: MixerNormAxis
    public let eps: Float

    public init(attention: SelfAttention?, tokenMixer: TokenMixer?, mlp: SwiGLU,
                mixerNormAxis: MixerNormAxis = .sequence, eps: Float = 1e-5) {
        precondition((attention == nil) != (tokenMixer == nil), "a block has exactly one token mixer")
        self.attention = attention; self.tokenMixer = tokenMixer; self.mlp = mlp
        self.mixerNormAxis = mixerNormAxis; self.eps = eps
    }

    public var parameters: [(String, Tensor)] {
        var p: [(String, Tensor)] = []
        if let attention { p += scoped("self_attn", attention.parameters) }
        if let tokenMixer { p += scoped("mlp_t", tokenMixer.parameters) }
        return p + scoped("mlp", mlp.parameters)
    }

    /// h: [B, L, D] -> [B, L, D]
    public func callAsFunction(_ h: Tensor, rotary: RotaryTables?) throws -> Tensor {
        // bf16 compute: each norm computes in fp32 and casts back to bf16, as the reference's.
        var x: Tensor
        if let attention {
            x = try addRMSNorm(h, attention(h, rotary: rotary), eps: eps, roundedToComputeDType: true)
        } else {
            x = try addRMSNorm(h, tokenMixer!(h), axis: mixerNormAxis == .sequence ? 1 : -1, eps: eps,
                               roundedToComputeDType: true)
        }
        return try addRMSNorm(x, mlp(x), eps: eps, roundedToComputeDType: true)
    }
}

/// A stack of blocks run on h + injection: f(h, injection).
public final class ReasoningNet: Module {
    public let layers: [Block]

    public init(layers: [Block]) { self.layers = layers }

    public var parameters: [(String, Tensor)] {
        layers.enumerated().flatMap { scoped("layers.\($0.offset)", $0.element.parameters) }
    }

    /// h, injection: [B, L, D] -> [B, L, D]
    public func callAsFunction(_ h: Tensor, injection: Tensor, rotary: RotaryTables?) throws -> Tensor {
        var x = try roundingInPlaceToComputeDType(h + injection)
        for layer in layers { x = try layer(x, rotary: rotary) }
        return x
    }
}
