// Every op's backward pass against central finite differences of its float64 reference.
import Testing
@testable import TRMTensor

/// Tolerance on |analytic - finite difference| / max |finite difference|: float32 backward
/// passes against a float64 reference agree to ~1e-5; 2e-3 leaves room for float32 rounding in
/// reductions over a few hundred terms.
let gradTolerance = 2e-3

@Suite("Gradients match finite differences")
struct GradientTests {
    struct MatmulCase: CustomTestStringConvertible, Sendable {
        var batch: Int, m: Int, n: Int, k: Int, ta: Bool, tb: Bool, shared: Bool
        var testDescription: String { "b\(batch) m\(m) n\(n) k\(k) tA=\(ta) tB=\(tb) shared=\(shared)" }
    }
    static let matmulCases: [MatmulCase] = [
        .init(batch: 1, m: 3, n: 4, k: 5, ta: false, tb: false, shared: true),
        .init(batch: 2, m: 3, n: 4, k: 5, ta: false, tb: true, shared: true),
        .init(batch: 2, m: 3, n: 1, k: 2, ta: true, tb: false, shared: true),
        .init(batch: 3, m: 2, n: 4, k: 3, ta: true, tb: true, shared: true),
        .init(batch: 2, m: 3, n: 4, k: 5, ta: false, tb: false, shared: false),
        .init(batch: 2, m: 1, n: 3, k: 4, ta: true, tb: true, shared: false),
        .init(batch: 2, m: 5, n: 2, k: 3, ta: false, tb: true, shared: false),
        .init(batch: 2, m: 4, n: 3, k: 2, ta: true, tb: false, shared: false),
    ]

    @Test("matmul", arguments: matmulCases)
    func matmulGradient(c: MatmulCase) throws {
        let aShape = [c.batch] + (c.ta ? [c.k, c.m] : [c.m, c.k])
        let bCore = c.tb ? [c.n, c.k] : [c.k, c.n]
        let bShape = c.shared ? bCore : [c.batch] + bCore
        let err = try gradientError(shapes: [aShape, bShape]) { x in
            try matmul(x[0], x[1], transposeA: c.ta, transposeB: c.tb)
        } reference: { x in
            Reference.matmul(x[0], x[1], batch: c.batch, m: c.m, n: c.n, k: c.k, transposeA: c.ta, transposeB: c.tb, sharedB: c.shared)
        }
        #expect(err < gradTolerance)
    }

