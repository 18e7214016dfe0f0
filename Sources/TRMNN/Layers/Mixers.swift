// Token mixers of a block: non-causal self-attention with RoPE, and the MLP-mixer alternative
// (a SwiGLU across the sequence axis).
import TRMTensor

/// Multi-head self-attention with a fused QKV projection D -> 3D and output projection D -> D.
public final class SelfAttention: Module {
    public let qkv: Linear    // [3D, D]: query heads, key heads, value heads
    public let output: Linear // [D, D]
    public let heads: Int

    public init(qkv: Linear, output: Linear, heads: Int) {
        self.qkv = qkv; self.output = output; self.heads = heads
    }

    public convenience init(width: Int, heads: Int, rng: inout SeededRandom) {
        self.init(qkv: Linear(inputs: width, outputs: 3 * width, rng: &rng),
                  output: Linear(inputs: width, outputs: width, rng: &rng), heads: heads)
    }

    public var parameters: [(String, Tensor)] {
        scoped("qkv_proj", qkv.parameters) + scoped("o_proj", output.parameters)
    }

    /// x: [B, L, D] -> [B, L, D]
    public func callAsFunction(_ x: Tensor, rotary: RotaryTables?) throws -> Tensor {
        // The QKV projection and attention as one op (in bf16 the projection stays in bf16).
        guard qkv.bias == nil else { return try output(attention(qkv: qkv(x), heads: heads, rotary: rotary)) }
        return try output(attention(projecting: x, weight: qkv.weight, heads: heads, rotary: rotary))
    }
}

/// MLP token mixer: SwiGLU over the sequence axis of the transposed state.
/// gate_up: [2*I_L, L], down: [L, I_L].
public final class TokenMixer: Module {
    public let gateUp: Tensor
    public let down: Tensor

    public init(gateUp: Tensor, down: Tensor) { self.gateUp = gateUp; self.down = down }

    public convenience init(length: Int, inner: Int, rng: inout SeededRandom) {
        self.init(gateUp: Initializer.lecunNormal([2 * inner, length], fanIn: length, rng: &rng),
                  down: Initializer.lecunNormal([length, inner], fanIn: inner, rng: &rng))
    }

    public var parameters: [(String, Tensor)] {
        [("gate_up_proj.weight", gateUp), ("down_proj.weight", down)]
    }

    /// x: [B, L, D] -> [B, L, D] (mixing along L).
    ///
    /// As the reference computes it: the state transposed to [B, D, L], the SwiGLU layer over its
    /// last axis as one op on B x D rows (`swigluFeedForward`: each product one GEMM over the whole
    /// batch, the gate/up and gate results kept in bf16 in the bf16 dtype), transposed back. Two
    /// copies of the state in each direction buy products B times larger: the per-sample products
    /// this replaced ([D, L] x [L, 2I] and [L, I] x [I, D], B of each, and as many for each
    /// gradient) ran at a quarter to half of the batch's rate with AMX (README, "Benchmarks").
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let mixed = try swigluFeedForward(transpose(x, -2, -1), gateUp: gateUp, down: down)  // [B, D, L]
        return try transpose(mixed, -2, -1)
    }
}
