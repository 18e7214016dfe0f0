// Non-causal multi-head self-attention with rotary position embedding, fused (forward and
// backward), plus the standalone rotary op and the RoPE tables.
import Foundation

/// RoPE tables cos, sin: [length, headDim]; the first and second half of each head's dims rotate
/// together (x * cos + rotateHalf(x) * sin with rotateHalf(a, b) = (-b, a)).
public struct RotaryTables: Sendable {
    public let cos: Tensor
    public let sin: Tensor

    public init(cos: Tensor, sin: Tensor) throws {
        guard cos.shape == sin.shape, cos.rank == 2, cos.shape[1] % 2 == 0 else {
            throw TensorError.invalidShape(op: "RotaryTables", shape: cos.shape, reason: "cos and sin must be equal [length, even headDim]")
        }
        self.cos = cos; self.sin = sin
    }

    /// Tables for positions 0..<length with inverse frequencies theta^(-2i/headDim).
    public init(length: Int, headDim: Int, theta: Double = 10000) {
        let c = Tensor(uninitialized: [length, headDim]), s = Tensor(uninitialized: [length, headDim])
        let half = headDim / 2
        for p in 0..<length {
            for i in 0..<half {
                let invFreq = 1 / Foundation.pow(theta, Double(2 * i) / Double(headDim))
                let angle = Float(Double(p) * invFreq)
                for j in [i, i + half] {
                    c.data[p * headDim + j] = Foundation.cos(angle)
                    s.data[p * headDim + j] = Foundation.sin(angle)
                }
            }
        }
        self.cos = c; self.sin = s
    }

    public var length: Int { cos.shape[0] }
    public var headDim: Int { cos.shape[1] }
}

/// Multi-head attention over a fused projection.
/// qkv: [B, L, 3*H*d] (all query heads, then key heads, then value heads) -> [B, L, H*d]
public func attention(qkv: Tensor, heads: Int, rotary: RotaryTables?) throws -> Tensor {
    guard qkv.rank == 3, heads > 0, qkv.shape[2] % (3 * heads) == 0 else {
        throw TensorError.invalidShape(op: "attention", shape: qkv.shape, reason: "expected [batch, length, 3 * heads * headDim]")
    }
    let s = Kernels.AttentionShape(batch: qkv.shape[0], length: qkv.shape[1], heads: heads,
                                   headDim: qkv.shape[2] / (3 * heads))
    if let rotary {
        guard rotary.length >= s.length, rotary.headDim == s.headDim else {
            throw TensorError.shapeMismatch(op: "attention (rotary tables)", lhs: [s.length, s.headDim], rhs: rotary.cos.shape)
        }
    }
    let out = Tensor(uninitialized: [s.batch, s.length, s.heads * s.headDim])
    let recording = Tape.current != nil
    let probs = Tensor(uninitialized: [s.batch * s.heads * s.length * s.length])
    Kernels.attentionForward(.float(qkv.data), shape: s, cos: rotary?.cos.data, sin: rotary?.sin.data, out.data, probs: probs.data)
    if recording {
        Tape.record(out, inputs: [qkv]) { g in
            let gq = Tensor(uninitialized: qkv.shape)
            Kernels.attentionBackward(.float(qkv.data), probs: probs.data, g.data, shape: s,
                                      cos: rotary?.cos.data, sin: rotary?.sin.data, gq.data)
            return [gq]
        }
    }
    return out
}

/// attention(qkv: linear(x, weight: weight), heads:, rotary:) as one op. x: [B, L, D], weight:
/// [3*H*d, D] -> [B, L, H*d]. In bf16 the fused QKV projection is written by oneDNN in bf16 (the
/// same bits as rounding it, without the rounding pass) and attention reads those bits, which the
/// backward keeps instead of an fp32 copy (half the bytes). In fp32 it is the two ops.
public func attention(projecting x: Tensor, weight: Tensor, heads: Int, rotary: RotaryTables?) throws -> Tensor {
    guard ComputeContext.current.dtype == .bf16, x.rank == 3, weight.rank == 2, weight.shape[1] == x.shape[2],
          x.shape[2] > 0, x.shape[0] * x.shape[1] > 0, heads > 0, weight.shape[0] % (3 * heads) == 0, weight.shape[0] > 0 else {
        return try attention(qkv: linear(x, weight: weight), heads: heads, rotary: rotary)
    }
    let (rows, k, n) = (x.shape[0] * x.shape[1], x.shape[2], weight.shape[0])
    let s = Kernels.AttentionShape(batch: x.shape[0], length: x.shape[1], heads: heads, headDim: n / (3 * heads))
    if let rotary {
        guard rotary.length >= s.length, rotary.headDim == s.headDim else {
            throw TensorError.shapeMismatch(op: "attention (rotary tables)", lhs: [s.length, s.headDim], rhs: rotary.cos.shape)
        }
    }
    let (projected, bits) = bf16Buffer(rows * n)
    BLAS.gemm(bf16TransA: false, transB: true, m: rows, n: n, k: k, a: .float(x.data, ld: k),
              b: .float(weight.data, ld: k, weight: true), bf16Output: bits)
    let out = Tensor(uninitialized: [s.batch, s.length, s.heads * s.headDim])
    let probs = Tensor(uninitialized: [s.batch * s.heads * s.length * s.length])
    Kernels.attentionForward(.bits(bits), shape: s, cos: rotary?.cos.data, sin: rotary?.sin.data, out.data, probs: probs.data)
    Tape.record(out, inputs: [x, weight]) { g in
        let dqkv = Tensor(uninitialized: [s.batch, s.length, n])
        withExtendedLifetime(projected) {
            Kernels.attentionBackward(.bits(bits), probs: probs.data, g.data, shape: s,
                                      cos: rotary?.cos.data, sin: rotary?.sin.data, dqkv.data)
        }
        let gx = Tensor(uninitialized: x.shape), gw = Tensor(uninitialized: weight.shape)
        MatMulKernel.backward(x.data, weight.data, dqkv.data, gx.data, gw.data, batch: 1, m: rows, n: n, k: k,
                              transposeA: false, transposeB: true, sharedB: true, weightB: true)
        return [gx, gw]
    }
    withExtendedLifetime(projected) {}
    return out
}

/// Applies RoPE to x: [B, L, H, d] (positions along axis 1). Its backward rotates back.
public func rotary(_ x: Tensor, tables: RotaryTables) throws -> Tensor {
    guard x.rank == 4, tables.headDim == x.shape[3], tables.length >= x.shape[1] else {
        throw TensorError.invalidShape(op: "rotary", shape: x.shape, reason: "expected [batch, length, heads, \(tables.headDim)] with length <= \(tables.length)")
    }
    let (b, l, h, d) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    func apply(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, inverse: Bool) {
        let c = tables.cos.data, sn = tables.sin.data
        for bi in 0..<b { for p in 0..<l { for hi in 0..<h {
            let o = ((bi * l + p) * h + hi) * d
            Kernels.rotateHead(src + o, dst + o, d: d, cos: c + p * d, sin: sn + p * d, inverse: inverse)
        } } }
    }
    let out = Tensor(uninitialized: x.shape)
    apply(x.data, out.data, inverse: false)
    Tape.record(out, inputs: [x]) { g in
        let gx = Tensor(uninitialized: x.shape)
        apply(g.data, gx.data, inverse: true)
        return [gx]
    }
    return out
}
