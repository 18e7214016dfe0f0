// The sgemm (oneDNN on Linux, Accelerate on macOS) against a float64 triple loop: every
// transpose pair, alpha/beta, odd and wide shapes, padded leading dimensions, 1 or 2 threads;
// primitives reused per shape, and concurrent calls from several threads.
import Foundation
import Testing
@testable import TRMTensor

@Suite("sgemm agrees with a float64 reference")
struct GEMMTests {
    /// C = alpha op(A) op(B) + beta C0 in float64; lda/ldb/ldc may exceed the logical widths.
    static func reference(ta: Bool, tb: Bool, m: Int, n: Int, k: Int, alpha: Float, a: [Float], lda: Int,
                          b: [Float], ldb: Int, beta: Float, c0: [Float], ldc: Int) -> [Float] {
        var out = c0
        for i in 0..<m {
            for j in 0..<n {
                var acc = 0.0
                for p in 0..<k {
                    let x = ta ? a[p * lda + i] : a[i * lda + p]
                    let y = tb ? b[j * ldb + p] : b[p * ldb + j]
                    acc += Double(x) * Double(y)
                }
                out[i * ldc + j] = Float(Double(alpha) * acc + (beta == 0 ? 0 : Double(beta) * Double(c0[i * ldc + j])))
            }
        }
        return out
    }

    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (13, 31, 7), (14, 32, 16), (15, 33, 17), (97, 97, 64), (29, 65, 769), (3, 3105, 5), (57, 40, 1600),
    ]

    @Test("every transpose, alpha and beta, tile and block edges", arguments: shapes)
    func matches(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var r = TestRandom(UInt64(m * 1009 + n * 31 + k))
        do {
            for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
                for (alpha, beta) in [(Float(1), Float(0)), (Float(0.5), Float(1)), (Float(-2), Float(0.25))] {
                    for threads in [1, 2] {
                        // Leading dimensions padded by 3 so rows do not start aligned.
                        let lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 3, ldc = n + 3
                        let a = r.values((ta ? k : m) * lda), b = r.values((tb ? n : k) * ldb)
                        var c = r.values(m * ldc)
                        let expected = Self.reference(ta: ta, tb: tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                                                      b: b, ldb: ldb, beta: beta, c0: c, ldc: ldc)
                        a.withUnsafeBufferPointer { pa in
                            b.withUnsafeBufferPointer { pb in
                                c.withUnsafeMutableBufferPointer { pc in
                                    BLAS.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alpha,
                                               a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                               beta: beta, c: pc.baseAddress!, ldc: ldc, threads: threads)
                                }
                            }
                        }
                        // float32 accumulation over k terms of unit-variance products: error grows
                        // like sqrt(k) ulp-scale; 2e-6 * sqrt(k) relative to the largest entry.
                        let tolerance = Float(2e-6 * Double(k).squareRoot()) + 1e-6
                        let err = relativeError(c, expected)
                        #expect(err < tolerance, "ta \(ta) tb \(tb) alpha \(alpha) beta \(beta) threads \(threads): \(err)")
                    }
                }
            }
        }
    }

    @Test("beta = 0 never reads C: NaN already there does not leak into the result")
    func betaZeroIgnoresC() {
        let (m, n, k) = (15, 33, 9)
        var r = TestRandom(5)
        let a = r.values(m * k), b = r.values(k * n)
        do {
            var c = [Float](repeating: .nan, count: m * n)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        BLAS.sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                                   a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: n, beta: 0,
                                   c: pc.baseAddress!, ldc: n, threads: 1)
                    }
                }
            }
            #expect(c.allSatisfy { $0.isFinite })
        }
    }

    @Test("the attention's small products take the same path and agree with the Swift SIMD loop")
    func smallGemmMatchesReference() {
        let (m, n, k) = (97, 64, 97)
        var r = TestRandom(9)
        let a = r.values(m * k), b = r.values(k * n)
        for transposedA in [false, true] {
            var c = [Float](repeating: 0, count: m * n)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        Kernels.smallGemm(m: m, n: n, k: k, alpha: 0.5, a: pa.baseAddress!,
                                          aRow: transposedA ? 1 : k, aCol: transposedA ? m : 1,
                                          b: pb.baseAddress!, ldb: n, beta: 0, c: pc.baseAddress!, ldc: n)
                    }
                }
            }
            let expected = Self.reference(ta: transposedA, tb: false, m: m, n: n, k: k, alpha: 0.5, a: a,
                                          lda: transposedA ? m : k, b: b, ldb: n, beta: 0,
                                          c0: [Float](repeating: 0, count: m * n), ldc: n)
            #expect(relativeError(c, expected) < 3e-5)
        }
    }

    @Test("GEMMTimer counts the time inside BLAS.sgemm while its body runs, and nothing outside it")
    func gemmTimer() throws {
        var r = TestRandom(11)
        let a = r.tensor([64, 96]), w = r.tensor([80, 96])
        let timer = GEMMTimer()
        _ = try linear(a, weight: w)  // outside: not counted
        let split = try GEMMTimer.$current.withValue(timer) {
            try GEMMTimer.measure { _ = try linear(a, weight: w); _ = try linear(a, weight: w) }
        }
        #expect(split.gemmSeconds > 0 && split.gemmSeconds <= split.totalSeconds)
        #expect(split.gemmFlops == 2 * (2 * 64 * 80 * 96), "two products of 64 x 96 by 96 x 80: 2 M N K each")
        #expect(split.gemmGFLOPS > 0 && split.gemmFraction > 0 && split.gemmFraction <= 1)
        #expect(timer.calls == 0, "measure binds its own timer")
        try GEMMTimer.$current.withValue(timer) { _ = try linear(a, weight: w) }
        #expect(timer.calls == 1)
        // Forward and backward of x W^T: y, dx = dy W and dW = dy^T x, each 2 * 64 * 80 * 96.
        let x = r.tensor([64, 96], requiresGrad: true), weight = r.tensor([80, 96], requiresGrad: true)
        let backward = try GEMMTimer.measure {
            let tape = Tape()
            let y = try tape.record { try linear(x, weight: weight) }
            try tape.backward(y)
        }
        #expect(backward.gemmFlops == 3 * (2 * 64 * 80 * 96))
        // By shape: y = x W^T (NT 64x80x96), dx = dy W (NN 64x96x80), dW = dy^T x (TN 80x96x64).
        let byShape = Dictionary(uniqueKeysWithValues: backward.shapes.map { ("\($0.shape.op) \($0.shape.m)x\($0.shape.n)x\($0.shape.k)", $0.totals) })
        #expect(Set(byShape.keys) == ["NT 64x80x96", "NN 64x96x80", "TN 80x96x64"], "\(byShape.keys)")
        #expect(byShape.values.allSatisfy { $0.calls == 1 && $0.flops == 2 * 64 * 80 * 96 && $0.seconds > 0 && $0.gflops > 0 })
        #expect(backward.shapes.map(\.totals.seconds) == backward.shapes.map(\.totals.seconds).sorted(by: >), "most time first")
        #expect(abs(backward.shapes.reduce(0) { $0 + $1.totals.seconds } - backward.gemmSeconds) < 1e-9)
        // Two calls of one shape add up in one entry.
        #expect(split.shapes.count == 1 && split.shapes[0].totals.calls == 2 && split.shapes[0].shape.op == "NT")
    }

    @Test("workers inherit the dtype with one thread each; withThreads keeps the dtype")
    func contextInheritance() {
        for dtype in ComputeDType.allCases {
            ComputeContext.withDType(dtype) {
                ComputeContext.withThreads(2) {
                    #expect(ComputeContext.current.dtype == dtype, "withThreads keeps the dtype")
                    // Dispatch workers do not inherit task-locals: parallelChunks binds the
                    // caller's dtype there, with one thread (the work inside is serial).
                    let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: 8)
                    defer { seen.deallocate() }
                    seen.initialize(repeating: -1)
                    let box = UncheckedSendable(seen)
                    parallelChunks(8, threads: 2) { r in
                        for i in r {
                            box.value[i] = (ComputeContext.current.dtype == dtype ? 1 : 0) + (ComputeContext.current.threads == 1 ? 2 : 0)
                        }
                    }
                    #expect(Array(seen) == Array(repeating: 3, count: 8), "\(Array(seen))")
                }
            }
        }
    }
}

