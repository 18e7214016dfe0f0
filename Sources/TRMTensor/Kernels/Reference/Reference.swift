// Plain, obviously-correct reference implementations of every op, generic over Float and Double.
// Tests check the fast kernels against them (Float) and the backward passes against central
// finite differences of them (Double). Row-major arrays throughout; shapes in the doc comments.
import Foundation

/// Scalars the reference maths runs on.
public protocol ReferenceScalar: BinaryFloatingPoint, Sendable {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
}
extension Float: ReferenceScalar {
    public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    public static func log(_ x: Float) -> Float { Foundation.log(x) }
}
extension Double: ReferenceScalar {
    public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    public static func log(_ x: Double) -> Double { Foundation.log(x) }
}

public enum Reference {
    /// op(a) @ op(b) for each batch entry. a: [batch, M, K] (or [batch, K, M]), b: [(batch,) K, N] (or N, K) -> [batch, M, N]
    public static func matmul<T: ReferenceScalar>(_ a: [T], _ b: [T], batch: Int, m: Int, n: Int, k: Int,
                                                  transposeA: Bool, transposeB: Bool, sharedB: Bool) -> [T] {
        var c = [T](repeating: 0, count: batch * m * n)
        for bi in 0..<batch {
            let ao = bi * m * k, bo = sharedB ? 0 : bi * k * n
            for i in 0..<m { for j in 0..<n {
                var acc: T = 0
                for p in 0..<k {
                    let av = transposeA ? a[ao + p * m + i] : a[ao + i * k + p]
                    let bv = transposeB ? b[bo + j * k + p] : b[bo + p * n + j]
                    acc += av * bv
                }
                c[bi * m * n + i * n + j] = acc
            } }
        }
        return c
    }

    /// NumPy broadcasting of a binary function. -> broadcast shape
    public static func broadcast<T: ReferenceScalar>(_ a: [T], _ aShape: [Int], _ b: [T], _ bShape: [Int],
                                                     _ f: (T, T) -> T) -> (values: [T], shape: [Int]) {
        let r = max(aShape.count, bShape.count)
        let pa = [Int](repeating: 1, count: r - aShape.count) + aShape
        let pb = [Int](repeating: 1, count: r - bShape.count) + bShape
        let out = zip(pa, pb).map { max($0, $1) }
        let total = out.reduce(1, *)
        var values = [T](repeating: 0, count: total)
        for o in 0..<total {
            var rem = o, ia = 0, ib = 0, sa = 1, sb = 1
            for ax in stride(from: r - 1, through: 0, by: -1) {
                let idx = rem % out[ax]; rem /= out[ax]
                ia += (pa[ax] == 1 ? 0 : idx) * sa; sa *= pa[ax]
                ib += (pb[ax] == 1 ? 0 : idx) * sb; sb *= pb[ax]
            }
            values[o] = f(a[ia], b[ib])
        }
        return (values, out)
    }

    /// Sum over `axes`, keeping them as size 1. -> shape with reduced axes = 1
    public static func sum<T: ReferenceScalar>(_ x: [T], shape: [Int], axes: [Int]) -> [T] {
        var outShape = shape
        for a in axes { outShape[a] = 1 }
        var out = [T](repeating: 0, count: outShape.reduce(1, *))
        for i in 0..<x.count {
            var rem = i, o = 0, s = 1
            for ax in stride(from: shape.count - 1, through: 0, by: -1) {
                let idx = rem % shape[ax]; rem /= shape[ax]
                o += (outShape[ax] == 1 ? 0 : idx) * s; s *= outShape[ax]
            }
            out[o] += x[i]
        }
        return out
    }

    public static func sigmoid<T: ReferenceScalar>(_ x: T) -> T { 1 / (1 + T.exp(-x)) }

    public static func silu<T: ReferenceScalar>(_ x: [T]) -> [T] { x.map { $0 * sigmoid($0) } }

    /// x: [rows, 2I] -> [rows, I]
    public static func swiglu<T: ReferenceScalar>(_ x: [T], rows: Int, inner: Int) -> [T] {
        var out = [T](repeating: 0, count: rows * inner)
        for r in 0..<rows { for j in 0..<inner {
            let g = x[r * 2 * inner + j], u = x[r * 2 * inner + inner + j]
            out[r * inner + j] = g * sigmoid(g) * u
        } }
        return out
    }

    /// Normalise x viewed as [outer, n, inner] over n.
    public static func rmsNorm<T: ReferenceScalar>(_ x: [T], outer: Int, n: Int, inner: Int, eps: T) -> [T] {
        var out = x
        for o in 0..<outer { for j in 0..<inner {
            var acc: T = 0
            for k in 0..<n { let v = x[(o * n + k) * inner + j]; acc += v * v }
            let r = 1 / (acc / T(n) + eps).squareRoot()
            for k in 0..<n { out[(o * n + k) * inner + j] = x[(o * n + k) * inner + j] * r }
        } }
        return out
    }

