// GEMMTimer: wall time spent inside `BLAS.sgemm` (the linear layers' and token mixer's products,
// forward and backward, fp32 or bf16 with its conversions) while a body runs, for the split
// "GEMM vs the rest" of a training step. Attention's per-head products (Kernels.smallGemm) count
// as the rest, as do products made inside our own Dispatch workers.
import Foundation

public final class GEMMTimer: @unchecked Sendable {
    private let lock = NSLock()
    private var nanoseconds: UInt64 = 0
    private var count = 0

    /// The timer `BLAS.sgemm` adds to in this task, if any.
    @TaskLocal public static var current: GEMMTimer?

    public init() {}

    /// Seconds inside sgemm so far.
    public var seconds: Double { lock.lock(); defer { lock.unlock() }; return Double(nanoseconds) / 1e9 }
    /// sgemm calls so far.
    public var calls: Int { lock.lock(); defer { lock.unlock() }; return count }

    func add(_ ns: UInt64) {
        lock.lock(); nanoseconds &+= ns; count += 1; lock.unlock()
    }

    /// Runs `body` and returns its wall seconds and the seconds spent in sgemm meanwhile.
    public static func measure(_ body: () throws -> Void) rethrows -> (totalSeconds: Double, gemmSeconds: Double) {
        let timer = GEMMTimer()
        let start = DispatchTime.now().uptimeNanoseconds
        try $current.withValue(timer, operation: body)
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, timer.seconds)
    }
}
