// ComputeContext: how many threads kernels and BLAS may use. It travels as a task-local value;
// `TRM_THREADS` sets the default.
import Foundation
#if canImport(CBLAS)
import CBLAS
#elseif canImport(Accelerate)
import Accelerate
#endif

public struct ComputeContext: Sendable {
    /// Worker threads for row-parallel kernels and BLAS.
    public var threads: Int

    public init(threads: Int) { self.threads = max(1, threads) }

    /// `TRM_THREADS` when set to a positive integer, else the number of active cores.
    public static var defaultThreads: Int {
        if let s = ProcessInfo.processInfo.environment["TRM_THREADS"], let n = Int(s), n > 0 { return n }
        return ProcessInfo.processInfo.activeProcessorCount
    }

    @TaskLocal public static var current = ComputeContext(threads: ComputeContext.defaultThreads)

    /// Runs `body` with `threads` worker threads for the Dispatch kernels. BLAS threads are a
    /// process-wide setting (`BLAS.setThreads`), set once by the command line: changing them
    /// while another thread is inside sgemm is not safe.
    public static func withThreads<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
        try $current.withValue(ComputeContext(threads: threads), operation: body)
    }
}

/// Thin wrapper over the system BLAS (OpenBLAS on Linux, Accelerate on macOS).
public enum BLAS {
    /// Sets the BLAS thread count for the whole process. Call it before any work starts, from
    /// one thread (the command line does, from --threads / TRM_THREADS).
    public static func setThreads(_ n: Int) {
        #if canImport(CBLAS)
        openblas_set_num_threads(Int32(n))
        #endif
    }

    /// C[M,N] = alpha * op(A) * op(B) + beta * C, row-major.
    @inline(__always)
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// Splits `0..<count` into contiguous chunks run on up to `threads` workers.
/// `grain` is the smallest chunk worth a thread.
@inline(__always)
public func parallelChunks(_ count: Int, grain: Int = 1, threads: Int = ComputeContext.current.threads,
                           _ body: (Range<Int>) -> Void) {
    if count <= 0 { return }
    let workers = min(threads, max(1, count / max(grain, 1)))
    if workers <= 1 { body(0..<count); return }
    let chunk = (count + workers - 1) / workers
    withoutActuallyEscaping(body) { escapable in
        // Kernels hand raw pointers to disjoint row ranges: safe to share across workers.
        let work = UncheckedSendable(escapable)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = w * chunk
            let hi = min(count, lo + chunk)
            if lo < hi { work.value(lo..<hi) }
        }
    }
}

/// Carries a value the compiler cannot prove Sendable into a concurrent region whose workers
/// touch disjoint memory.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
