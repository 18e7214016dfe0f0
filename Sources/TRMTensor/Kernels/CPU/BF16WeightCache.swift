// bf16 copies of weights, made once per scope instead of on every product. In the bf16 compute
// dtype every matrix product rounds both operands to bf16; a weight does not change during one
// training step's forward and backward, nor during an inference rollout, yet a step used to convert
// each weight again in every cycle, every supervision step and in the backward pass.
//
// The contract: inside `BF16WeightCache.scope { }` the operands that ops mark as weights
// (`matmul(..., weightB: true)`, which `linear` and the token mixer use) keep their values. The
// trainer opens a scope around a step's forward and backward (the optimizer updates the weights
// after it closes); inference opens one around a rollout. Outside a scope nothing is cached.
import Foundation

public final class BF16WeightCache: @unchecked Sendable {
    /// The cache products consult in this task, if any.
    @TaskLocal public static var current: BF16WeightCache?

    private struct Key: Hashable {
        var address: UInt, rows: Int, cols: Int, ld: Int
    }

    private let lock = NSLock()
    private var entries: [Key: UnsafeMutablePointer<UInt16>] = [:]
    private var conversions = 0
    #if canImport(CDNNL)
    /// Weights packed into the layout a product's primitive prefers, by the bf16 copy's address and
    /// the product (nil: oneDNN could not pack for it; not retried).
    private struct PackedKey: Hashable { var address: UInt, product: OneDNN.Key }
    private var packedEntries: [PackedKey: OneDNN.PackedWeights?] = [:]
    #endif
    /// Where the copies come from and go back to (the next scope reuses them: no fresh pages).
    private let pool: BufferPool

    public init(pool: BufferPool = BufferPool.current) { self.pool = pool }

    deinit {
        for (key, bits) in entries { pool.releaseBF16(bits, count: key.rows * key.cols) }
    }

    /// Runs `body` with a fresh cache. The marked weights must not change while it runs. In fp32
    /// the cache holds only packed copies (oneDNN's preferred layout), so without packing (macOS,
    /// `TRM_PACKED_WEIGHTS=0`) fp32 opens no scope.
    public static func scope<R>(_ body: () throws -> R) rethrows -> R {
        guard ComputeContext.current.dtype == .bf16 || packsFloatWeights else { return try body() }
        return try $current.withValue(BF16WeightCache(), operation: body)
    }

    /// Whether fp32 products pack their weights (oneDNN with packing on).
    static var packsFloatWeights: Bool {
        #if canImport(CDNNL)
        return BLAS.packsWeights
        #else
        return false
        #endif
    }

    /// Weights converted so far (each once per scope).
    public var conversionCount: Int { lock.lock(); defer { lock.unlock() }; return conversions }

    /// Packed copies made so far (each weight once per product shape and scope).
    public var packedCount: Int {
        #if canImport(CDNNL)
        lock.lock(); defer { lock.unlock() }; return packedEntries.values.compactMap { $0 }.count
        #else
        return 0
        #endif
    }

    #if canImport(CDNNL)
    /// The weight at `weight` (as `product` describes B: fp32 values, or for bf16 products the bf16
    /// copy this cache made) packed for `product` (packedB set), on first use. Valid while the
    /// cache lives.
    func packed(_ weight: UnsafeRawPointer, for product: OneDNN.Key) -> OneDNN.PackedWeights? {
        let key = PackedKey(address: UInt(bitPattern: weight), product: product)
        lock.lock(); defer { lock.unlock() }
        if let found = packedEntries[key] { return found }
        let made = OneDNN.PackedWeights(key: product, b: weight)
        packedEntries[key] = made
        return made
    }
    #endif

    /// The bf16 bits of the `rows` x `cols` matrix at `src` (row stride `ld`), dense (stride
    /// `cols`), converted on first use. Valid while the cache lives.
    func bits(_ src: UnsafePointer<Float>, rows: Int, cols: Int, ld: Int) -> UnsafePointer<UInt16> {
        let key = Key(address: UInt(bitPattern: src), rows: rows, cols: cols, ld: ld)
        lock.lock(); defer { lock.unlock() }
        if let found = entries[key] { return UnsafePointer(found) }
        let bits = pool.acquireBF16(rows * cols)
        Kernels.convertToBF16(src, rows: rows, cols: cols, ld: ld, bits)
        entries[key] = bits
        conversions += 1
        return UnsafePointer(bits)
    }
}
