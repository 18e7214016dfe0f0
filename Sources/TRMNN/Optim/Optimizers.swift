// Optimizers over named parameters: Adam-atan2 (the reference default), AdamW, sign-SGD for
// sparse puzzle-embedding rows, and an exponential moving average of the weights.
// Optimizer state is a dictionary of named tensors plus the step, so checkpoints can save it.
import Foundation
import TRMTensor

/// Which update rule trains the dense parameters.
public enum OptimizerKind: String, Codable, Sendable {
    case adamAtan2 = "adam_atan2"
    case adamW = "adamw"
}

/// Adam moments per parameter, shared by Adam-atan2 and AdamW.
public final class AdamOptimizer {
    public var kind: OptimizerKind
    public var beta1: Float
    public var beta2: Float
    public var weightDecay: Float
    /// AdamW only.
    public var epsilon: Float
    public private(set) var step: Int = 0
    public private(set) var firstMoment: [String: Tensor] = [:]
    public private(set) var secondMoment: [String: Tensor] = [:]

    public init(kind: OptimizerKind = .adamAtan2, beta1: Float = 0.9, beta2: Float = 0.95,
                weightDecay: Float = 0, epsilon: Float = 1e-8) {
        self.kind = kind; self.beta1 = beta1; self.beta2 = beta2
        self.weightDecay = weightDecay; self.epsilon = epsilon
    }

    /// One update of every parameter that has a gradient, at learning rate `lr`.
    public func update(_ parameters: [(String, Tensor)], lr: Float) {
        step += 1
        let t = Double(step)
        let bc1 = 1 - Foundation.pow(Double(beta1), t)
        let bc2Sqrt = (1 - Foundation.pow(Double(beta2), t)).squareRoot()
        let stepSize = Float(Double(lr) / bc1)
        let decay = 1 - lr * weightDecay
        let (b1, b2, eps, kind) = (beta1, beta2, epsilon, self.kind)
        let bc2 = Float(bc2Sqrt)
        for (name, p) in parameters {
            guard let g = p.grad else { continue }
            let m = firstMoment[name] ?? Tensor(zeros: p.shape)
            let v = secondMoment[name] ?? Tensor(zeros: p.shape)
            firstMoment[name] = m; secondMoment[name] = v
            let pp = p.data, gp = g.data, mp = m.data, vp = v.data
            parallelChunks(p.count, grain: 1 << 14) { r in
                for i in r {
                    pp[i] *= decay
                    mp[i] += (1 - b1) * (gp[i] - mp[i])
                    vp[i] += (1 - b2) * (gp[i] * gp[i] - vp[i])
                    switch kind {
                    case .adamAtan2:
                        pp[i] -= stepSize * Foundation.atan2(mp[i], vp[i].squareRoot() / bc2)
                    case .adamW:
                        pp[i] -= stepSize * mp[i] / (vp[i].squareRoot() / bc2 + eps)
                    }
                }
            }
        }
    }

    /// State for a checkpoint: moments under "m.<name>" / "v.<name>", and the step.
    public var stateTensors: [(String, Tensor)] {
        firstMoment.map { ("m.\($0.key)", $0.value) } + secondMoment.map { ("v.\($0.key)", $0.value) }
    }

    /// Restores moments and step saved by `stateTensors`.
    public func restore(step: Int, tensors: [String: Tensor]) {
        self.step = step
        firstMoment = [:]; secondMoment = [:]
        for (k, t) in tensors {
            if k.hasPrefix("m.") { firstMoment[String(k.dropFirst(2))] = t }
            if k.hasPrefix("v.") { secondMoment[String(k.dropFirst(2))] = t }
        }
    }
}

/// Sign-SGD with decoupled weight decay on the embedding rows a batch used:
/// gradients of equal ids are summed, then w <- w (1 - lr wd) - lr sign(g) on those rows only.
public struct SignSGD: Sendable {
    public var weightDecay: Float
    public init(weightDecay: Float) { self.weightDecay = weightDecay }

    /// table: [ids, D]; rowGradients: [B, D] for `ids` [B].
    public func update(table: Tensor, ids: [Int32], rowGradients: Tensor, lr: Float) {
        let d = table.shape[1]
        var summed: [Int32: [Float]] = [:]
        for (b, id) in ids.enumerated() {
            var acc = summed[id] ?? [Float](repeating: 0, count: d)
            for j in 0..<d { acc[j] += rowGradients.data[b * d + j] }
            summed[id] = acc
        }
        let decay = 1 - lr * weightDecay
        for (id, g) in summed {
            let row = table.data + Int(id) * d
            for j in 0..<d {
                let s: Float = g[j] > 0 ? 1 : (g[j] < 0 ? -1 : 0)
                row[j] = row[j] * decay - lr * s
            }
        }
    }
}

/// Exponential moving average of parameters: shadow <- (1 - rate) p + rate shadow.
public final class WeightEMA {
    public let rate: Float
    public private(set) var shadow: [String: Tensor] = [:]

    public init(rate: Float = 0.999) { self.rate = rate }

    public func update(_ parameters: [(String, Tensor)]) {
        let r = rate
        for (name, p) in parameters {
            guard let s = shadow[name] else { shadow[name] = p.detached(); continue }
            let sp = s.data, pp = p.data
            for i in 0..<p.count { sp[i] = (1 - r) * pp[i] + r * sp[i] }
        }
    }

    public func restore(_ tensors: [String: Tensor]) { shadow = tensors }
}
