// ComputeContext: how many threads kernels and matrix products may use, and the compute dtype.
// It travels as a task-local value; `TRM_THREADS` sets the default thread count.
import Foundation
#if canImport(CDNNL)
import CDNNL
#elseif canImport(Accelerate)
import Accelerate
#endif
import CTRMKernels

public struct ComputeContext: Sendable {
    /// Worker threads for row-parallel kernels and for oneDNN's matrix products (set per call,
    /// so a product inside one of our workers runs on that one thread).
    public var threads: Int
    /// The precision of matrix products and carried activations (`ComputeDType`). Resolve a
    /// requested bf16 with `ComputeDType.resolve` first: where oneDNN has no bf16 matmul the
    /// products would run on fp32 kernels (same numbers, slower).
    public var dtype: ComputeDType

    public init(threads: Int, dtype: ComputeDType = .fp32) {
        self.threads = max(1, threads)
        self.dtype = dtype
    }

    /// `TRM_THREADS` when set to a positive integer, else the number of active cores.
    public static var defaultThreads: Int {
        if let s = ProcessInfo.processInfo.environment["TRM_THREADS"], let n = Int(s), n > 0 { return n }
        return ProcessInfo.processInfo.activeProcessorCount
    }

    @TaskLocal public static var current = ComputeContext(threads: ComputeContext.defaultThreads)

    /// Runs `body` with `threads` worker threads for our kernels and oneDNN's products.
    public static func withThreads<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
        try $current.withValue(ComputeContext(threads: threads, dtype: current.dtype), operation: body)
    }

    /// Runs `body` computing in `dtype` (already resolved for this machine).
    public static func withDType<R>(_ dtype: ComputeDType, _ body: () throws -> R) rethrows -> R {
        try $current.withValue(ComputeContext(threads: current.threads, dtype: dtype), operation: body)
    }
}

/// Single-precision matrix products: oneDNN's matmul primitive on Linux (it dispatches on the
/// CPU's ISA: AVX2, AVX-512, AMX), Accelerate's cblas_sgemm on macOS. (swift-trm's own AVX-512
/// sgemm was removed: on an AMD Zen 4 core it ran no faster than oneDNN, and on an Intel Xeon
/// with AMX oneDNN's fp32 was about 2x it; see the README.)
public enum BLAS {
    /// The library behind `sgemm`, as benchmark lines name it: "onednn" or "accelerate".
    public static let name: String = {
        #if canImport(CDNNL)
        return "onednn"
        #else
        return "accelerate"
        #endif
    }()

    /// C[M,N] = alpha * op(A) * op(B) + beta * C, row-major, on the current context's threads
    /// and dtype (bf16: inputs and result rounded to bf16, fp32 accumulation).
    /// a: [M, K] (or [K, M] with transA), b: [K, N] (or [N, K] with transB). `weightA` /
    /// `weightB` mark an operand as a weight: in bf16 its converted copy comes from the current
    /// `BF16WeightCache` (made once per scope) instead of being converted again.
    @inline(__always)
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                             weightA: Bool = false, weightB: Bool = false) {
        let context = ComputeContext.current
        timed(m: m, n: n, k: k, transA: transA, transB: transB) {
            if context.dtype == .bf16 {
                bf16gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                         b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: context.threads,
                         cache: BF16WeightCache.current, weightA: weightA, weightB: weightB)
            } else if !(weightB && floatProductWithPackedWeight(transA: transA, transB: transB, m: m, n: n, k: k,
                                                                 alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                                                                 beta: beta, c: c, ldc: ldc, threads: context.threads)) {
                sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                      b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: context.threads)
            }
        }
    }

    /// C[M,N] = bf16(alpha * bf16(op(A)) bf16(op(B)) + beta * C) in the bf16 dtype's semantics
    /// whatever the context's dtype, with either operand given as fp32 values or as bf16 bits an
    /// op wrote earlier; on the current context's threads, counted by the `GEMMTimer` like `sgemm`.
    /// With `bf16Output` C is written as bf16 bits instead (dense, row stride `n`; alpha 1,
    /// beta 0): the same bits as rounding the fp32 result, in one pass and half the bytes.
    public static func gemm(bf16TransA transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            a: BF16Operand, b: BF16Operand, alpha: Float = 1, beta: Float = 0,
                            c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(k > 0, "a bf16 product needs k > 0")
        timed(m: m, n: n, k: k, transA: transA, transB: transB) {
            bf16gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta,
                     c: c, ldc: ldc, threads: ComputeContext.current.threads, cache: BF16WeightCache.current)
        }
    }

    public static func gemm(bf16TransA transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            a: BF16Operand, b: BF16Operand, bf16Output c: UnsafeMutablePointer<UInt16>) {
        precondition(k > 0, "a bf16 product needs k > 0")
        timed(m: m, n: n, k: k, transA: transA, transB: transB) {
            bf16gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, b: b, bf16Output: c,
                     threads: ComputeContext.current.threads, cache: BF16WeightCache.current)
        }
    }

    /// The fp32 product with its weight B packed into oneDNN's preferred layout (once per open
    /// `BF16WeightCache` scope; see `packsWeights`): true when it ran.
    private static func floatProductWithPackedWeight(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                                                     threads: Int) -> Bool {
        #if canImport(CDNNL)
        let key = OneDNN.Key(m: m, n: n, k: k, transA: transA, transB: transB, lda: lda, ldb: ldb, ldc: ldc,
                             alpha: alpha, beta: beta, bf16: false)
        return productWithPackedWeight(key, a: a, weight: b, c: c, threads: threads, cache: BF16WeightCache.current)
        #else
        return false
        #endif
    }

    /// Runs one product, adding its time and operations to the current `GEMMTimer`, if any.
    @inline(__always)
    private static func timed(m: Int, n: Int, k: Int, transA: Bool, transB: Bool, _ product: () -> Void) {
        guard let timer = GEMMTimer.current else { product(); return }
        let start = DispatchTime.now().uptimeNanoseconds
        product()
        timer.add(DispatchTime.now().uptimeNanoseconds - start, m: m, n: n, k: k, transA: transA, transB: transB)
    }

    /// fp32 `sgemm` on `threads` threads whatever the context's dtype. With beta == 0 C is
    /// never read (it may hold NaN).
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        #if canImport(CDNNL)
        if OneDNN.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                        a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads) {
            return
        }
        // oneDNN refused the shape (it cannot happen for plain strided fp32 matrices; kept so a
        // failure computes the right numbers instead of none).
        referenceSgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                       a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        #elseif canImport(Accelerate)
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        #else
        referenceSgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                       a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        #endif
    }

    /// Plain loops with a float64 accumulator: the fallback and the tests' reference.
    static func referenceSgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                               a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                               beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var acc = 0.0
                for p in 0..<k {
                    acc += Double(transA ? a[p * lda + i] : a[i * lda + p]) * Double(transB ? b[j * ldb + p] : b[p * ldb + j])
                }
                let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * acc + old)
            }
        }
    }
}

