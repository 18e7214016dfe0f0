// Kernel benchmarks: sgemm throughput at TRM shapes, and forward+backward of one TRM block
// (attention and MLP-mixer variants) compared with the sgemm rate of exactly the GEMMs that block
// performs. Results are JSON-line records.
import Foundation
import TRMTensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct KernelBenchmarkRecord: Codable, Sendable {
    public var impl = "swift-trm"
    /// The library that ran the products: "onednn" (Linux) or "accelerate" (macOS).
    public var gemm = BLAS.name
    public var task: String
    /// Precision of the products: "fp32" or "bf16" (bf16 sgemm lines: bf16 inputs, fp32 output).
    public var dtype = "fp32"
    /// oneDNN's kernel for the product (sgemm lines), e.g. "brg:avx512_core".
    public var kernel: String?
    public var threads: Int
    public var batch: Int?
    public var m: Int?
    public var n: Int?
    public var k: Int?
    public var variant: String?
    public var seconds_median: Double
    public var seconds_min: Double
    /// Product rate; 0 on `swiglu` lines (elementwise: see `gbytes_per_s`).
    public var gflops: Double
    /// The sgemm rate of the block's own GEMMs measured in the same run (block records only).
    public var sgemm_gflops: Double?
    /// gflops / sgemm_gflops (block records only).
    public var fraction_of_sgemm: Double?
    /// The least CPU time of the calling thread over the repeats (1-thread sgemm records only):
    /// on a machine shared with other jobs it leaves out the time the thread waited for a core.
    public var thread_cpu_seconds_min: Double?
    /// GFLOP/s by `thread_cpu_seconds_min`.
    public var gflops_cpu: Double?
    public var peak_pool_bytes: Int?
    public var max_rss_bytes: Int?
    /// Packed-weight records (task "sgemm_packed"): the plain-layout rate measured beside it, the
    /// ratio, the packed copy's bytes, and whether oneDNN chose a blocked layout at all.
    public var plain_gflops: Double?
    public var packed_over_plain: Double?
    public var packed_bytes: Int?
    public var weights_blocked: Bool?
    /// SwiGLU records (task "swiglu", `kernel` the set: avx512, avx2, swift): the bytes one forward
    /// and backward read and write per second, and the speed-up over the Swift kernels, same run.
    public var gbytes_per_s: Double?
    public var over_swift: Double?
}

public enum KernelBenchmark {
    /// Median and minimum wall time of `body` over `repeats` runs after one warm-up run (shared by
    /// every `trm bench`).
    public static func time(repeats: Int, _ body: () throws -> Void) rethrows -> (median: Double, min: Double) {
        try body()
        var samples: [Double] = []
        for _ in 0..<max(1, repeats) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        samples.sort()
        let n = samples.count
        let median = n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2
        return (median, samples[0])
    }

