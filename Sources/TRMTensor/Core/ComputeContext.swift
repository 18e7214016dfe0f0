// ComputeContext: how many threads kernels and BLAS may use. It travels as a task-local value;
// `TRM_THREADS` sets the default.
import Foundation
#if canImport(CBLAS)
import CBLAS
#elseif canImport(Accelerate)
import Accelerate
#endif
import CTRMKernels

public struct ComputeContext: Sendable {
    /// Worker threads for row-parallel kernels and the native sgemm (OpenBLAS's own threads are
    /// a process-wide setting: `BLAS.setThreads`).
    public var threads: Int
    /// Which sgemm runs matrix products: `BLAS.defaultBackend` unless set.
    public var gemm: GEMMBackend

    public init(threads: Int, gemm: GEMMBackend = BLAS.defaultBackend) {
        self.threads = max(1, threads)
        self.gemm = gemm
    }

    /// `TRM_THREADS` when set to a positive integer, else the number of active cores.
    public static var defaultThreads: Int {
        if let s = ProcessInfo.processInfo.environment["TRM_THREADS"], let n = Int(s), n > 0 { return n }
        return ProcessInfo.processInfo.activeProcessorCount
    }

    @TaskLocal public static var current = ComputeContext(threads: ComputeContext.defaultThreads)

    /// Runs `body` with `threads` worker threads for the Dispatch kernels and the native sgemm.
    /// BLAS threads are a process-wide setting (`BLAS.setThreads`), set once by the command
    /// line: changing them while another thread is inside sgemm is not safe.
    public static func withThreads<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
        try $current.withValue(ComputeContext(threads: threads, gemm: current.gemm), operation: body)
    }

    /// Runs `body` with matrix products on `backend` (`.native` falls back to the system BLAS
    /// where the CPU has no AVX-512).
    public static func withGEMM<R>(_ backend: GEMMBackend, _ body: () throws -> R) rethrows -> R {
        try $current.withValue(ComputeContext(threads: current.threads, gemm: backend), operation: body)
    }
}

/// Which sgemm runs the matrix products.
public enum GEMMBackend: String, Sendable, CaseIterable {
    /// swift-trm's own packed sgemm with an AVX-512 micro-kernel (CTRMKernels), threaded over
    /// `ComputeContext.current.threads`. Only on x86_64 CPUs with AVX-512F.
    case native
    /// The system BLAS: OpenBLAS on Linux, Accelerate on macOS; threads per `BLAS.setThreads`.
    case system
}

/// Single-precision GEMM: our own AVX-512 kernel where the CPU has it, the system BLAS
/// (OpenBLAS on Linux, Accelerate on macOS) otherwise.
public enum BLAS {
    /// True when this CPU can run the native AVX-512 sgemm.
    public static let nativeAvailable: Bool = trm_gemm_avx512_available() != 0

    /// The backend a `ComputeContext` starts with: `TRM_GEMM=native|system` chooses, else native
    /// where available. (On an AMD Zen 5 core the native kernel runs at about 215 GFLOP/s against
    /// OpenBLAS's 125: Debian's OpenBLAS runs AVX2 kernels there.)
    public static let defaultBackend: GEMMBackend = {
        let requested = ProcessInfo.processInfo.environment["TRM_GEMM"].flatMap(GEMMBackend.init(rawValue:))
        if requested == .system || !nativeAvailable { return .system }
        return .native
    }()

    /// Sets the system BLAS thread count for the whole process. Call it before any work starts,
    /// from one thread (the command line does, from --threads / TRM_THREADS). The native sgemm
    /// takes its threads from `ComputeContext.current` on every call instead.
    public static func setThreads(_ n: Int) {
        #if canImport(CBLAS)
        openblas_set_num_threads(Int32(n))
        #endif
    }

    /// The backend matrix products use here: the current context's, native only where available.
    public static var backend: GEMMBackend {
        ComputeContext.current.gemm == .native && nativeAvailable ? .native : .system
    }

    /// C[M,N] = alpha * op(A) * op(B) + beta * C, row-major, on the current context's backend
    /// and threads. a: [M, K] (or [K, M] with transA), b: [K, N] (or [N, K] with transB).
    @inline(__always)
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let context = ComputeContext.current
        sgemm(on: context.gemm, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
              a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: context.threads)
    }

    /// `sgemm` on a chosen backend (tests and benchmarks compare the two). `.native` on a CPU
    /// without AVX-512 falls back to the system BLAS.
    public static func sgemm(on backend: GEMMBackend, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                             threads: Int = ComputeContext.current.threads) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        if backend == .native && nativeAvailable {
            nativeSgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                        a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
            return
        }
        #if canImport(CBLAS) || canImport(Accelerate)
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        #endif
    }

    /// Splits C into row or column bands, one per worker, aligned to the micro-kernel's tile.
    /// Each worker packs its own copy of the operand it shares with the others, so the split
    /// runs along the longer of M and N: splitting M repeats B's packing (K x N), splitting N
    /// repeats A's (M x K).
    private static func nativeSgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        let splitRows = m >= n
        let tile = Int(splitRows ? trm_gemm_tile_rows() : trm_gemm_tile_cols())
        let tiles = ((splitRows ? m : n) + tile - 1) / tile
        // Below ~2^20 multiply-adds per worker a thread costs more than it saves.
        let workers = min(threads, tiles, max(1, (m * n * k) >> 20))
        if workers <= 1 {
            trm_sgemm_avx512(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        let band = (tiles + workers - 1) / workers * tile
        let pointers = UncheckedSendable((a, b, c))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let (a, b, c) = pointers.value
            let lo = w * band, hi = min(splitRows ? m : n, lo + band)
            guard lo < hi else { return }
            if splitRows {
                trm_sgemm_avx512(transA ? 1 : 0, transB ? 1 : 0, hi - lo, n, k, alpha,
                                 transA ? a + lo : a + lo * lda, lda, b, ldb, beta, c + lo * ldc, ldc)
            } else {
                trm_sgemm_avx512(transA ? 1 : 0, transB ? 1 : 0, m, hi - lo, k, alpha,
                                 a, lda, transB ? b + lo * ldb : b + lo, ldb, beta, c + lo, ldc)
            }
        }
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
    // Inside a worker the work is serial (one thread), on the caller's GEMM backend: task-local
    // values are not inherited by Dispatch's threads, so the context is bound again there.
    let inner = ComputeContext(threads: 1, gemm: ComputeContext.current.gemm)
    withoutActuallyEscaping(body) { escapable in
        // Kernels hand raw pointers to disjoint row ranges: safe to share across workers.
        let work = UncheckedSendable(escapable)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = w * chunk
            let hi = min(count, lo + chunk)
            if lo < hi { ComputeContext.$current.withValue(inner) { work.value(lo..<hi) } }
        }
    }
}

/// Carries a value the compiler cannot prove Sendable into a concurrent region whose workers
/// touch disjoint memory.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