/// The SwiGLU kernels a CPU can run: C with AVX-512 (16 lanes), C with AVX2 (8 lanes), or the
/// portable Swift SIMD kernels (the reference; the others are bit-identical to it).
public enum NativeKernels: String, Sendable, CaseIterable {
    case avx512, avx2, swift
}

extension Kernels {
    /// The kernels that run: the widest this CPU has (AVX-512F, else AVX2, else Swift), or a
    /// narrower set named by `TRM_KERNELS` (avx512, avx2, swift; to measure one against another).
    public static let native: NativeKernels = {
        let runnable = runnableNative
        if let name = ProcessInfo.processInfo.environment["TRM_KERNELS"], let wanted = NativeKernels(rawValue: name.lowercased()),
           runnable.contains(wanted) {
            return wanted
        }
        return runnable[0]
    }()

    /// Every kernel set this CPU can run, widest first (for tests comparing them bit for bit).
    public static var runnableNative: [NativeKernels] {
        if trm_avx512_available() != 0 { return [.avx512, .avx2, .swift] }
        if trm_avx2_available() != 0 { return [.avx2, .swift] }
        return [.swift]
    }
}

/// Splits `0..<count` into contiguous chunks run on up to `threads` workers.
/// `grain` is the smallest chunk worth a thread.
///
/// With oneDNN (Linux) the workers are OpenMP's, the same team its matrix products run on: a
/// team left spinning after a product would otherwise compete for the cores with a second pool
/// of workers (on 2 cores, profiled: the idle OpenMP thread spun through 15% of a bf16 training
/// step while Dispatch's worker ran the SwiGLU beside it). Elsewhere they are Dispatch's.
@inline(__always)
public func parallelChunks(_ count: Int, grain: Int = 1, threads: Int = ComputeContext.current.threads,
                           _ body: (Range<Int>) -> Void) {
    if count <= 0 { return }
    let workers = min(threads, max(1, count / max(grain, 1)))
    if workers <= 1 { body(0..<count); return }
    let chunk = (count + workers - 1) / workers
    // Inside a worker the work is serial (one thread), in the caller's dtype: task-local
    // values are not inherited by other threads, so the context is bound again there.
    let inner = ComputeContext(threads: 1, dtype: ComputeContext.current.dtype)
    withoutActuallyEscaping(body) { escapable in
        // Kernels hand raw pointers to disjoint row ranges: safe to share across workers.
        let work = UncheckedSendable(escapable)
        runWorkers(workers) { w in
            let lo = w * chunk
            let hi = min(count, lo + chunk)
            if lo < hi { ComputeContext.$current.withValue(inner) { work.value(lo..<hi) } }
        }
    }
}

/// Runs `body(w)` once for every w in 0..<workers, concurrently, and returns when all are done.
private func runWorkers(_ workers: Int, _ body: @Sendable (Int) -> Void) {
    #if canImport(CDNNL)
    // A team of `workers` OpenMP threads (fewer where OpenMP gives fewer: a nested region runs
    // on one), each taking the chunks w, w + team, ...: every chunk runs exactly once.
    withoutActuallyEscaping(body) { escapable in
        var job = TeamJob(workers: workers, body: escapable)
        withUnsafeMutablePointer(to: &job) { pointer in
            GOMP_parallel({ data in
                let job = data!.assumingMemoryBound(to: TeamJob.self).pointee
                let team = max(1, Int(omp_get_num_threads()))
                for w in stride(from: Int(omp_get_thread_num()), to: job.workers, by: team) { job.body(w) }
            }, UnsafeMutableRawPointer(pointer), UInt32(workers), 0)
        }
    }
    #else
    DispatchQueue.concurrentPerform(iterations: workers, execute: body)
    #endif
}

#if canImport(CDNNL)
/// What an OpenMP team's threads run: the worker count and the body.
private struct TeamJob {
    let workers: Int
    let body: @Sendable (Int) -> Void
}
#endif

/// Carries a value the compiler cannot prove Sendable into a concurrent region whose workers
/// touch disjoint memory.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
