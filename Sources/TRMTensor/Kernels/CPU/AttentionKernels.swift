// Fused non-causal multi-head attention with rotary position embedding.
// Per (batch, head): rotate q and k, S = q k^T / sqrt(d), P = softmax(S), O = P v.
// The backward recomputes the rotated q, k and uses the saved P.

extension Kernels {
    /// Geometry of one attention call.
    public struct AttentionShape: Sendable {
        public var batch: Int, length: Int, heads: Int, headDim: Int
        public init(batch: Int, length: Int, heads: Int, headDim: Int) {
            self.batch = batch; self.length = length; self.heads = heads; self.headDim = headDim
        }
        var width: Int { heads * headDim }
    }

    /// RoPE on one head vector of width d at one position: x * cos + rotateHalf(x) * sin, or with
    /// `inverse` its transpose (the backward). cos, sin: that position's table rows.
    @inline(__always)
    static func rotateHead(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, d: Int,
                           cos c: UnsafePointer<Float>, sin sn: UnsafePointer<Float>, inverse: Bool) {
        let half = d / 2
        for i in 0..<half {
            let x1 = src[i], x2 = src[i + half]
            if inverse {
                dst[i] = x1 * c[i] + x2 * sn[i + half]
                dst[i + half] = -x1 * sn[i] + x2 * c[i + half]
            } else {
                dst[i] = x1 * c[i] - x2 * sn[i]
                dst[i + half] = x2 * c[i + half] + x1 * sn[i + half]
            }
        }
    }

    /// Where attention reads q, k and v ([B, L, 3*H*d]): fp32 values, or bf16 bits (the fused
    /// projection's output), widened exactly as they are read.
    public enum QKV {
        case float(UnsafePointer<Float>)
        case bits(UnsafePointer<UInt16>)
    }

    /// Copies head `h` of q (part 0), k (1) or v (2) from qkv [B, L, 3*H*d] into dst [L, d], rotating if tables given.
    @inline(__always)
    static func gatherHead(_ qkv: QKV, b: Int, h: Int, part: Int, s: AttentionShape,
                           cos: UnsafePointer<Float>?, sin: UnsafePointer<Float>?, _ dst: UnsafeMutablePointer<Float>) {
        let d = s.headDim, row = 3 * s.width
        for l in 0..<s.length {
            let offset = (b * s.length + l) * row + part * s.width + h * d
            let src: UnsafePointer<Float>
            switch qkv {
            case .float(let values):
                src = values + offset
            case .bits(let bits):
                // Widened into the destination row; the rotation below reads each pair before writing it.
                widen(bf16: bits + offset, dst + l * d, count: d)
                src = UnsafePointer(dst + l * d)
            }
            if let cos, let sin {
                rotateHead(src, dst + l * d, d: d, cos: cos + l * d, sin: sin + l * d, inverse: false)
            } else if src != UnsafePointer(dst + l * d) {
                (dst + l * d).update(from: src, count: d)
            }
        }
    }

    /// Writes src [L, d] into head `h` / `part` of dqkv [B, L, 3*H*d], undoing the rotation if tables given.
    @inline(__always)
    static func scatterHead(_ src: UnsafePointer<Float>, b: Int, h: Int, part: Int, s: AttentionShape,
                            cos: UnsafePointer<Float>?, sin: UnsafePointer<Float>?, _ dqkv: UnsafeMutablePointer<Float>) {
        let d = s.headDim, row = 3 * s.width
        for l in 0..<s.length {
            let o = dqkv + (b * s.length + l) * row + part * s.width + h * d
            if let cos, let sin {
                rotateHead(src + l * d, o, d: d, cos: cos + l * d, sin: sin + l * d, inverse: true)
            } else {
                o.update(from: src + l * d, count: d)
            }
        }
    }

    /// Numerically stable softmax of `rows` rows of width n, in place.
    @inline(__always)
    static func softmaxRowsInPlace(_ p: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        for r in 0..<rows {
            let row = p + r * n
            var mx = -Float.infinity
            for j in 0..<n { mx = max(mx, row[j]) }
            var sum: Float = 0
            var j = 0
            while j + 16 <= n {
                let e = vexp(row.loadVector(j) - F16x(repeating: mx))
                row.storeVector(e, j); sum += e.sum(); j += 16
            }
            while j < n { let e = sexp(row[j] - mx); row[j] = e; sum += e; j += 1 }
            let inv = 1 / sum
            for j in 0..<n { row[j] *= inv }
        }
    }