@Suite("weights packed into oneDNN's preferred layout")
struct PackedWeightTests {
    @Test("x W^T with W packed equals the float64 product (fp32) and the plain bf16 product (bf16)",
          arguments: [(1, 1, 1), (97, 512, 128), (33, 70, 29), (776, 96, 1536)])
    func packedProducts(shape: (Int, Int, Int)) throws {
        let (m, n, k) = shape
        var r = TestRandom(UInt64(m * 31 + n))
        let x = r.values(m * k), w = r.values(n * k)
        let expected = GEMMTests.reference(ta: false, tb: true, m: m, n: n, k: k, alpha: 1, a: x, lda: k, b: w, ldb: k,
                                           beta: 0, c0: [Float](repeating: 0, count: m * n), ldc: n)
        for threads in [1, 2] {
            // fp32: the same accuracy bar as the plain sgemm.
            #if canImport(CDNNL)
            let packed = try #require(PackedWeightMatrix(m: m, n: n, k: k, weight: w, dtype: .fp32))
            #expect(packed.bytes >= n * k * 4)
            var c = [Float](repeating: .nan, count: m * n)
            let ok = x.withUnsafeBufferPointer { px in
                c.withUnsafeMutableBufferPointer { packed.multiply(px.baseAddress!, into: $0.baseAddress!, threads: threads) }
            }
            #expect(ok)
            #expect(relativeError(c, expected) < Float(2e-6 * Double(k).squareRoot()) + 1e-6, "fp32 \(shape) threads \(threads)")
            #else
            #expect(PackedWeightMatrix(m: m, n: n, k: k, weight: w, dtype: .fp32) == nil, "no oneDNN: nothing to pack")
            #endif
            // bf16: the plain bf16 product on the same bits (fp32 accumulation either way).
            guard ComputeDType.bf16Supported else { continue }
            var x16 = [UInt16](repeating: 0, count: m * k), w16 = [UInt16](repeating: 0, count: n * k)
            x.withUnsafeBufferPointer { p in x16.withUnsafeMutableBufferPointer { BLAS.convertToBF16(p.baseAddress!, $0.baseAddress!, count: m * k) } }
            w.withUnsafeBufferPointer { p in w16.withUnsafeMutableBufferPointer { BLAS.convertToBF16(p.baseAddress!, $0.baseAddress!, count: n * k) } }
            let packed16 = try #require(PackedWeightMatrix(m: m, n: n, k: k, weight: w16, dtype: .bf16))
            var plain = [Float](repeating: .nan, count: m * n), viaPacked = plain
            let done = x16.withUnsafeBufferPointer { px in
                w16.withUnsafeBufferPointer { pw in
                    plain.withUnsafeMutableBufferPointer {
                        BLAS.gemm(bf16TransA: false, transB: true, m: m, n: n, k: k, a: px.baseAddress!, lda: k,
                                  b: pw.baseAddress!, ldb: k, c: $0.baseAddress!, ldc: n, threads: threads)
                    } && viaPacked.withUnsafeMutableBufferPointer { packed16.multiply(px.baseAddress!, into: $0.baseAddress!, threads: threads) }
                }
            }
            #expect(done)
            // Same products of the same bf16 values, fp32 sums possibly in another order.
            #expect(relativeError(viaPacked, plain) < Float(2e-6 * Double(k).squareRoot()) + 1e-6, "bf16 \(shape) threads \(threads)")
            // And both near the fp32 product: bf16 inputs carry 8 bits of mantissa.
            #expect(relativeError(viaPacked, expected) < 0.02, "bf16 \(shape) against fp32")
        }
    }
}

