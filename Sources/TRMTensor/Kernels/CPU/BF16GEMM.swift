// Matrix products in the bf16 compute dtype, with the reference's semantics (PyTorch's
// `F.linear` on bf16 tensors): A and B rounded to bf16, products accumulated in fp32, the result
// rounded to bf16 (kept in an fp32 buffer). oneDNN runs it on AVX512-BF16 or AMX; elsewhere the
// same numbers come from the fp32 sgemm on the rounded inputs (a product of two bf16 values is
// exact in fp32), only slower.
#if canImport(CDNNL)
import CDNNL
#endif
import Foundation

/// One operand of a bf16 product: fp32 values (converted to bf16 for the product; a weight's copy
/// comes from the current `BF16WeightCache`), or bf16 bits made earlier (dense: row stride = the
/// stored matrix's column count), e.g. an activation an op already wrote in bf16.
public enum BF16Operand {
    case float(UnsafePointer<Float>, ld: Int, weight: Bool = false)
    case bits(UnsafePointer<UInt16>)
}

extension BLAS {
    /// The bf16 bits of op(A)'s and op(B)'s stored matrices for `body` (dense: row stride = the
    /// stored column count): bits given stay as they are, a weight comes from `cache` (converted
    /// once per cache) when given, anything else is converted into a pool buffer given back
    /// afterwards (the pool reuses it for the next product of this size: no fresh pages per call).
    private static func withBF16Operands<R>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                           a: BF16Operand, b: BF16Operand, cache: BF16WeightCache?,
                                           _ body: (_ a16: UnsafePointer<UInt16>, _ aCols: Int,
                                                    _ b16: UnsafePointer<UInt16>, _ bCols: Int) -> R) -> R {
        // The stored matrices: A is [M,K] (or [K,M] transposed), B is [K,N] (or [N,K]).
        let (aRows, aCols) = transA ? (k, m) : (m, k)
        let (bRows, bCols) = transB ? (n, k) : (k, n)
        let pool = BufferPool.current
        var owned: [(UnsafeMutablePointer<UInt16>, Int)] = []
        defer { for (bits, count) in owned { pool.releaseBF16(bits, count: count) } }
        func bits(_ x: BF16Operand, rows: Int, cols: Int) -> UnsafePointer<UInt16> {
            switch x {
            case .bits(let given):
                return given
            case .float(let values, let ld, let weight):
                if weight, let cache { return cache.bits(values, rows: rows, cols: cols, ld: ld) }
                let converted = pool.acquireBF16(rows * cols)
                Kernels.convertToBF16(values, rows: rows, cols: cols, ld: ld, converted)
                owned.append((converted, rows * cols))
                return UnsafePointer(converted)
            }
        }
        let a16 = bits(a, rows: aRows, cols: aCols), b16 = bits(b, rows: bRows, cols: bCols)
        return body(a16, aCols, b16, bCols)
    }

    /// C[M,N] = bf16(alpha * bf16(op(A)) bf16(op(B)) + beta * C), row-major; arguments as `sgemm`.
    /// An operand marked as a weight is taken from `cache` (converted once per cache) when given.
    static func bf16gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int,
                         cache: BF16WeightCache? = nil, weightA: Bool = false, weightB: Bool = false) {
        if k == 0 {
            if m > 0 && n > 0 {
                sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                      b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
            }
            return
        }
        bf16gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: .float(a, ld: lda, weight: weightA),
                 b: .float(b, ld: ldb, weight: weightB), beta: beta, c: c, ldc: ldc, threads: threads, cache: cache)
    }

    /// As above with each operand given as fp32 values or as bf16 bits (k > 0).
    static func bf16gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                         a: BF16Operand, b: BF16Operand, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                         threads: Int, cache: BF16WeightCache?) {
        if m == 0 || n == 0 { return }
        withBF16Operands(transA: transA, transB: transB, m: m, n: n, k: k, a: a, b: b, cache: cache) { a16, aCols, b16, bCols in
            var done = false
            #if canImport(CDNNL)
            let key = OneDNN.Key(m: m, n: n, k: k, transA: transA, transB: transB, lda: aCols, ldb: bCols, ldc: ldc,
                                 alpha: alpha, beta: beta, bf16: true)
            done = productWithPackedWeight(key, a16: a16, b: b, b16: b16, c: c, threads: threads, cache: cache)
                || OneDNN.gemmBF16(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                   a: a16, lda: aCols, b: b16, ldb: bCols, beta: beta, c: c, ldc: ldc,
                                   threads: threads)
            #endif
            if !done {
                widenedSgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a16: a16, aCols: aCols,
                             b16: b16, bCols: bCols, beta: beta, c: c, ldc: ldc, threads: threads)
            }
        }
        if ldc == n {
            Kernels.roundThroughBF16(c, c, count: m * n)
        } else {
            for i in 0..<m { Kernels.roundThroughBF16(c + i * ldc, c + i * ldc, count: n) }
        }
    }

    /// C[M,N] = bf16(bf16(op(A)) bf16(op(B))) written as bf16 bits (dense, row stride `n`): the
    /// same bits as `bf16gemm` with alpha 1 and beta 0 followed by a conversion, in one pass
    /// (oneDNN rounds as it stores) and half the bytes. k > 0.
    static func bf16gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: BF16Operand, b: BF16Operand,
                         bf16Output c: UnsafeMutablePointer<UInt16>, threads: Int, cache: BF16WeightCache?) {
        if m == 0 || n == 0 { return }
        var done = false
        #if canImport(CDNNL)
        done = withBF16Operands(transA: transA, transB: transB, m: m, n: n, k: k, a: a, b: b, cache: cache) { a16, aCols, b16, bCols in
            let key = OneDNN.Key(m: m, n: n, k: k, transA: transA, transB: transB, lda: aCols, ldb: bCols, ldc: n,
                                 alpha: 1, beta: 0, bf16: true, bf16Output: true)
            return productWithPackedWeight(key, a16: a16, b: b, b16: b16, c: c, threads: threads, cache: cache)
                || OneDNN.gemmBF16(transA: transA, transB: transB, m: m, n: n, k: k, a: a16, lda: aCols, b: b16,
                                   ldb: bCols, bf16Output: c, ldc: n, threads: threads)
        }
        #endif
        if done { return }
        // No bf16-output primitive here: the fp32-output path, then its (already rounded) values as bits.
        let wide = BufferPool.current.acquire(m * n)
        defer { BufferPool.current.release(wide, count: m * n) }
        bf16gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, b: b, beta: 0, c: wide, ldc: n,
                 threads: threads, cache: cache)
        Kernels.convertToBF16(wide, c, count: m * n)
    }

    #if canImport(CDNNL)
    /// Whether products (bf16 and fp32) may take their weight operand packed into oneDNN's
    /// preferred layout (once per `BF16WeightCache` scope) instead of as stored, and which do
    /// (`packsWeight(rows:)`): by default those where it was measured to pay
    /// (`OneDNN.packingPays(rows:)`); `TRM_PACKED_WEIGHTS=0` packs none, `=1` every one (to
    /// measure it; `trm bench kernels` times both layouts per shape). Measured on an AMD Zen 4
    /// core, 1 thread, TRM's shapes: products 1.03-1.10x faster packed in bf16, 0.99-1.09x in fp32;
    /// bf16 inference steps about 10% faster.
    static let packsWeights = ProcessInfo.processInfo.environment["TRM_PACKED_WEIGHTS"] != "0"
    static let packsEveryWeight = ProcessInfo.processInfo.environment["TRM_PACKED_WEIGHTS"] == "1"

    /// Whether a product of `rows` rows (M) takes its weight packed.
    static func packsWeight(rows: Int) -> Bool {
        packsWeights && (packsEveryWeight || OneDNN.packingPays(rows: rows))
    }

    /// The product `key` (B as stored: fp32 values, or the cache's bf16 copy for a bf16 key) run
    /// with B packed into oneDNN's preferred layout, when packing is on, A is not transposed and a
    /// cache is open: true when it ran. The packed copy is made on first use (a reorder: the same
    /// values, another layout). Callers pass only weights (operands constant in the scope).
    static func productWithPackedWeight(_ key: OneDNN.Key, a: UnsafeRawPointer, weight: UnsafeRawPointer,
                                        c: UnsafeMutableRawPointer, threads: Int, cache: BF16WeightCache?) -> Bool {
        guard packsWeight(rows: key.m), !key.transA, key.m > 0, key.n > 0, key.k > 0, let cache else { return false }
        var packedKey = key
        packedKey.packedB = true
        guard let packed = cache.packed(weight, for: packedKey) else { return false }
        return packed.multiply(a: a, c: c, threads: threads)
    }

    /// `productWithPackedWeight` for a bf16 product whose B operand is `b` (bits `b16`): only a weight.
    private static func productWithPackedWeight(_ key: OneDNN.Key, a16: UnsafePointer<UInt16>, b: BF16Operand,
                                                b16: UnsafePointer<UInt16>, c: UnsafeMutableRawPointer,
                                                threads: Int, cache: BF16WeightCache?) -> Bool {
        guard case .float(_, _, true) = b else { return false }
        return productWithPackedWeight(key, a: a16, weight: b16, c: c, threads: threads, cache: cache)
    }
    #endif

    /// The fallback where oneDNN has no bf16 matmul: the bf16 operands widened to fp32 (exact) and
    /// multiplied by `sgemm` (a product of two bf16 values is exact in fp32).
    private static func widenedSgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                     a16: UnsafePointer<UInt16>, aCols: Int, b16: UnsafePointer<UInt16>, bCols: Int,
                                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        let aCount = (transA ? k : m) * aCols, bCount = (transB ? n : k) * bCols
        let aw = UnsafeMutablePointer<Float>.allocate(capacity: aCount)
        let bw = UnsafeMutablePointer<Float>.allocate(capacity: bCount)
        defer { aw.deallocate(); bw.deallocate() }
        Kernels.widen(bf16: a16, aw, count: aCount)
        Kernels.widen(bf16: b16, bw, count: bCount)
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: aw, lda: aCols,
              b: bw, ldb: bCols, beta: beta, c: c, ldc: ldc, threads: threads)
    }
}