    @Test("transpose of the last two axes (tiled, split over threads): the reference's values and gradient",
          arguments: [[3, 33, 70], [1, 65, 40], [2, 1, 7], [4, 32, 32], [2, 3, 40, 5], [1, 300, 9], [2, 8, 8], [1, 4100, 16]])
    func lastAxesTranspose(shape: [Int]) throws {
        let r = shape.count
        var rng = TestRandom(9)
        let x = rng.tensor(shape)
        let expected = Reference.transpose(x.scalars, shape: shape, r - 2, r - 1)
        var outShape = shape
        outShape.swapAt(r - 2, r - 1)
        for threads in [1, 2] {
            for axes in [(r - 2, r - 1), (-1, -2)] {
                let y = try ComputeContext.withThreads(threads) { try transpose(x, axes.0, axes.1) }
                #expect(y.shape == outShape && y.scalars == expected)  // a copy: exact
            }
        }
        // Every kernel this CPU runs (AVX2 8 x 8 blocks, the Swift loop): the same copy.
        for native in Kernels.runnableNative {
            let out = Tensor(uninitialized: outShape)
            transposeMatrices(x.data, batch: shape.dropLast(2).reduce(1, *), rows: shape[r - 2], cols: shape[r - 1],
                              out.data, native: native)
            #expect(out.scalars == expected, "\(native)")
        }
        #expect(try gradientError(shapes: [shape]) { x in try transpose(x[0], r - 1, r - 2) } reference: { x in
            Reference.transpose(x[0], shape: shape, r - 1, r - 2) } < gradTolerance)
    }

    @Test("add, sub, mul with broadcasting", arguments: [
        ([2, 3, 4], [2, 3, 4]), ([2, 3, 4], [4]), ([2, 3, 4], [3, 1]), ([1, 3], [2, 1]), ([5], []), ([2, 1, 4], [3, 1]),
    ])
    func broadcastGradient(shapes: ([Int], [Int])) throws {
        for op in 0..<3 {
            let err = try gradientError(shapes: [shapes.0, shapes.1]) { x in
                switch op { case 0: try x[0] + x[1]; case 1: try x[0] - x[1]; default: try x[0] * x[1] }
            } reference: { x in
                Reference.broadcast(x[0], shapes.0, x[1], shapes.1) { a, b in
                    op == 0 ? a + b : op == 1 ? a - b : a * b
                }.values
            }
            #expect(err < gradTolerance, "op \(op)")
        }
    }

    @Test func scaleSumMean() throws {
        #expect(try gradientError(shapes: [[3, 4]]) { x in scale(x[0], by: -2.5) } reference: { x in x[0].map { $0 * -2.5 } } < gradTolerance)
        #expect(try gradientError(shapes: [[2, 3, 4]]) { x in try sum(x[0], axes: [1]) } reference: { x in
            Reference.sum(x[0], shape: [2, 3, 4], axes: [1]) } < gradTolerance)
        #expect(try gradientError(shapes: [[2, 3, 4]]) { x in try mean(x[0], axes: [0, 2], keepDims: true) } reference: { x in
            Reference.sum(x[0], shape: [2, 3, 4], axes: [0, 2]).map { $0 / 8 } } < gradTolerance)
        #expect(try gradientError(shapes: [[5]]) { x in try sum(x[0]) } reference: { x in [x[0].reduce(0, +)] } < gradTolerance)
    }

    @Test func siluAndSwiGLU() throws {
        #expect(try gradientError(shapes: [[7, 9]], scale: 2) { x in silu(x[0]) } reference: { x in Reference.silu(x[0]) } < gradTolerance)
        // inner 21 exercises both the 16-wide SIMD loop and the scalar tail.
        #expect(try gradientError(shapes: [[3, 5, 42]], scale: 2) { x in try swiglu(x[0]) } reference: { x in
            Reference.swiglu(x[0], rows: 15, inner: 21) } < gradTolerance)
    }

    @Test("rmsNorm over an axis", arguments: [([4, 6], 1), ([2, 5, 3], 1), ([2, 5, 3], 2), ([3, 4, 2], 0), ([3, 45], 1), ([2, 64], 1)])
    func rmsNormGradient(c: ([Int], Int)) throws {
        let (shape, axis) = c
        let outer = shape[..<axis].reduce(1, *), n = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        #expect(try gradientError(shapes: [shape]) { x in try rmsNorm(x[0], axis: axis) } reference: { x in
            Reference.rmsNorm(x[0], outer: outer, n: n, inner: inner, eps: 1e-5) } < gradTolerance)
        #expect(try gradientError(shapes: [shape, shape]) { x in try addRMSNorm(x[0], x[1], axis: axis) } reference: { x in
            Reference.rmsNorm(zip(x[0], x[1]).map(+), outer: outer, n: n, inner: inner, eps: 1e-5) } < gradTolerance)
    }

    @Test("attention", arguments: [false, true])
    func attentionGradient(rope: Bool) throws {
        let (b, l, h, d) = (2, 5, 2, 4)
        let tables = RotaryTables(length: l + 2, headDim: d)
        let cos = tables.cos.scalars.map(Double.init), sin = tables.sin.scalars.map(Double.init)
        let err = try gradientError(shapes: [[b, l, 3 * h * d]]) { x in
            try attention(qkv: x[0], heads: h, rotary: rope ? tables : nil)
        } reference: { x in
            Reference.attention(x[0], batch: b, length: l, heads: h, headDim: d, cos: rope ? cos : nil, sin: rope ? sin : nil)
        }
        #expect(err < gradTolerance)
    }

    @Test func rotaryGradient() throws {
        let tables = RotaryTables(length: 6, headDim: 4)
        let cos = tables.cos.scalars.map(Double.init), sin = tables.sin.scalars.map(Double.init)
        #expect(try gradientError(shapes: [[2, 5, 3, 4]]) { x in try rotary(x[0], tables: tables) } reference: { x in
            Reference.rotary(x[0], batch: 2, length: 5, heads: 3, headDim: 4, cos: cos, sin: sin) } < gradTolerance)
    }

    @Test("cross-entropy", arguments: CrossEntropyKind.allCases)
    func crossEntropyGradient(kind: CrossEntropyKind) throws {
        let labels: [Int32] = [0, 3, -100, 2, 4, 1, -100, 0]
        let li = try IntTensor(shape: [2, 4], values: labels)
        let err = try gradientError(shapes: [[2, 4, 5]], scale: 2) { x in
            try crossEntropy(logits: x[0], labels: li, kind: kind)
        } reference: { x in
            Reference.crossEntropy(x[0], labels: labels, vocab: 5, kind: kind, ignoreIndex: -100)
        }
        #expect(err < gradTolerance)
    }

    @Test func binaryCrossEntropyGradient() throws {
        let t: [Float] = [0, 1, 1, 0, 1]
        let targets = try Tensor(shape: [5], values: t)
        #expect(try gradientError(shapes: [[5]], scale: 3) { x in try binaryCrossEntropy(logits: x[0], targets: targets) } reference: { x in
            Reference.binaryCrossEntropy(x[0], targets: t.map(Double.init)) } < gradTolerance)
    }

    @Test func embeddingGradientScatterAdds() throws {
        let ids: [Int32] = [2, 0, 2, 3, 2]
        let it = try IntTensor(shape: [5], values: ids)
        #expect(try gradientError(shapes: [[4, 3]]) { x in try embedding(it, table: x[0]) } reference: { x in
            Reference.embedding(x[0], width: 3, ids: ids) } < gradTolerance)
    }

    @Test func layoutOps() throws {
        #expect(try gradientError(shapes: [[2, 3, 4]]) { x in try transpose(x[0], 0, 2) } reference: { x in
            Reference.transpose(x[0], shape: [2, 3, 4], 0, 2) } < gradTolerance)
        #expect(try gradientError(shapes: [[2, 5, 3]]) { x in try slice(x[0], axis: 1, range: 1..<4) } reference: { x in
            (0..<2).flatMap { o in Array(x[0][(o * 15 + 3)..<(o * 15 + 12)]) } } < gradTolerance)
        let concatErr = try gradientError(shapes: [[2, 2, 3], [2, 1, 3]]) { x in try concat(x, axis: 1) } reference: { x in
            var out: [Double] = []
            for o in 0..<2 {
                out += x[0][(o * 6)..<(o * 6 + 6)]
                out += x[1][(o * 3)..<(o * 3 + 3)]
            }
            return out
        }
        #expect(concatErr < gradTolerance)
        #expect(try gradientError(shapes: [[2, 6]]) { x in try x[0].reshaped([3, -1]) } reference: { x in x[0] } < gradTolerance)
    }

    @Test("a composed block (linear, swiglu, residual norm) back-propagates end to end")
    func composedBlock() throws {
        let err = try gradientError(shapes: [[2, 3, 4], [8, 4], [4, 4]]) { x in
            let h = try swiglu(linear(x[0], weight: x[1]))
            return try addRMSNorm(x[0], linear(h, weight: x[2]))
        } reference: { x in
            let up = Reference.matmul(x[0], x[1], batch: 1, m: 6, n: 8, k: 4, transposeA: false, transposeB: true, sharedB: true)
            let h = Reference.swiglu(up, rows: 6, inner: 4)
            let down = Reference.matmul(h, x[2], batch: 1, m: 6, n: 4, k: 4, transposeA: false, transposeB: true, sharedB: true)
            return Reference.rmsNorm(zip(x[0], down).map(+), outer: 6, n: 4, inner: 1, eps: 1e-5)
        }
        #expect(err < gradTolerance)
    }
}