@Suite("parallelChunks: every index once, on any team")
struct ParallelChunksTests {
    /// Counts how often each index of 0..<count was visited by parallelChunks(count, grain:, threads:).
    static func visits(_ count: Int, grain: Int, threads: Int) -> [Int] {
        let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
        defer { seen.deallocate() }
        seen.initialize(repeating: 0)
        let box = UncheckedSendable(seen)
        parallelChunks(count, grain: grain, threads: threads) { r in for i in r { box.value[i] += 1 } }
        return Array(seen.prefix(count))
    }

    @Test("counts, grains and thread counts (more threads than cores included)",
          arguments: [1, 2, 3, 7, 64, 1000, 65_537])
    func everyIndexOnce(count: Int) {
        for threads in [1, 2, 3, 8] {
            for grain in [1, 5, 4096] {
                #expect(Self.visits(count, grain: grain, threads: threads) == Array(repeating: 1, count: count),
                        "count \(count), grain \(grain), threads \(threads)")
            }
        }
    }

    @Test("nested inside a worker, and from several threads at once")
    func nestedAndConcurrent() {
        // Inside a worker the context has one thread, so a nested call runs serially in it; asked
        // for more threads explicitly, the nested region (one OpenMP thread) still covers every chunk.
        let outer = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4)
        defer { outer.deallocate() }
        outer.initialize(repeating: 0)
        let box = UncheckedSendable(outer)
        parallelChunks(4, threads: 2) { r in
            for i in r { box.value[i] = Self.visits(1000, grain: 1, threads: 4).reduce(0, +) }
        }
        #expect(Array(outer) == [1000, 1000, 1000, 1000])
        // Four Dispatch threads each starting their own teams.
        let results = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4)
        defer { results.deallocate() }
        let rbox = UncheckedSendable(results)
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            var ok = 1
            for _ in 0..<20 where Self.visits(5000, grain: 7, threads: 2) != Array(repeating: 1, count: 5000) { ok = 0 }
            rbox.value[t] = ok
        }
        #expect(Array(results) == [1, 1, 1, 1])
    }

    @Test("bf16 conversions give the same bits on one thread and on several")
    func conversionsThreadIndependent() {
        var r = TestRandom(7)
        let count = 3 * Kernels.elementGrain + 17  // several chunks and a tail
        var x = r.values(count, scale: 50)
        x[5] = .nan; x[6] = .infinity; x[7] = -.infinity; x[8] = 1.0039063  // a tie
        func run(threads: Int) -> ([UInt16], [Float], [Float]) {
            var bits = [UInt16](repeating: 0, count: count), rounded = [Float](repeating: 0, count: count)
            var wide = [Float](repeating: 0, count: count)
            ComputeContext.withThreads(threads) {
                x.withUnsafeBufferPointer { px in
                    bits.withUnsafeMutableBufferPointer { Kernels.convertToBF16(px.baseAddress!, $0.baseAddress!, count: count) }
                    rounded.withUnsafeMutableBufferPointer { Kernels.roundThroughBF16(px.baseAddress!, $0.baseAddress!, count: count) }
                }
                bits.withUnsafeBufferPointer { pb in
                    wide.withUnsafeMutableBufferPointer { Kernels.widen(bf16: pb.baseAddress!, $0.baseAddress!, count: count) }
                }
            }
            return (bits, rounded, wide)
        }
        let one = run(threads: 1), three = run(threads: 3)
        #expect(one.0 == three.0)
        #expect(one.1.map(\.bitPattern) == three.1.map(\.bitPattern))
        #expect(one.2.map(\.bitPattern) == three.2.map(\.bitPattern))
        #expect(one.0 == x.map(Kernels.bf16Bits), "the vector kernel matches the scalar reference")
        #expect(one.2.map(\.bitPattern) == one.1.map(\.bitPattern), "widening the bits is the round trip")
    }
}