extension BLAS {
    /// C[M,N] = alpha * op(A) op(B) + beta * C with A and B given in bf16 (fp32 accumulation and
    /// output, no rounding of C): the bare bf16 matmul, for benchmarks. False where no bf16
    /// matmul exists here (oneDNN on AVX2, or macOS).
    public static func gemm(bf16TransA transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            a: UnsafePointer<UInt16>, lda: Int, b: UnsafePointer<UInt16>, ldb: Int,
                            c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) -> Bool {
        #if canImport(CDNNL)
        return OneDNN.gemmBF16(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, lda: lda,
                               b: b, ldb: ldb, beta: 0, c: c, ldc: ldc, threads: threads)
        #else
        return false
        #endif
    }

    /// The kernel oneDNN picks for x W^T with x [M,K], W [N,K] in this dtype (e.g. "brg:avx512_core"),
    /// nil where none can be created ("accelerate" on macOS).
    public static func kernelName(m: Int, n: Int, k: Int, dtype: ComputeDType) -> String? {
        #if canImport(CDNNL)
        return OneDNN.implementation(m: m, n: n, k: k, bf16: dtype == .bf16)
        #else
        return dtype == .fp32 ? "accelerate" : nil
        #endif
    }

    /// bf16 bits of `count` floats (round to nearest even), for callers that prepare bf16 operands.
    public static func convertToBF16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, count: Int) {
        Kernels.convertToBF16(src, dst, count: count)
    }
}

