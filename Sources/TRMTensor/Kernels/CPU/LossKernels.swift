// Per-token classification losses (softmax and stable-max cross-entropy, in float64, with an
// ignore label), binary cross-entropy with logits, embedding gather/scatter and argmax.
import Foundation

/// Which normaliser turns logits into probabilities.
public enum CrossEntropyKind: String, Sendable, Codable, CaseIterable {
    /// p_i = exp(x_i) / sum_j exp(x_j)
    case softmax
    /// p_i = s(x_i) / sum_j s(x_j) with s(x) = x + 1 (x >= 0), 1 / (1 - x + 1e-30) (x < 0).
    case stablemax
}

extension Kernels {
    @inline(__always)
    static func stableS(_ x: Double) -> Double { x >= 0 ? x + 1 : 1 / (1 - x + 1e-30) }
    /// ds/dx
    @inline(__always)
    static func stableSPrime(_ x: Double) -> Double {
        if x >= 0 { return 1 }
        let t = 1 - x + 1e-30
        return 1 / (t * t)
    }

    /// Float64 normaliser of one row: (max, sum exp(x - max)) for softmax; (0, sum s(x)) for stable-max.
    @inline(__always)
    static func normaliser(_ x: UnsafePointer<Float>, vocab: Int, kind: CrossEntropyKind) -> (shift: Double, sum: Double) {
        var sum = 0.0
        switch kind {
        case .softmax:
            var mx = -Double.infinity
            for j in 0..<vocab { mx = max(mx, Double(x[j])) }
            for j in 0..<vocab { sum += Foundation.exp(Double(x[j]) - mx) }
            return (mx, sum)
        case .stablemax:
            for j in 0..<vocab { sum += stableS(Double(x[j])) }
            return (0, sum)
        }
    }

    /// logits: [N, V], labels: [N] -> loss: [N] (0 where label == ignoreIndex).
    public static func crossEntropyForward(_ logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int,
                                           vocab: Int, kind: CrossEntropyKind, ignoreIndex: Int32,
                                           _ loss: UnsafeMutablePointer<Float>) {
        parallelChunks(rows, grain: 256) { r in
            for n in r {
                let y = labels[n]
                if y == ignoreIndex || y < 0 || Int(y) >= vocab { loss[n] = 0; continue }
                let x = logits + n * vocab
                let (mx, sum) = normaliser(x, vocab: vocab, kind: kind)
                switch kind {
                case .softmax:
                    loss[n] = Float(Foundation.log(sum) + mx - Double(x[Int(y)]))
                case .stablemax:
                    loss[n] = Float(Foundation.log(sum) - Foundation.log(stableS(Double(x[Int(y)]))))
                }
            }
        }
    }

    /// dLogits[n, :] = dLoss[n] * d loss[n] / d logits[n, :]
    public static func crossEntropyBackward(_ logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int,
                                            vocab: Int, kind: CrossEntropyKind, ignoreIndex: Int32,
                                            _ dLoss: UnsafePointer<Float>, _ dLogits: UnsafeMutablePointer<Float>) {
        parallelChunks(rows, grain: 256) { r in
            for n in r {
                let y = labels[n]
                let x = logits + n * vocab, g = dLogits + n * vocab
                if y == ignoreIndex || y < 0 || Int(y) >= vocab {
                    g.update(repeating: 0, count: vocab); continue
                }
                let up = Double(dLoss[n])
                let (mx, sum) = normaliser(x, vocab: vocab, kind: kind)
                switch kind {
                case .softmax:
                    for j in 0..<vocab {
                        let p = Foundation.exp(Double(x[j]) - mx) / sum
                        g[j] = Float(up * (p - (j == Int(y) ? 1 : 0)))
                    }
                case .stablemax:
                    for j in 0..<vocab {
                        let xj = Double(x[j])
                        var d = stableSPrime(xj) / sum
                        if j == Int(y) { d -= stableSPrime(xj) / stableS(xj) }
                        g[j] = Float(up * d)
                    }
                }
            }
        }
    }

    /// loss[i] = max(x, 0) - x * t + log(1 + exp(-|x|))
    public static func bceWithLogitsForward(_ x: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int,
                                            _ loss: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let v = Double(x[i]), t = Double(targets[i])
            loss[i] = Float(max(v, 0) - v * t + Foundation.log1p(Foundation.exp(-abs(v))))
        }
    }

    /// dx[i] = dLoss[i] * (sigmoid(x) - t)
    public static func bceWithLogitsBackward(_ x: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int,
                                             _ dLoss: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            // sigmoid rounded to float32 before subtracting, as the reference does: a target that
            // is itself sigmoid(x) (HRM's continue target) then gives an exactly zero gradient.
            let s = Float(1 / (1 + Foundation.exp(-Double(x[i]))))
            dx[i] = dLoss[i] * (s - targets[i])
        }
    }

    /// out[n, :] = table[ids[n], :]  (ids already validated)
    public static func embeddingGather(_ table: UnsafePointer<Float>, ids: UnsafePointer<Int32>, count: Int, width: Int,
                                       _ out: UnsafeMutablePointer<Float>) {
        parallelChunks(count, grain: max(1, elementGrain / max(width, 1))) { r in
            for n in r { (out + n * width).update(from: table + Int(ids[n]) * width, count: width) }
        }
    }

    /// dTable[ids[n], :] += dOut[n, :]  (sequential: equal ids must not race)
    public static func embeddingScatterAdd(_ dOut: UnsafePointer<Float>, ids: UnsafePointer<Int32>, count: Int, width: Int,
                                           _ dTable: UnsafeMutablePointer<Float>) {
        for n in 0..<count {
            let dst = dTable + Int(ids[n]) * width, src = dOut + n * width
            for j in 0..<width { dst[j] += src[j] }
        }
    }

    /// Index of the largest value of each row of width `n` (first one on ties).
    public static func argmaxRows(_ x: UnsafePointer<Float>, rows: Int, n: Int, _ out: UnsafeMutablePointer<Int32>) {
        for r in 0..<rows {
            let row = x + r * n
            var best = 0
            var bv = row[0]
            for j in 1..<max(n, 1) where row[j] > bv { bv = row[j]; best = j }
            out[r] = Int32(best)
        }
    }
}