@Suite("AVX-512 and AVX2 SwiGLU are bit-identical to the Swift SIMD kernel")
struct NativeSwiGLUTests {
    @Test("forward and backward, with tails, extreme and NaN inputs", arguments: [1, 7, 8, 9, 15, 16, 17, 20, 24, 97, 1536])
    func bitIdentical(inner: Int) throws {
        // Every x86-64 CPU this project runs on has AVX2 at least; the Swift kernel runs everywhere.
        #if arch(x86_64)
        #expect(Kernels.runnableNative.count >= 2, "no C kernel to compare on this x86-64 CPU")
        #endif
        var r = TestRandom(UInt64(inner))
        let rows = 5
        var x = r.values(rows * 2 * inner, scale: 6)
        x[0] = 200; x[min(1, x.count - 1)] = -200; x[x.count - 1] = .nan  // clamps and NaN
        let d = r.values(rows * inner)
        func run(native: NativeKernels) -> ([Float], [Float]) {
            var out = [Float](repeating: 0, count: rows * inner), dx = [Float](repeating: 0, count: rows * 2 * inner)
            x.withUnsafeBufferPointer { px in
                d.withUnsafeBufferPointer { pd in
                    out.withUnsafeMutableBufferPointer { po in
                        Kernels.swigluForward(px.baseAddress!, rows: rows, inner: inner, po.baseAddress!, native: native)
                    }
                    dx.withUnsafeMutableBufferPointer { pdx in
                        Kernels.swigluBackward(px.baseAddress!, pd.baseAddress!, rows: rows, inner: inner, pdx.baseAddress!,
                                               native: native)
                    }
                }
            }
            return (out, dx)
        }
        let (b, db) = run(native: .swift)
        for native in Kernels.runnableNative where native != .swift {
            let (a, da) = run(native: native)
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "forward, \(native)")
            #expect(da.map(\.bitPattern) == db.map(\.bitPattern), "backward, \(native)")
        }
    }
}

