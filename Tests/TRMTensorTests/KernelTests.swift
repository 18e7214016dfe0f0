// Fast kernels against their plain references on random shapes, including odd and tiny sizes.
import Testing
@testable import TRMTensor

@Suite("Fast kernels agree with the reference")
struct KernelTests {
    @Test("matmul", arguments: [(1, 1, 1, 1), (1, 7, 5, 3), (3, 17, 33, 9), (2, 97, 64, 96)])
    func matmulMatches(dims: (Int, Int, Int, Int)) throws {
        let (batch, m, n, k) = dims
        var r = TestRandom(UInt64(m * 31 + n))
        for ta in [false, true] { for tb in [false, true] { for shared in [false, true] {
            let a = r.tensor([batch] + (ta ? [k, m] : [m, k]))
            let b = r.tensor((shared ? [] : [batch]) + (tb ? [n, k] : [k, n]))
            let c = try matmul(a, b, transposeA: ta, transposeB: tb)
            let ref = Reference.matmul(a.scalars, b.scalars, batch: batch, m: m, n: n, k: k,
                                       transposeA: ta, transposeB: tb, sharedB: shared)
            #expect(c.shape == [batch, m, n])
            #expect(relativeError(c.scalars, ref) < 1e-5)
        } } }
    }

    @Test("SiLU and SwiGLU incl. SIMD tails", arguments: [1, 15, 16, 17, 100, 1537])
    func activations(n: Int) throws {
        var r = TestRandom(UInt64(n))
        let x = r.tensor([3, 2 * n], scale: 4)
        #expect(relativeError(silu(x).scalars, Reference.silu(x.scalars)) < 1e-6)
        #expect(relativeError(try swiglu(x).scalars, Reference.swiglu(x.scalars, rows: 3, inner: n)) < 1e-6)
    }

    @Test("vectorised exp", arguments: [-100.0, -87.0, -10.0, -1e-3, 0, 0.5, 3, 20, 88])
    func vectorExp(x: Double) {
        let v = sexp(Float(x))
        let e = Float(Foundation_exp(x))
        #expect(abs(v - e) <= 4e-7 * max(e, Float.leastNormalMagnitude) || (e < 1e-37 && v < 1e-37))
    }

    @Test("rmsNorm", arguments: [([1, 1], 1), ([5, 97, 64], 2), ([5, 97, 64], 1), ([3, 1, 7], 0), ([2, 3, 17], 2), ([4, 16], 1), ([4, 31], 1), ([4, 33], 1), ([3, 48], 1), ([2, 512], 1)])
    func rmsNormMatches(c: ([Int], Int)) throws {
        var r = TestRandom(7)
        let x = r.tensor(c.0, scale: 3)
        let outer = c.0[..<c.1].reduce(1, *), n = c.0[c.1], inner = c.0[(c.1 + 1)...].reduce(1, *)
        #expect(relativeError(try rmsNorm(x, axis: c.1).scalars, Reference.rmsNorm(x.scalars, outer: outer, n: n, inner: inner, eps: 1e-5)) < 1e-5)
    }

    @Test("attention", arguments: [(1, 1, 1, 2), (2, 7, 3, 4), (2, 97, 8, 64), (1, 13, 2, 6)])
    func attentionMatches(c: (Int, Int, Int, Int)) throws {
        let (b, l, h, d) = c
        var r = TestRandom(UInt64(l))
        let qkv = r.tensor([b, l, 3 * h * d])
        let tables = RotaryTables(length: l, headDim: d)
        for rope in [false, true] {
            let out = try attention(qkv: qkv, heads: h, rotary: rope ? tables : nil)
            let ref = Reference.attention(qkv.scalars, batch: b, length: l, heads: h, headDim: d,
                                          cos: rope ? tables.cos.scalars : nil, sin: rope ? tables.sin.scalars : nil)
            #expect(relativeError(out.scalars, ref) < 1e-5)
        }
    }

    @Test("losses", arguments: CrossEntropyKind.allCases)
    func lossesMatch(kind: CrossEntropyKind) throws {
        var r = TestRandom(3)
        let logits = r.tensor([6, 11], scale: 5)
        let labels: [Int32] = [0, 10, -100, 5, 2, 7]
        let ce = try crossEntropy(logits: logits, labels: IntTensor(shape: [6], values: labels), kind: kind)
        let ref = Reference.crossEntropy(logits.scalars.map(Double.init), labels: labels, vocab: 11, kind: kind, ignoreIndex: -100)
        #expect(relativeError(ce.scalars, ref.map(Float.init)) < 1e-6)
        #expect(ce.scalars[2] == 0)
        let t = try Tensor(shape: [6], values: [0, 1, 0, 1, 1, 0])
        let x = try Tensor(shape: [6], values: [-30, 30, 0.5, -2, 40, 1e-3])
        let bce = try binaryCrossEntropy(logits: x, targets: t)
        let bref = [9.357622968839851e-14, 9.357622968839851e-14, 0.9740769841801067, 2.1269280110429727, 0, 0.6936470556]
        #expect(relativeError(bce.scalars, bref.map(Float.init), floor: 1) < 1e-5)
    }

    @Test func embeddingAndArgmax() throws {
        let table = try Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6])
        let e = try embedding(IntTensor(shape: [2, 2], values: [2, 0, 1, 1]), table: table)
        #expect(e.shape == [2, 2, 2])
        #expect(e.scalars == [5, 6, 1, 2, 3, 4, 3, 4])
        let x = try Tensor(shape: [2, 3], values: [1, 9, 9, -1, -5, -0.5])
        #expect(argmax(x).values == [1, 2])
    }

    @Test("results do not depend on the thread count")
    func threadIndependence() throws {
        var r = TestRandom(11)
        let x = r.tensor([4, 33, 3 * 4 * 8])
        let w = r.tensor([96, 96])
        func run() throws -> [Float] {
            let a = try attention(qkv: x, heads: 4, rotary: RotaryTables(length: 33, headDim: 8))
            let y = try swiglu(linear(x, weight: w))
            return try rmsNorm(a, axis: 1).scalars + y.scalars
        }
        let one = try ComputeContext.withThreads(1) { try run() }
        let two = try ComputeContext.withThreads(2) { try run() }
        let four = try ComputeContext.withThreads(4) { try run() }
        #expect(relativeError(one, two) < 1e-6)
        #expect(relativeError(one, four) < 1e-6)
    }
}