    /// qkv: [B, L, 3*H*d] -> out: [B, L, H*d]; probs: [B, H, L, L] saved for the backward.
    /// Heads run in parallel on the context's threads; per-head products use `smallGemm`.
    public static func attentionForward(_ qkv: QKV, shape s: AttentionShape,
                                        cos: UnsafePointer<Float>?, sin: UnsafePointer<Float>?,
                                        _ out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>) {
        let L = s.length, d = s.headDim
        let scale = 1 / Float(d).squareRoot()
        parallelChunks(s.batch * s.heads) { r in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * L * d) { buf in
                let q = buf.baseAddress!, k = q + L * d, v = k + L * d, kT = v + L * d
                for bh in r {
                    let b = bh / s.heads, h = bh % s.heads
                    gatherHead(qkv, b: b, h: h, part: 0, s: s, cos: cos, sin: sin, q)
                    gatherHead(qkv, b: b, h: h, part: 1, s: s, cos: cos, sin: sin, k)
                    gatherHead(qkv, b: b, h: h, part: 2, s: s, cos: nil, sin: nil, v)
                    let p = probs + bh * L * L
                    // S = q k^T * scale, as q [L, d] @ k^T [d, L]
                    transposeInto(k, rows: L, cols: d, lds: d, kT)
                    smallGemm(m: L, n: L, k: d, alpha: scale, a: q, aRow: d, aCol: 1, b: kT, ldb: L,
                              beta: 0, c: p, ldc: L)
                    softmaxRowsInPlace(p, rows: L, n: L)
                    // O = P v
                    smallGemm(m: L, n: d, k: L, alpha: 1, a: p, aRow: L, aCol: 1, b: v, ldb: d,
                              beta: 0, c: out + b * L * s.width + h * d, ldc: s.width)
                }
            }
        }
    }

    /// dOut: [B, L, H*d] -> dqkv: [B, L, 3*H*d], from the saved probabilities.
    public static func attentionBackward(_ qkv: QKV, probs: UnsafePointer<Float>,
                                         _ dOut: UnsafePointer<Float>, shape s: AttentionShape,
                                         cos: UnsafePointer<Float>?, sin: UnsafePointer<Float>?,
                                         _ dqkv: UnsafeMutablePointer<Float>) {
        let L = s.length, d = s.headDim
        let scale = 1 / Float(d).squareRoot()
        parallelChunks(s.batch * s.heads) { r in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 7 * L * d + L * L) { buf in
                let q = buf.baseAddress!, k = q + L * d, v = k + L * d
                let dq = v + L * d, dk = dq + L * d, dv = dk + L * d, vT = dv + L * d, dp = vT + L * d
                for bh in r {
                    let b = bh / s.heads, h = bh % s.heads
                    gatherHead(qkv, b: b, h: h, part: 0, s: s, cos: cos, sin: sin, q)
                    gatherHead(qkv, b: b, h: h, part: 1, s: s, cos: cos, sin: sin, k)
                    gatherHead(qkv, b: b, h: h, part: 2, s: s, cos: nil, sin: nil, v)
                    let p = probs + bh * L * L
                    let dO = dOut + b * L * s.width + h * d
                    // dV = P^T dO
                    smallGemm(m: L, n: d, k: L, alpha: 1, a: p, aRow: 1, aCol: L, b: dO, ldb: s.width,
                              beta: 0, c: dv, ldc: d)
                    // dP = dO v^T, as dO [L, d] @ v^T [d, L]
                    transposeInto(v, rows: L, cols: d, lds: d, vT)
                    smallGemm(m: L, n: L, k: d, alpha: 1, a: dO, aRow: s.width, aCol: 1, b: vT, ldb: L,
                              beta: 0, c: dp, ldc: L)
                    // dS = P * (dP - rowsum(dP * P)) * scale
                    for i in 0..<L {
                        let pr = p + i * L, dr = dp + i * L
                        var dot: Float = 0
                        for j in 0..<L { dot += pr[j] * dr[j] }
                        for j in 0..<L { dr[j] = pr[j] * (dr[j] - dot) * scale }
                    }
                    // dQ = dS k ; dK = dS^T q
                    smallGemm(m: L, n: d, k: L, alpha: 1, a: dp, aRow: L, aCol: 1, b: k, ldb: d,
                              beta: 0, c: dq, ldc: d)
                    smallGemm(m: L, n: d, k: L, alpha: 1, a: dp, aRow: 1, aCol: L, b: q, ldb: d,
                              beta: 0, c: dk, ldc: d)
                    scatterHead(dq, b: b, h: h, part: 0, s: s, cos: cos, sin: sin, dqkv)
                    scatterHead(dk, b: b, h: h, part: 1, s: s, cos: cos, sin: sin, dqkv)
                    scatterHead(dv, b: b, h: h, part: 2, s: s, cos: nil, sin: nil, dqkv)
                }
            }
        }
    }
}