@Suite("The machine a benchmark names")
struct MachineDescriptionTests {
    @Test("first processor's model name, family and model from /proc/cpuinfo text; the vendor; missing fields")
    func parse() throws {
        let zen3 = """
            processor\t: 0
            vendor_id\t: AuthenticAMD
            cpu family\t: 25
            model\t\t: 1
            model name\t: AMD EPYC
            flags\t\t: fpu avx avx2

            processor\t: 1
            vendor_id\t: AuthenticAMD
            cpu family\t: 26
            model\t\t: 2
            model name\t: other
            """
        let m = MachineDescription.parse(cpuinfo: zen3, isa: "avx2", kernels: "avx2", logicalCPUs: 2)
        #expect(m.cpu == "AMD EPYC" && m.vendor == "amd" && m.family == 25 && m.model == 1)
        #expect(m.summary == "AMD EPYC (family 25 model 1), oneDNN avx2, kernels avx2, 2 logical CPUs")
        let xeon = "vendor_id : GenuineIntel\ncpu family : 6\nmodel : 207\nmodel name : Intel(R) Xeon(R) Platinum 8581C CPU @ 2.10GHz\n"
        let x = MachineDescription.parse(cpuinfo: xeon, isa: "avx512_core_amx", kernels: "avx512", logicalCPUs: 4)
        #expect(x.cpu == "Intel(R) Xeon(R) Platinum 8581C CPU @ 2.10GHz" && x.vendor == "intel" && x.model == 207)
        let none = MachineDescription.parse(cpuinfo: "", isa: "none", kernels: "swift", logicalCPUs: 1)
        #expect(none.cpu == "unknown" && none.family == nil && none.summary == "unknown, oneDNN none, kernels swift, 1 logical CPUs")
        let json = String(decoding: try JSONEncoder().encode(m), as: UTF8.self)
        #expect(json.contains("\"logical_cpus\":2"))
        #expect(MachineDescription.current.kernels == Kernels.native.rawValue)
    }
}