/// A weight W [N, K] of x W^T products with M rows, reordered once into the layout oneDNN's
/// matmul prefers for that shape and dtype (its blocked formats), for `trm bench kernels` to
/// measure against the plain layout every product in training and inference uses. Measured on an
/// AMD Zen 4 core (AVX512-BF16, no AMX), 1 thread, TRM's shapes: packed/plain 0.98-1.06x in bf16,
/// 0.98-1.05x in fp32, run to run noise; so the products keep W as it is. The benchmark line tells
/// another CPU (AMX) whether that holds there.
public final class PackedWeightMatrix: @unchecked Sendable {
    public let m: Int, n: Int, k: Int
    public let dtype: ComputeDType
    #if canImport(CDNNL)
    let packed: OneDNN.PackedWeights
    #endif

    /// W: [N, K] row-major, fp32 values, or bf16 bits with dtype .bf16. Nil where oneDNN cannot
    /// make the primitive (no bf16 matmul on this CPU; macOS).
    public init?(m: Int, n: Int, k: Int, weight: UnsafeRawPointer, dtype: ComputeDType) {
        (self.m, self.n, self.k, self.dtype) = (m, n, k, dtype)
        #if canImport(CDNNL)
        guard let p = OneDNN.PackedWeights(m: m, n: n, k: k, transB: true, b: weight, ldb: k, bf16: dtype == .bf16)
        else { return nil }
        packed = p
        #else
        return nil
        #endif
    }

    /// Bytes of the packed copy (blocked layouts may pad).
    public var bytes: Int {
        #if canImport(CDNNL)
        return packed.bytes
        #else
        return 0
        #endif
    }

    /// Whether oneDNN chose a layout other than the plain one.
    public var isBlocked: Bool {
        #if canImport(CDNNL)
        return packed.isBlocked
        #else
        return false
        #endif
    }

    /// C [M, N] (fp32, dense) = x W^T for x [M, K] (dense; fp32, or bf16 bits with dtype .bf16), on
    /// `threads` threads. False where oneDNN refuses.
    public func multiply(_ x: UnsafeRawPointer, into c: UnsafeMutablePointer<Float>, threads: Int) -> Bool {
        #if canImport(CDNNL)
        return packed.multiply(a: x, c: c, threads: threads)
        #else
        return false
        #endif
    }
}