    /// RoPE on x: [B, L, H, d]. cos, sin: [>=L, d]
    public static func rotary<T: ReferenceScalar>(_ x: [T], batch: Int, length: Int, heads: Int, headDim d: Int,
                                                  cos: [T], sin: [T]) -> [T] {
        var out = x
        let half = d / 2
        for b in 0..<batch { for l in 0..<length { for h in 0..<heads {
            let o = ((b * length + l) * heads + h) * d
            for i in 0..<d {
                let rot = i < half ? -x[o + i + half] : x[o + i - half]
                out[o + i] = x[o + i] * cos[l * d + i] + rot * sin[l * d + i]
            }
        } } }
        return out
    }

    /// Multi-head attention, plain loops. qkv: [B, L, 3*H*d] -> [B, L, H*d]
    public static func attention<T: ReferenceScalar>(_ qkv: [T], batch: Int, length L: Int, heads H: Int, headDim d: Int,
                                                     cos: [T]?, sin: [T]?) -> [T] {
        let w = H * d
        var q = [T](repeating: 0, count: batch * L * w), k = q, v = q
        for b in 0..<batch { for l in 0..<L { for j in 0..<w {
            let base = (b * L + l) * 3 * w
            q[(b * L + l) * w + j] = qkv[base + j]
            k[(b * L + l) * w + j] = qkv[base + w + j]
            v[(b * L + l) * w + j] = qkv[base + 2 * w + j]
        } } }
        if let cos, let sin {
            q = rotary(q, batch: batch, length: L, heads: H, headDim: d, cos: cos, sin: sin)
            k = rotary(k, batch: batch, length: L, heads: H, headDim: d, cos: cos, sin: sin)
        }
        var out = [T](repeating: 0, count: batch * L * w)
        let scale = 1 / T(d).squareRoot()
        for b in 0..<batch { for h in 0..<H { for i in 0..<L {
            var s = [T](repeating: 0, count: L)
            for j in 0..<L {
                var acc: T = 0
                for e in 0..<d { acc += q[(b * L + i) * w + h * d + e] * k[(b * L + j) * w + h * d + e] }
                s[j] = acc * scale
            }
            let mx = s.max()!
            let ex = s.map { T.exp($0 - mx) }
            let z = ex.reduce(0, +)
            for e in 0..<d {
                var acc: T = 0
                for j in 0..<L { acc += ex[j] / z * v[(b * L + j) * w + h * d + e] }
                out[(b * L + i) * w + h * d + e] = acc
            }
        } } }
        return out
    }

    /// logits: [N, V], labels: [N] -> [N]
    public static func crossEntropy<T: ReferenceScalar>(_ logits: [T], labels: [Int32], vocab: Int, kind: CrossEntropyKind,
                                                        ignoreIndex: Int32) -> [T] {
        labels.enumerated().map { n, y in
            if y == ignoreIndex { return 0 }
            let row = Array(logits[(n * vocab)..<((n + 1) * vocab)])
            switch kind {
            case .softmax:
                let mx = row.max()!
                let z = row.map { T.exp($0 - mx) }.reduce(0, +)
                return T.log(z) + mx - row[Int(y)]
            case .stablemax:
                let s = row.map { $0 >= 0 ? $0 + 1 : 1 / (1 - $0 + T(1e-30)) }
                return T.log(s.reduce(0, +)) - T.log(s[Int(y)])
            }
        }
    }

    /// Elementwise BCE with logits.
    public static func binaryCrossEntropy<T: ReferenceScalar>(_ x: [T], targets: [T]) -> [T] {
        zip(x, targets).map { v, t in
            let p = sigmoid(v)
            return -(t * T.log(p) + (1 - t) * T.log(1 - p))
        }
    }

    /// table: [V, D], ids: [N] -> [N, D]
    public static func embedding<T: ReferenceScalar>(_ table: [T], width: Int, ids: [Int32]) -> [T] {
        ids.flatMap { table[(Int($0) * width)..<((Int($0) + 1) * width)] }
    }

    /// Swap axes a and b of x: shape -> permuted shape.
    public static func transpose<T: ReferenceScalar>(_ x: [T], shape: [Int], _ a: Int, _ b: Int) -> [T] {
        var outShape = shape
        outShape.swapAt(a, b)
        var out = [T](repeating: 0, count: x.count)
        for i in 0..<x.count {
            var rem = i
            var idx = [Int](repeating: 0, count: shape.count)
            for ax in stride(from: shape.count - 1, through: 0, by: -1) { idx[ax] = rem % shape[ax]; rem /= shape[ax] }
            idx.swapAt(a, b)
            var o = 0
            for ax in 0..<shape.count { o = o * outShape[ax] + idx[ax] }
            out[o] = x[i]
        }
        return out
    }
}
