// TokenMixerTests: the MLP token mixer (the state transposed, one SwiGLU layer over the sequence
// axis on batch x D rows, transposed back) against the mixer written out per sample in float64,
// and its gradients against those of the same mixer made of the plain, gradient-checked ops.

import TRMTensor
import Testing
@testable import TRMNN

@Suite struct TokenMixerTests {
    /// Gaussian values from a seed (scale s).
    static func tensor(_ shape: [Int], _ rng: inout SeededRandom, scale: Double = 1) throws -> Tensor {
        try Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(rng.normal() * scale) })
    }

    /// y[b] = (swiglu(x[b]^T Wgu^T) Wd^T)^T, sample by sample, in float64.
    static func reference(x: [Double], gateUp: [Double], down: [Double], batch: Int, length l: Int, width d: Int, inner: Int) -> [Double] {
        var out: [Double] = []
        for b in 0..<batch {
            let xb = Array(x[(b * l * d)..<((b + 1) * l * d)])
            let p = Reference.matmul(xb, gateUp, batch: 1, m: d, n: 2 * inner, k: l, transposeA: true, transposeB: true, sharedB: true)
            let h = Reference.swiglu(p, rows: d, inner: inner)
            let y = Reference.matmul(h, down, batch: 1, m: d, n: l, k: inner, transposeA: false, transposeB: true, sharedB: true)
            out += Reference.transpose(y, shape: [d, l], 0, 1)
        }
        return out
    }

    /// The mixer from the plain ops: per-sample transposed products, the gate, a product, a transpose.
    static func plain(_ x: Tensor, gateUp: Tensor, down: Tensor) throws -> Tensor {
        let h = try swiglu(matmul(x, gateUp, transposeA: true, transposeB: true))  // [B, D, I]
        return try transpose(matmul(h, down, transposeB: true), 1, 2)             // [B, L, D]
    }

    @Test("fp32: the per-sample float64 mixer's values; gradients as the plain ops' (1 and 2 threads)",
          arguments: [(3, 35, 33, 40), (1, 82, 16, 256), (5, 7, 64, 24)])
    func matchesReference(c: (Int, Int, Int, Int)) throws {
        let (batch, l, d, inner) = c
        var rng = SeededRandom(seed: 12)
        let x = try Self.tensor([batch, l, d], &rng), gateUp = try Self.tensor([2 * inner, l], &rng, scale: 0.3)
        let down = try Self.tensor([l, inner], &rng, scale: 0.3), w = try Self.tensor([batch, l, d], &rng)
        let expected = Self.reference(x: x.scalars.map(Double.init), gateUp: gateUp.scalars.map(Double.init),
                                      down: down.scalars.map(Double.init), batch: batch, length: l, width: d, inner: inner)
        for threads in [1, 2] {
            var grads: [[[Float]]] = []
            for fused in [true, false] {
                let inputs = [x, gateUp, down].map { t -> Tensor in
                    let c = try! Tensor(shape: t.shape, values: t.scalars); c.requiresGrad = true; return c
                }
                let tape = Tape()
                var y: Tensor! = nil
                let loss = try ComputeContext.withThreads(threads) {
                    try tape.record {
                        y = fused ? try TokenMixer(gateUp: inputs[1], down: inputs[2])(inputs[0])
                                  : try Self.plain(inputs[0], gateUp: inputs[1], down: inputs[2])
                        return try sum(y * w)
                    }
                }
                try ComputeContext.withThreads(threads) { try tape.backward(loss) }
                #expect(y.shape == [batch, l, d])
                let scale = expected.map(abs).max()!
                let worst = zip(y.scalars, expected).map { abs(Double($0) - $1) }.max()!
                #expect(worst / scale < 1e-5, "fused \(fused), threads \(threads): \(worst / scale)")
                grads.append(inputs.map { $0.grad!.scalars })
            }
            for (name, (a, b)) in zip(["x", "gate_up", "down"], zip(grads[0], grads[1])) {
                let scale = b.map(abs).max()!, worst = zip(a, b).map { abs($0 - $1) }.max()!
                #expect(worst / scale < 1e-5, "d\(name), threads \(threads): \(worst / scale)")
            }
        }
    }

    @Test("bf16: within one bf16 rounding of the plain ops in bf16, and of the float64 mixer at bf16's precision")
    func bf16Close() throws {
        let (batch, l, d, inner) = (4, 82, 32, 256)
        var rng = SeededRandom(seed: 13)
        let x = try Self.tensor([batch, l, d], &rng), gateUp = try Self.tensor([2 * inner, l], &rng, scale: 0.1)
        let down = try Self.tensor([l, inner], &rng, scale: 0.1)
        let (fused, plain) = try ComputeContext.withDType(.bf16) {
            (try TokenMixer(gateUp: gateUp, down: down)(x), try Self.plain(x, gateUp: gateUp, down: down))
        }
        let expected = Self.reference(x: x.scalars.map(Double.init), gateUp: gateUp.scalars.map(Double.init),
                                      down: down.scalars.map(Double.init), batch: batch, length: l, width: d, inner: inner)
        let scale = expected.map(abs).max()!
        // Both round the same intermediates to bf16 (the projection, the gate, the result); they
        // differ only where fp32 sums in another order cross a rounding boundary: a bf16 ulp
        // (2^-8 of a value) there and in what follows from it, well under 2% of the largest output.
        let apart = zip(fused.scalars, plain.scalars).map { abs(Double($0) - Double($1)) }.max()! / scale
        #expect(apart < 0.02, "fused vs plain in bf16: \(apart)")
        // Against float64: bf16 inputs (relative error 2^-9 each) through two products and the gate.
        let off = zip(fused.scalars, expected).map { abs(Double($0) - $1) }.max()! / scale
        #expect(off < 0.03, "bf16 mixer vs float64: \(off)")
        #expect(off > 0, "the bf16 path must round (else it did not run in bf16)")
    }
}