    /// CPU seconds the calling thread has run so far.
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Peak resident set size of this process, in bytes.
    public static var maxResidentBytes: Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        #if os(Linux)
        return Int(usage.ru_maxrss) * 1024
        #else
        return Int(usage.ru_maxrss)
        #endif
    }

    /// One GEMM the block performs: C[m, n] = op(A) op(B) with inner size k.
    struct Gemm { var m: Int, n: Int, k: Int, ta: Bool, tb: Bool }

    /// The forward and backward GEMMs of one block on `rows` rows (linear layers x W^T), the MLP
    /// mixer's on the transposed state's batch x D rows. Attention's per-head GEMMs are counted as
    /// flops of the block but not in this list (they are small and run inside the fused kernel).
    static func blockGemms(batch: Int, length: Int, hidden d: Int, inner: Int, mixer: String, mixerInner: Int) -> [(Gemm, Int)] {
        var list: [(Gemm, Int)] = []
        func linear(_ inF: Int, _ outF: Int, rows: Int = batch * length) {
            list.append((Gemm(m: rows, n: outF, k: inF, ta: false, tb: true), 1))   // y = x W^T
            list.append((Gemm(m: rows, n: inF, k: outF, ta: false, tb: false), 1))  // dx = dy W
            list.append((Gemm(m: outF, n: inF, k: rows, ta: true, tb: false), 1))   // dW = dy^T x
        }
        if mixer == "attention" {
            linear(d, 3 * d); linear(d, d)
        } else {
            // The token mixer as TokenMixer runs it: a SwiGLU layer over L on the state transposed
            // to [B, D, L], i.e. on batch x D rows.
            linear(length, 2 * mixerInner, rows: batch * d); linear(mixerInner, length, rows: batch * d)
        }
        linear(d, 2 * inner); linear(inner, d)
        return list
    }

    static func flops(_ gemms: [(Gemm, Int)]) -> Double {
        gemms.reduce(0) { $0 + 2 * Double($1.0.m * $1.0.n * $1.0.k * $1.1) }
    }

    /// Runs a list of GEMMs back to back on preallocated buffers.
    static func runGemms(_ gemms: [(Gemm, Int)], buffers: inout [UnsafeMutablePointer<Float>]) {
        for (i, (g, count)) in gemms.enumerated() {
            let a = buffers[3 * i], b = buffers[3 * i + 1], c = buffers[3 * i + 2]
            for _ in 0..<count {
                BLAS.sgemm(transA: g.ta, transB: g.tb, m: g.m, n: g.n, k: g.k, alpha: 1,
                           a: a, lda: g.ta ? g.m : g.k, b: b, ldb: g.tb ? g.k : g.n, beta: 0, c: c, ldc: g.n)
            }
        }
    }

    /// The same GEMMs on bf16 operands prepared once (fp32 output): oneDNN's bare bf16 matmul rate
    /// at a block's shapes. False where this CPU has no bf16 kernel for one of them.
    static func runGemmsBF16(_ gemms: [(Gemm, Int)], buffers: [UnsafeMutablePointer<UInt16>],
                             outputs: [UnsafeMutablePointer<Float>], threads: Int) -> Bool {
        for (i, (g, count)) in gemms.enumerated() {
            for _ in 0..<count {
                guard BLAS.gemm(bf16TransA: g.ta, transB: g.tb, m: g.m, n: g.n, k: g.k,
                                a: buffers[2 * i], lda: g.ta ? g.m : g.k, b: buffers[2 * i + 1], ldb: g.tb ? g.k : g.n,
                                c: outputs[i], ldc: g.n, threads: threads) else { return false }
            }
        }
        return true
    }

    static func allocate(_ gemms: [(Gemm, Int)]) -> [UnsafeMutablePointer<Float>] {
        gemms.flatMap { g, _ -> [UnsafeMutablePointer<Float>] in
            [g.m * g.k, g.k * g.n, g.m * g.n].map { n in
                let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
                for i in 0..<n { p[i] = Float(i % 7) * 0.01 }
                return p
            }
        }
    }

    /// sgemm GFLOP/s of single shapes (x W^T with M = batch x length).
    public static func sgemmRecords(batches: [Int], length: Int, sizes: [(Int, Int)], threads: Int, repeats: Int) -> [KernelBenchmarkRecord] {
        var out: [KernelBenchmarkRecord] = []
        for b in batches {
            for (k, n) in sizes {
                let g = [(Gemm(m: b * length, n: n, k: k, ta: false, tb: true), 1)]
                var bufs = allocate(g)
                defer { bufs.forEach { $0.deallocate() } }
                var cpuMin = Double.infinity
                let t = time(repeats: repeats) {
                    let c0 = threadCPUSeconds()
                    runGemms(g, buffers: &bufs)
                    cpuMin = min(cpuMin, threadCPUSeconds() - c0)
                }
                var r = KernelBenchmarkRecord(task: "sgemm", kernel: BLAS.kernelName(m: b * length, n: n, k: k, dtype: .fp32),
                                              threads: threads, batch: b, m: b * length, n: n, k: k,
                                              seconds_median: t.median, seconds_min: t.min, gflops: flops(g) / t.median / 1e9)
                if threads == 1 {
                    r.thread_cpu_seconds_min = cpuMin
                    r.gflops_cpu = flops(g) / cpuMin / 1e9
                }
                out.append(r)
            }
        }
        return out
    }

    /// SwiGLU forward then backward over [batch x length, 2 x inner] in fp32 with each kernel set
    /// this CPU runs (`Kernels.runnableNative`), measured in alternation twice (the better median
    /// of each), so the sets are compared in one run.
    public static func swigluRecords(batches: [Int], length: Int, inner: Int, threads: Int, repeats: Int) -> [KernelBenchmarkRecord] {
        var out: [KernelBenchmarkRecord] = []
        for b in batches {
            let rows = b * length
            var rng = SeededRandom(seed: 5)
            let x = (0..<(rows * 2 * inner)).map { _ in Float(rng.uniform() * 8 - 4) }
            let d = (0..<(rows * inner)).map { _ in Float(rng.uniform() * 2 - 1) }
            var y = [Float](repeating: 0, count: rows * inner), dx = [Float](repeating: 0, count: rows * 2 * inner)
            var best: [NativeKernels: (median: Double, min: Double)] = [:]
            for _ in 0..<2 {
                for set in Kernels.runnableNative {
                    let t = time(repeats: repeats) {
                        Kernels.swigluForward(x, rows: rows, inner: inner, &y, native: set)
                        Kernels.swigluBackward(x, d, rows: rows, inner: inner, &dx, native: set)
                    }
                    if let old = best[set], old.median <= t.median { continue }
                    best[set] = t
                }
            }
            // forward: reads 2I, writes I; backward: reads 2I and I, writes 2I (fp32 values per row)
            let bytes = Double(rows * inner * 8 * 4)
            for set in Kernels.runnableNative {
                guard let t = best[set] else { continue }
                var r = KernelBenchmarkRecord(task: "swiglu", kernel: set.rawValue, threads: threads, batch: b, m: rows, n: inner,
                                              seconds_median: t.median, seconds_min: t.min, gflops: 0)
                r.gbytes_per_s = bytes / t.median / 1e9
                r.over_swift = best[.swift].map { $0.median / t.median }
                out.append(r)
            }
        }
        return out
    }

    /// x W^T with W [N, K] packed once into oneDNN's preferred layout against W as the products
    /// keep it (plain row-major), per dtype (bf16 where this CPU has it), measured back to back
    /// twice in alternation (the better median of each side). Nil-free: shapes oneDNN cannot pack
    /// are left out.
    public static func packedRecords(batches: [Int], length: Int, sizes: [(Int, Int)], threads: Int,
                                     repeats: Int) -> [KernelBenchmarkRecord] {
        var out: [KernelBenchmarkRecord] = []
        for dtype in ComputeDType.allCases {
            for b in batches {
                for (k, n) in sizes {
                    let m = b * length
                    guard let kernel = BLAS.kernelName(m: m, n: n, k: k, dtype: dtype) else { continue }
                    let operands = ProductOperands(m: m, n: n, k: k)
                    defer { withExtendedLifetime(operands) {} }  // its buffers are used through raw pointers below
                    let (x, w, x16, w16, c) = (operands.x, operands.w, operands.x16, operands.w16, operands.c)
                    let bf16 = dtype == .bf16
                    guard let packed = PackedWeightMatrix(m: m, n: n, k: k, weight: bf16 ? UnsafeRawPointer(w16) : UnsafeRawPointer(w),
                                                          dtype: dtype) else { continue }
                    var ok = true
                    func plain() {
                        if bf16 {
                            ok = ok && BLAS.gemm(bf16TransA: false, transB: true, m: m, n: n, k: k, a: x16, lda: k, b: w16, ldb: k,
                                                 c: c, ldc: n, threads: threads)
                        } else {
                            BLAS.sgemm(transA: false, transB: true, m: m, n: n, k: k, alpha: 1, a: x, lda: k, b: w, ldb: k,
                                       beta: 0, c: c, ldc: n, threads: threads)
                        }
                    }
                    func packedProduct() {
                        ok = ok && packed.multiply(bf16 ? UnsafeRawPointer(x16) : UnsafeRawPointer(x), into: c, threads: threads)
                    }
                    var (plainBest, packedBest) = (Double.infinity, Double.infinity)
                    var packedMin = Double.infinity
                    for _ in 0..<2 {
                        plainBest = min(plainBest, time(repeats: repeats, plain).median)
                        let t = time(repeats: repeats, packedProduct)
                        packedBest = min(packedBest, t.median)
                        packedMin = min(packedMin, t.min)
                    }
                    guard ok else { continue }
                    let flops = 2 * Double(m * n * k)
                    var r = KernelBenchmarkRecord(task: "sgemm_packed", dtype: dtype.rawValue, kernel: kernel, threads: threads,
                                                  batch: b, m: m, n: n, k: k, seconds_median: packedBest, seconds_min: packedMin,
                                                  gflops: flops / packedBest / 1e9)
                    r.plain_gflops = flops / plainBest / 1e9
                    r.packed_over_plain = plainBest / packedBest
                    r.packed_bytes = packed.bytes
                    r.weights_blocked = packed.isBlocked
                    out.append(r)
                }
            }
        }
        return out
    }

    /// bf16 matmul GFLOP/s of the same shapes (bf16 inputs prepared once, fp32 output): the bare
    /// rate oneDNN reaches on this CPU. Shapes with no bf16 kernel here are left out.
    public static func bf16Records(batches: [Int], length: Int, sizes: [(Int, Int)], threads: Int, repeats: Int) -> [KernelBenchmarkRecord] {
        var out: [KernelBenchmarkRecord] = []
        for b in batches {
            for (k, n) in sizes {
                let m = b * length
                guard let kernel = BLAS.kernelName(m: m, n: n, k: k, dtype: .bf16) else { continue }
                let operands = ProductOperands(m: m, n: n, k: k)
                defer { withExtendedLifetime(operands) {} }  // its buffers are used through raw pointers below
                let (a, w, c) = (operands.x16, operands.w16, operands.c)
                var ok = true
                var cpuMin = Double.infinity
                let t = time(repeats: repeats) {
                    let c0 = threadCPUSeconds()
                    ok = ok && BLAS.gemm(bf16TransA: false, transB: true, m: m, n: n, k: k, a: a, lda: k, b: w, ldb: k,
                                         c: c, ldc: n, threads: threads)
                    cpuMin = min(cpuMin, threadCPUSeconds() - c0)
                }
                guard ok else { continue }
                let flops = 2 * Double(m * n * k)
                var r = KernelBenchmarkRecord(task: "sgemm", dtype: "bf16", kernel: kernel, threads: threads, batch: b,
                                              m: m, n: n, k: k, seconds_median: t.median, seconds_min: t.min,
                                              gflops: flops / t.median / 1e9)
                if threads == 1 {
                    r.thread_cpu_seconds_min = cpuMin
                    r.gflops_cpu = flops / cpuMin / 1e9
                }
                out.append(r)
            }
        }
        return out
    }

    /// Forward + backward of one block vs the matmul rate of its GEMMs, in `dtype`: fp32 against
    /// oneDNN's fp32 sgemm, bf16 (as training runs it: inputs and results rounded, the weights
    /// converted once per step) against oneDNN's bare bf16 matmul on operands converted beforehand.
    /// Nil for bf16 where this CPU has no bf16 kernel.
    public static func blockRecord(variant: String, batch: Int, length: Int = 97, hidden: Int = 512, heads: Int = 8,
                                   inner: Int = 1536, dtype: ComputeDType = .fp32, threads: Int,
                                   repeats: Int) throws -> KernelBenchmarkRecord? {
        if dtype == .bf16 && !ComputeDType.bf16Supported { return nil }
        var rng = SeededRandom(seed: 1)
        let mixerInner = swigluInnerWidth(width: length, expansion: 4)
        let block: Block
        let mlp = SwiGLU(width: hidden, inner: inner, rng: &rng)
        if variant == "attention" {
            block = Block(attention: SelfAttention(width: hidden, heads: heads, rng: &rng), tokenMixer: nil, mlp: mlp)
        } else {
            block = Block(attention: nil, tokenMixer: TokenMixer(length: length, inner: mixerInner, rng: &rng), mlp: mlp)
        }
        let rope = variant == "attention" ? RotaryTables(length: length, headDim: hidden / heads) : nil
        let x = try Tensor(shape: [batch, length, hidden], values: rng.truncatedNormal(count: batch * length * hidden, std: 1))
        let seed = try Tensor(shape: [batch, length, hidden], values: rng.truncatedNormal(count: batch * length * hidden, std: 1))
        func step() throws {
            try ComputeContext.withDType(dtype) {
                try BF16WeightCache.scope {
                    let tape = Tape()
                    let y = try tape.record { try block(x, rotary: rope) }
                    try tape.backward(y, seed: seed)
                }
            }
            block.zeroGradients()
        }
        BufferPool.shared.resetPeak()
        let t = try time(repeats: repeats, step)
        let gemms = blockGemms(batch: batch, length: length, hidden: hidden, inner: inner, mixer: variant, mixerInner: mixerInner)
        var attentionFlops = 0.0
        if variant == "attention" {
            let headDim = hidden / heads
            attentionFlops = Double(batch * heads * length * length * headDim) * (4 + 8)
        }
        let total = flops(gemms) + attentionFlops
        var bufs = allocate(gemms)
        defer { bufs.forEach { $0.deallocate() } }
        let g: (median: Double, min: Double)
        if dtype == .bf16 {
            var halves: [UnsafeMutablePointer<UInt16>] = []
            var outputs: [UnsafeMutablePointer<Float>] = []  // the fp32 C buffers of `bufs`, freed with them
            defer { halves.forEach { $0.deallocate() } }
            for (i, (gemm, _)) in gemms.enumerated() {
                for (j, count) in [gemm.m * gemm.k, gemm.k * gemm.n].enumerated() {
                    let h = UnsafeMutablePointer<UInt16>.allocate(capacity: count)
                    BLAS.convertToBF16(bufs[3 * i + j], h, count: count)
                    halves.append(h)
                }
                outputs.append(bufs[3 * i + 2])
            }
            guard runGemmsBF16(gemms, buffers: halves, outputs: outputs, threads: threads) else { return nil }
            g = time(repeats: repeats) { _ = runGemmsBF16(gemms, buffers: halves, outputs: outputs, threads: threads) }
        } else {
            g = time(repeats: repeats) { runGemms(gemms, buffers: &bufs) }
        }
        let sgemmRate = flops(gemms) / g.median / 1e9
        let rate = total / t.median / 1e9
        return KernelBenchmarkRecord(task: "block_fwd_bwd", dtype: dtype.rawValue, threads: threads, batch: batch, variant: variant,
                                     seconds_median: t.median, seconds_min: t.min, gflops: rate,
                                     sgemm_gflops: sgemmRate, fraction_of_sgemm: rate / sgemmRate,
                                     peak_pool_bytes: BufferPool.shared.statistics.peakInUseBytes,
                                     max_rss_bytes: maxResidentBytes)
    }
}

/// The operands of one benchmark product C = x W^T: x [m, k] and W [n, k] filled with small
/// repeating values, each in fp32 and as bf16 bits, and C [m, n]; freed with the object.
final class ProductOperands {
    let x: UnsafeMutablePointer<Float>, w: UnsafeMutablePointer<Float>
    let x16: UnsafeMutablePointer<UInt16>, w16: UnsafeMutablePointer<UInt16>
    let c: UnsafeMutablePointer<Float>

    init(m: Int, n: Int, k: Int) {
        x = .allocate(capacity: m * k); w = .allocate(capacity: n * k)
        x16 = .allocate(capacity: m * k); w16 = .allocate(capacity: n * k)
        c = .allocate(capacity: m * n)
        for i in 0..<(m * k) { x[i] = Float(i % 7) * 0.01 }
        for i in 0..<(n * k) { w[i] = Float(i % 5) * 0.01 }
        BLAS.convertToBF16(x, x16, count: m * k)
        BLAS.convertToBF16(w, w16, count: n * k)
    }

    deinit { x.deallocate(); w.deallocate(); x16.deallocate(); w16.deallocate(); c.deallocate() }
}
