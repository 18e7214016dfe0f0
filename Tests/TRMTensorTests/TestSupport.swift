// Shared helpers for the tensor tests: seeded random tensors and the gradient checker.
import Testing
@testable import TRMTensor

struct TestRandom {
    var rng: SeededRandom
    init(_ seed: UInt64) { rng = SeededRandom(seed: seed) }
    mutating func values(_ n: Int, scale: Double = 1) -> [Float] { (0..<n).map { _ in Float(rng.normal() * scale) } }
    mutating func tensor(_ shape: [Int], scale: Double = 1, requiresGrad: Bool = false) -> Tensor {
        let t = try! Tensor(shape: shape, values: values(shape.reduce(1, *), scale: scale))
        t.requiresGrad = requiresGrad
        return t
    }
    mutating func int(_ bound: Int) -> Int { Int(rng.next() % UInt64(bound)) }
}

/// max |a - b| / max(floor, max |b|)
func relativeError(_ a: [Float], _ b: [Float], floor: Float = 1e-6) -> Float {
    precondition(a.count == b.count, "length \(a.count) vs \(b.count)")
    var num: Float = 0, den: Float = floor
    for (x, y) in zip(a, b) { num = max(num, abs(x - y)); den = max(den, abs(y)) }
    return num / den
}

/// Checks the tape's gradient of L = sum(w * f(inputs)) against central finite differences of
/// the float64 reference `g`. Returns the worst relative error over up to `probes` coordinates
/// per input (relative to the largest checked finite-difference magnitude).
func gradientError(shapes: [[Int]], seed: UInt64 = 1, probes: Int = 24, step: Double = 1e-5,
                   scale: Double = 1,
                   fast: ([Tensor]) throws -> Tensor,
                   reference: ([[Double]]) -> [Double]) throws -> Double {
    var r = TestRandom(seed)
    let inputs = shapes.map { r.tensor($0, scale: scale, requiresGrad: true) }
    let tape = Tape()
    var outShape: [Int] = []
    var weights: Tensor! = nil
    let loss: Tensor = try tape.record {
        let out = try fast(inputs)
        outShape = out.shape
        weights = r.tensor(out.shape)
        return try sum(out * weights)
    }
    _ = outShape
    try tape.backward(loss)
    let w = weights.scalars.map(Double.init)
    let base = inputs.map { $0.scalars.map(Double.init) }
    func lossAt(_ xs: [[Double]]) -> Double { zip(reference(xs), w).reduce(0) { $0 + $1.0 * $1.1 } }
    var worst = 0.0
    for (i, input) in inputs.enumerated() {
        let analytic = input.grad!.scalars
        let n = input.count
        let coords = n <= probes ? Array(0..<n) : (0..<probes).map { _ in r.int(n) }
        var fdMax = 1e-3, errMax = 0.0
        for c in coords {
            var plus = base, minus = base
            plus[i][c] += step; minus[i][c] -= step
            let fd = (lossAt(plus) - lossAt(minus)) / (2 * step)
            fdMax = max(fdMax, abs(fd))
            errMax = max(errMax, abs(fd - Double(analytic[c])))
        }
        worst = max(worst, errMax / fdMax)
    }
    return worst
}
