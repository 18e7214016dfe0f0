// GEMMTimer: wall time spent inside `BLAS.sgemm` (the linear layers' and token mixer's products,
// forward and backward, fp32 or bf16 with its conversions) and the floating-point operations they
// did (2 M N K each) while a body runs, for the split "GEMM vs the rest" of a training step and
// the rate the products ran at, in total and by shape. Attention's per-head products (Kernels.smallGemm) count
// as the rest, as do products made inside our own workers (`parallelChunks`).
import Foundation

public final class GEMMTimer: @unchecked Sendable {
    private let lock = NSLock()
    private var nanoseconds: UInt64 = 0
    private var count = 0
    private var operations: Double = 0
    private var perShape: [Shape: ShapeTotals] = [:]

    /// One product's shape as `BLAS.sgemm` was called: C[M,N] = op(A) op(B), op a transpose where
    /// `transA` / `transB` (row-major; x W^T of a linear layer is "NT").
    public struct Shape: Hashable, Sendable, Comparable {
        public var m: Int, n: Int, k: Int
        public var transA: Bool, transB: Bool
        public init(m: Int, n: Int, k: Int, transA: Bool, transB: Bool) {
            self.m = m; self.n = n; self.k = k; self.transA = transA; self.transB = transB
        }
        /// "NN", "NT", "TN" or "TT".
        public var op: String { (transA ? "T" : "N") + (transB ? "T" : "N") }
        public static func < (a: Shape, b: Shape) -> Bool {
            (a.op, a.m, a.n, a.k) < (b.op, b.m, b.n, b.k)
        }
    }

    /// What the products of one shape added up to.
    public struct ShapeTotals: Sendable, Equatable {
        public var calls = 0
        public var seconds = 0.0
        public var flops = 0.0
        /// Their rate, in GFLOP/s (0 when no time was measured).
        public var gflops: Double { seconds > 0 ? flops / seconds / 1e9 : 0 }
    }

    /// The timer `BLAS.sgemm` adds to in this task, if any.
    @TaskLocal public static var current: GEMMTimer?

    public init() {}

    /// Seconds inside sgemm so far.
    public var seconds: Double { lock.lock(); defer { lock.unlock() }; return Double(nanoseconds) / 1e9 }
    /// sgemm calls so far.
    public var calls: Int { lock.lock(); defer { lock.unlock() }; return count }
    /// Floating-point operations of those calls (2 M N K each: a multiply and an add per term).
    public var flops: Double { lock.lock(); defer { lock.unlock() }; return operations }

    /// The products so far by shape, the most time first.
    public var shapes: [(shape: Shape, totals: ShapeTotals)] {
        lock.lock(); defer { lock.unlock() }
        return perShape.map { ($0.key, $0.value) }.sorted { $0.1.seconds != $1.1.seconds ? $0.1.seconds > $1.1.seconds : $0.0 < $1.0 }
    }

    func add(_ ns: UInt64, m: Int, n: Int, k: Int, transA: Bool, transB: Bool) {
        let flops = 2 * Double(m) * Double(n) * Double(k)
        lock.lock()
        nanoseconds &+= ns; count += 1; operations += flops
        let shape = Shape(m: m, n: n, k: k, transA: transA, transB: transB)
        var totals = perShape[shape] ?? ShapeTotals()
        totals.calls += 1; totals.seconds += Double(ns) / 1e9; totals.flops += flops
        perShape[shape] = totals
        lock.unlock()
    }

    /// What `measure` saw: the body's wall seconds, the seconds spent in sgemm meanwhile and the
    /// operations sgemm did.
    public struct Split: Sendable {
        public var totalSeconds: Double
        public var gemmSeconds: Double
        public var gemmFlops: Double
        /// The products by shape, the most time first (`GEMMTimer.shapes`).
        public var shapes: [(shape: Shape, totals: ShapeTotals)] = []
        /// The share of wall time inside the products.
        public var gemmFraction: Double { totalSeconds > 0 ? gemmSeconds / totalSeconds : 0 }
        /// The products' own rate, in GFLOP/s (0 when none ran).
        public var gemmGFLOPS: Double { gemmSeconds > 0 ? gemmFlops / gemmSeconds / 1e9 : 0 }
    }

    /// Runs `body` and returns its wall seconds, the seconds spent in sgemm meanwhile and their
    /// operations.
    public static func measure(_ body: () throws -> Void) rethrows -> Split {
        let timer = GEMMTimer()
        let start = DispatchTime.now().uptimeNanoseconds
        try $current.withValue(timer, operation: body)
        return Split(totalSeconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
                     gemmSeconds: timer.seconds, gemmFlops: timer.flops, shapes: timer.shapes)
    }
}
