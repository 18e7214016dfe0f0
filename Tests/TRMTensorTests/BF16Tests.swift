// The bf16 compute dtype: round-to-nearest-even conversion (ties, NaN, infinities, subnormals),
// and products whose inputs and result are rounded to bf16 with fp32 accumulation, on oneDNN's
// bf16 kernel where this CPU has one and on the fp32 fallback otherwise.
import Foundation
import Testing
@testable import TRMTensor

@Suite("bfloat16 compute")
struct BF16Tests {
    @Test("bf16 -> fp32 widening is exact for all 65,536 bit patterns (the vector kernel against the reference)")
    func widening() {
        let all = (0...0xFFFF).map { UInt16($0) }
        var wide = [Float](repeating: 0, count: all.count)
        Kernels.widen(bf16: all, &wide, count: all.count)
        #expect(wide.map(\.bitPattern) == all.map { Kernels.float(bf16: $0).bitPattern })
    }

    @Test("fp32 -> bf16 rounds to nearest, ties to even, like PyTorch's .to(bfloat16)")
    func rounding() {
        let cases: [(Float, UInt16)] = [
            (1, 0x3F80), (-2, 0xC000),
            (Float(bitPattern: 0x3F80_8000), 0x3F80),  // tie, even below: stays
            (Float(bitPattern: 0x3F81_8000), 0x3F82),  // tie, odd below: up to even
            (Float(bitPattern: 0x3F80_8001), 0x3F81),  // just above the tie: up
            (Float(bitPattern: 0x3F80_7FFF), 0x3F80),  // just below: down
            (.infinity, 0x7F80), (-.infinity, 0xFF80),
            (Float(bitPattern: 0x7F7F_FFFF), 0x7F80),  // the largest float rounds to infinity
            (Float(bitPattern: 0x0000_8001), 0x0001),  // subnormal rounds like any other value
        ]
        var src = cases.map(\.0) + Array(repeating: 1.5, count: 16)  // past 16: the vector loop too
        src = src + cases.map(\.0)
        var dst = [UInt16](repeating: 0, count: src.count)
        Kernels.convertToBF16(src, &dst, count: src.count)
        for (i, c) in cases.enumerated() {
            #expect(Kernels.bf16Bits(c.0) == c.1, "scalar \(c.0)")
            #expect(dst[i] == c.1, "vector head \(c.0)")
            #expect(dst[cases.count + 16 + i] == c.1, "vector tail \(c.0)")
        }
        let nan = [Float](repeating: .nan, count: 17)
        var nanBits = [UInt16](repeating: 0, count: 17)
        Kernels.convertToBF16(nan, &nanBits, count: 17)
        #expect(nanBits.allSatisfy { Kernels.float(bf16: $0).isNaN }, "NaN stays NaN, never rounds to infinity")
        var round = src
        Kernels.roundThroughBF16(src, &round, count: src.count)
        for i in 0..<src.count { #expect(round[i].bitPattern == UInt32(dst[i]) << 16) }
        // In place (src == dst: its own vector loop) gives the same bits.
        var inPlace = src
        inPlace.withUnsafeMutableBufferPointer { Kernels.roundThroughBF16($0.baseAddress!, $0.baseAddress!, count: $0.count) }
        #expect(inPlace.map(\.bitPattern) == round.map(\.bitPattern))
    }

    /// bf16(op(A) op(B)) with A and B rounded to bf16 first, accumulated in float64.
    static func reference(ta: Bool, tb: Bool, m: Int, n: Int, k: Int, a: [Float], b: [Float]) -> [Float] {
        let r = { (x: Float) in Kernels.float(bf16: Kernels.bf16Bits(x)) }
        var out = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var acc = 0.0
                for p in 0..<k {
                    acc += Double(r(ta ? a[p * m + i] : a[i * k + p])) * Double(r(tb ? b[j * k + p] : b[p * n + j]))
                }
                out[i * n + j] = r(Float(acc))
            }
        }
        return out
    }

    @Test("bf16 products: rounded inputs, fp32 accumulation, rounded result, every transpose",
          arguments: [(1, 1, 1), (13, 31, 7), (97, 64, 97), (40, 3, 600)])
    func products(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var r = TestRandom(UInt64(m + 7 * n + 13 * k))
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            let a = r.values(m * k), b = r.values(k * n)
            var c = [Float](repeating: .nan, count: m * n)
            ComputeContext.withDType(.bf16) {
                BLAS.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, a: a, lda: ta ? m : k,
                           b: b, ldb: tb ? k : n, beta: 0, c: &c, ldc: n)
            }
            let expected = Self.reference(ta: ta, tb: tb, m: m, n: n, k: k, a: a, b: b)
            // Both round the same exact products; only the fp32 accumulation order differs, which
            // can move the final bf16 rounding by one bf16 step (2^-8 relative) of an entry.
            #expect(relativeError(c, expected) <= 1.0 / 128, "ta \(ta) tb \(tb)")
            #expect(c.allSatisfy { Kernels.float(bf16: Kernels.bf16Bits($0)) == $0 }, "results are bf16 values")
        }
    }

    @Test("roundedToBF16 passes the gradient through and is the identity in fp32")
    func roundingOp() throws {
        let x = try Tensor(shape: [3], values: [1.00390625, 3.14159, -2.5e-3])
        x.requiresGrad = true
        let tape = Tape()
        let y = try tape.record { try sum(roundedToBF16(x) * Tensor(shape: [3], values: [1, 2, 3])) }
        try tape.backward(y)
        #expect(x.grad?.scalars == [1, 2, 3])
        #expect(roundedToComputeDType(x) === x, "fp32 leaves tensors alone")
        let r = ComputeContext.withDType(.bf16) { roundedToComputeDType(x) }
        #expect(r.scalars == [1.0, 3.140625, -0.00250244140625])
    }

    /// How many packed weight copies a cache should hold when `products` are eligible: none where
    /// weights are not packed (no oneDNN bf16 matmul, TRM_PACKED_WEIGHTS=0, macOS).
    static func expectedPackedWeights(_ products: Int, rows: Int) -> Int {
        #if canImport(CDNNL)
        return ComputeDType.bf16Supported && BLAS.packsWeight(rows: rows) ? products : 0
        #else
        return 0
        #endif
    }

    /// Whether an fp32 product of `rows` rows packs its weight here.
    static func packsFloat(rows: Int) -> Bool {
        #if canImport(CDNNL)
        return BLAS.packsWeight(rows: rows)
        #else
        return false
        #endif
    }

    @Test("a weight cache scope converts each weight once and changes no bit of the forward or the gradients")
    func weightCache() throws {
        var r = TestRandom(21)
        let x = r.tensor([5, 7, 24], requiresGrad: true)
        let w1 = r.tensor([40, 24], requiresGrad: true), w2 = r.tensor([24, 40], requiresGrad: true)
        let mixer = r.tensor([14, 7], requiresGrad: true)  // a token mixer's [2I, L] weight
        typealias Outputs = (y: [Float], gx: [Float], g1: [Float], g2: [Float], gm: [Float])
        func run() throws -> Outputs {
            for t in [x, w1, w2, mixer] { t.grad = nil }
            let tape = Tape()
            let y = try tape.record { () throws -> Tensor in
                // w1 is used twice, as in a model's cycles; the mixer weight per sample.
                let h = try linear(linear(x, weight: w1), weight: w2)
                let h2 = try linear(h, weight: w1)
                let m = try matmul(x, mixer, transposeA: true, transposeB: true, weightB: true)
                return try sum(h2) + sum(m)
            }
            try tape.backward(y)
            return (y.scalars, x.grad!.scalars, w1.grad!.scalars, w2.grad!.scalars, mixer.grad!.scalars)
        }
        try ComputeContext.withDType(.bf16) {
            let plain = try run()
            #expect(BF16WeightCache.current == nil, "outside a scope nothing is cached")
            let (cached, conversions, packed) = try BF16WeightCache.scope { () throws -> (Outputs, Int, Int) in
                (try run(), BF16WeightCache.current!.conversionCount, BF16WeightCache.current!.packedCount)
            }
            #expect(cached.y == plain.y && cached.gx == plain.gx, "same forward and input gradient")
            #expect(cached.g1 == plain.g1 && cached.g2 == plain.g2 && cached.gm == plain.gm, "same weight gradients")
            // w1 and w2 once each (forward and backward share the stored layout); the mixer
            // weight once for all five samples.
            #expect(conversions == 3)
            // Packed for oneDNN (weight as B, A not transposed): w1 and w2 for x W^T (both uses of
            // w1 are one product shape) and for dx = dy W; not the mixer weight (A transposed). The
            // packed products gave the same bits as the plain ones above.
            #expect(packed == Self.expectedPackedWeights(4, rows: 5 * 7))
        }
        // fp32: the scope holds only packed weights (where oneDNN packs), with the same bits again.
        let fp32Plain = try run()
        let (fp32Cached, fp32Cache) = try BF16WeightCache.scope { () throws -> (Outputs, BF16WeightCache?) in
            (try run(), BF16WeightCache.current)
        }
        #expect((fp32Cache != nil) == BF16WeightCache.packsFloatWeights, "fp32 opens a scope only to pack")
        #expect(fp32Cache?.conversionCount ?? 0 == 0, "fp32 converts nothing")
        #expect(fp32Cache?.packedCount ?? 0 == (BF16WeightCache.packsFloatWeights && Self.packsFloat(rows: 5 * 7) ? 4 : 0))
        #expect(fp32Cached.y == fp32Plain.y && fp32Cached.gx == fp32Plain.gx, "fp32: same forward and input gradient")
        #expect(fp32Cached.g1 == fp32Plain.g1 && fp32Cached.g2 == fp32Plain.g2 && fp32Cached.gm == fp32Plain.gm)
    }

    /// `run(fused)` returns named outputs (forward, gradients); in both dtypes, with and without a
    /// weight cache scope, the fused op's must equal the separate ops' bit for bit.
    static func expectFusedEqualsSeparate(_ names: [String], _ run: (_ fused: Bool) throws -> [[Float]]) throws {
        for dtype in ComputeDType.allCases {
            try ComputeContext.withDType(dtype) {
                for scoped in [false, true] {
                    let (plain, fused) = try scoped
                        ? BF16WeightCache.scope { (try run(false), try run(true)) }
                        : (try run(false), try run(true))
                    for (i, name) in names.enumerated() {
                        #expect(fused[i] == plain[i], "\(dtype) \(name), cache scope \(scoped)")
                    }
                }
            }
        }
    }

    @Test("the whole SwiGLU layer as one op equals its three ops, bit for bit, forward and gradients")
    func fusedSwiGLUFeedForward() throws {
        var r = TestRandom(47)
        let x = r.tensor([2, 5, 24], requiresGrad: true)
        let gateUp = r.tensor([42, 24], requiresGrad: true), down = r.tensor([24, 21], requiresGrad: true)
        let weights = r.tensor([2, 5, 24])
        try Self.expectFusedEqualsSeparate(["forward", "dx", "d gate_up", "d down"]) { fused in
            for t in [x, gateUp, down] { t.grad = nil }
            let tape = Tape()
            let (y, loss) = try tape.record { () throws -> (Tensor, Tensor) in
                let y = fused ? try swigluFeedForward(x, gateUp: gateUp, down: down)
                              : try linear(swiglu(linear(x, weight: gateUp)), weight: down)
                return (y, try sum(y * weights))
            }
            try tape.backward(loss)
            return [y.scalars, x.grad!.scalars, gateUp.grad!.scalars, down.grad!.scalars]
        }
        #expect(throws: TensorError.self) { try ComputeContext.withDType(.bf16) { try swigluFeedForward(x, gateUp: gateUp, down: r.tensor([24, 20])) } }
    }

    @Test("the QKV projection fused with attention equals projection then attention, bit for bit", arguments: [false, true])
    func fusedAttentionProjection(rope: Bool) throws {
        var r = TestRandom(61)
        let x = r.tensor([2, 7, 16], requiresGrad: true), w = r.tensor([48, 16], requiresGrad: true)
        let weights = r.tensor([2, 7, 16])
        let tables = rope ? RotaryTables(length: 7, headDim: 8) : nil
        try Self.expectFusedEqualsSeparate(["forward", "dx", "d weight"]) { fused in
            x.grad = nil; w.grad = nil
            let tape = Tape()
            let (y, loss) = try tape.record { () throws -> (Tensor, Tensor) in
                let y = fused ? try attention(projecting: x, weight: w, heads: 2, rotary: tables)
                              : try attention(qkv: linear(x, weight: w), heads: 2, rotary: tables)
                return (y, try sum(y * weights))
            }
            try tape.backward(loss)
            return [y.scalars, x.grad!.scalars, w.grad!.scalars]
        }
        #expect(throws: TensorError.self) {
            try ComputeContext.withDType(.bf16) { try attention(projecting: x, weight: w, heads: 2, rotary: RotaryTables(length: 3, headDim: 8)) }
        }
    }

    @Test("bf16 operands and weight copies come from the buffer pool: a repeated product allocates nothing new")
    func operandsFromThePool() throws {
        var r = TestRandom(53)
        let x = r.tensor([40, 48]), w = r.tensor([64, 48])
        let pool = BufferPool()
        try BufferPool.$current.withValue(pool) {
            try ComputeContext.withDType(.bf16) {
                _ = try BF16WeightCache.scope { try linear(x, weight: w) }
                let first = pool.statistics
                for _ in 0..<3 { _ = try BF16WeightCache.scope { try linear(x, weight: w) } }
                #expect(pool.statistics.systemAllocations == first.systemAllocations, "operands and weight copies reused")
                #expect(pool.statistics.inUseBytes == 0, "everything given back: \(pool.statistics)")
                // The operands counted while the product ran: x and w in bf16 (2 bytes each) besides the output.
                #expect(first.peakInUseBytes >= 40 * 64 * 4 + (40 * 48 + 64 * 48) * 2)
            }
        }
    }

    @Test("in bf16 a SwiGLU layer keeps half the bytes for its backward that fp32 keeps")
    func swigluLayerMemory() throws {
        var r = TestRandom(59)
        let x = r.tensor([4, 9, 32], requiresGrad: true)
        let gateUp = r.tensor([128, 32], requiresGrad: true), down = r.tensor([32, 64], requiresGrad: true)
        func keptBytes(_ dtype: ComputeDType) throws -> Int {
            let pool = BufferPool()
            return try BufferPool.$current.withValue(pool) {
                try ComputeContext.withDType(dtype) {
                    let tape = Tape()
                    let y = try tape.record { try swigluFeedForward(x, gateUp: gateUp, down: down) }
                    return pool.statistics.inUseBytes - y.count * 4  // what the tape holds besides the output
                }
            }
        }
        let fp32 = try keptBytes(.fp32), bf16 = try keptBytes(.bf16)
        // fp32 keeps the projection [36, 128] and the gate [36, 64] in fp32; bf16 the same in bf16.
        #expect(fp32 == 36 * (128 + 64) * 4)
        #expect(bf16 == 36 * (128 + 64) * 2)
    }

    @Test("SwiGLU kernels on bf16 input equal the fp32 kernels on the widened values, and round as the conversion does where they write bf16 (AVX-512, AVX2 and Swift)")
    func swigluOnBF16Bits() throws {
        var r = TestRandom(43)
        for inner in [5, 16, 21, 48] {
            let rows = 7
            var x = r.values(rows * 2 * inner, scale: 3)
            let d = r.values(rows * inner)
            // NaN, overflow and a tie on the gate and up halves of the first row.
            x[0] = .nan; x[1] = 3e38; x[inner] = -.infinity; x[inner + 1] = Float(bitPattern: 0x3F81_8000)
            var bits = [UInt16](repeating: 0, count: x.count)
            Kernels.convertToBF16(x, &bits, count: x.count)
            let wide = bits.map { Kernels.float(bf16: $0) }
            for native in Kernels.runnableNative {
                var expected = [Float](repeating: 0, count: rows * inner), got = expected
                Kernels.swigluForward(wide, rows: rows, inner: inner, &expected, native: native)
                Kernels.swigluForward(bf16: bits, rows: rows, inner: inner, &got, native: native)
                #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "forward, inner \(inner), native \(native)")
                var rounded = [UInt16](repeating: 0, count: rows * inner), gotBits = rounded
                Kernels.convertToBF16(expected, &rounded, count: expected.count)
                Kernels.swigluForward(bf16: bits, rows: rows, inner: inner, bf16Output: &gotBits, native: native)
                #expect(gotBits == rounded, "forward to bf16, inner \(inner), native \(native)")
                var expectedGrad = [Float](repeating: 0, count: x.count), gotGrad = expectedGrad
                Kernels.swigluBackward(wide, d, rows: rows, inner: inner, &expectedGrad, native: native)
                Kernels.swigluBackward(bf16: bits, d, rows: rows, inner: inner, &gotGrad, native: native)
                #expect(gotGrad.map(\.bitPattern) == expectedGrad.map(\.bitPattern), "backward, inner \(inner), native \(native)")
                var roundedGrad = [UInt16](repeating: 0, count: x.count), gotGradBits = roundedGrad
                Kernels.convertToBF16(expectedGrad, &roundedGrad, count: expectedGrad.count)
                Kernels.swigluBackward(bf16: bits, d, rows: rows, inner: inner, bf16Output: &gotGradBits, native: native)
                #expect(gotGradBits == roundedGrad, "backward to bf16, inner \(inner), native \(native)")
            }
        }
    }

    @Test("the norm that rounds its own output in bf16 gives the same output and gradients as norm then rounding")
    func fusedRoundedNorm() throws {
        var r = TestRandom(31)
        for axis in [-1, 1] {
            let a = r.tensor([3, 5, 16], requiresGrad: true), b = r.tensor([3, 5, 16], requiresGrad: true)
            let weights = r.tensor([3, 5, 16])
            func run(fused: Bool) throws -> (y: [Float], ga: [Float], gb: [Float]) {
                a.grad = nil; b.grad = nil
                let tape = Tape()
                var out: Tensor!
                let loss = try tape.record { () throws -> Tensor in
                    out = fused ? try addRMSNorm(a, b, axis: axis, roundedToComputeDType: true)
                                : roundedToComputeDType(try addRMSNorm(a, b, axis: axis))
                    return try sum(out * weights)
                }
                try tape.backward(loss)
                return (out.scalars, a.grad!.scalars, b.grad!.scalars)
            }
            try ComputeContext.withDType(.bf16) {
                let (fused, plain) = (try run(fused: true), try run(fused: false))
                #expect(fused.y == plain.y && fused.y.allSatisfy { Kernels.float(bf16: Kernels.bf16Bits($0)) == $0 })
                #expect(fused.ga == plain.ga && fused.gb == plain.gb, "axis \(axis): the backward sees the fp32 norm")
            }
            let fp32 = try addRMSNorm(a, b, axis: axis, roundedToComputeDType: true)
            #expect(fp32.scalars == (try addRMSNorm(a, b, axis: axis)).scalars, "fp32: no rounding")
        }
    }

    @Test("rounding in place: the same tensor, its values rounded in bf16, untouched in fp32")
    func inPlaceRounding() throws {
        let x = try Tensor(shape: [3], values: [1.00390625, 3.14159, -2.5e-3])
        #expect(roundingInPlaceToComputeDType(x) === x && x.scalars == [1.00390625, 3.14159, -2.5e-3])
        let r = ComputeContext.withDType(.bf16) { roundingInPlaceToComputeDType(x) }
        #expect(r === x && x.scalars == [1.0, 3.140625, -0.00250244140625])
    }

    @Test("--dtype values parse case-insensitively; anything else names the accepted values")
    func parsing() throws {
        #expect(try ComputeDType(parsing: "BF16") == .bf16)
        #expect(try ComputeDType(parsing: "fp32") == .fp32)
        #expect(throws: DTypeError.unknown("fp16")) { try ComputeDType(parsing: "fp16") }
        #expect(DTypeError.unknown("x").description.contains("use bf16 or fp32"))
    }

    @Test("the default dtype is bf16 where oneDNN's bf16 matmul is faster: AMX, or AVX512-BF16 on AMD")
    func defaultDTypeFollowsTheMeasuredRule() {
        #expect(CPUVendor.parse(cpuinfo: "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\n") == .amd)
        #expect(CPUVendor.parse(cpuinfo: "vendor_id\t: GenuineIntel\nvendor_id\t: AuthenticAMD\n") == .intel)
        #expect(CPUVendor.parse(cpuinfo: "model name\t: something\n") == .other)
        #if canImport(CDNNL)
        let expected = OneDNN.hasAMX || (OneDNN.isa == "avx512_core_bf16" && CPUVendor.current == .amd)
        #expect(OneDNN.bf16IsFaster == expected)
        if ProcessInfo.processInfo.environment["TRM_DTYPE"] == nil {
            #expect(ComputeDType.platformDefault == (expected ? .bf16 : .fp32))
        }
        #endif
    }
}

#if canImport(CDNNL)
@Suite("Which products pack their weights")
struct WeightPackingPolicyTests {
    @Test("brgemm kernels (AVX-512 and up) always; gemm:jit (AVX2) only from 512 rows; the default follows it")
    func policy() {
        #expect(OneDNN.runsBrgemm == OneDNN.isa.hasPrefix("avx512"), "oneDNN 2.6 has brgemm matmul from AVX-512 up")
        #expect(OneDNN.packingPays(rows: 776))
        #expect(OneDNN.packingPays(rows: 97) == OneDNN.runsBrgemm)
        #expect(OneDNN.packingPays(rows: 511) == OneDNN.runsBrgemm && OneDNN.packingPays(rows: 512))
        if BLAS.packsWeights && !BLAS.packsEveryWeight {
            for rows in [1, 97, 511, 512, 776] { #expect(BLAS.packsWeight(rows: rows) == OneDNN.packingPays(rows: rows)) }
        }
    }
}
#endif
