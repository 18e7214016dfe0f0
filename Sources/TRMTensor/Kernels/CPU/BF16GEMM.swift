// Matrix products in the bf16 compute dtype, with the reference's semantics (PyTorch's
// `F.linear` on bf16 tensors): A and B rounded to bf16, products accumulated in fp32, the result
// rounded to bf16 (kept in an fp32 buffer). oneDNN runs it on AVX512-BF16 or AMX; elsewhere the
// same numbers come from the fp32 sgemm on the rounded inputs (a product of two bf16 values is
// exact in fp32), only slower.
#if canImport(CDNNL)
import CDNNL
#endif

extension BLAS {
    /// C[M,N] = bf16(alpha * bf16(op(A)) bf16(op(B)) + beta * C), row-major; arguments as `sgemm`.
    /// An operand marked as a weight is taken from `cache` (converted once per cache) when given.
    static func bf16gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int,
                         cache: BF16WeightCache? = nil, weightA: Bool = false, weightB: Bool = false) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                  b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
            return
        }
        // The stored matrices: A is [M,K] (or [K,M] transposed), B is [K,N] (or [N,K]).
        let (aRows, aCols) = transA ? (k, m) : (m, k)
        let (bRows, bCols) = transB ? (n, k) : (k, n)
        // Each operand: the weight cache's copy, or converted here into a buffer freed at the end.
        func converted(_ x: UnsafePointer<Float>, rows: Int, cols: Int, ld: Int) -> UnsafeMutablePointer<UInt16> {
            let bits = UnsafeMutablePointer<UInt16>.allocate(capacity: rows * cols)
            Kernels.convertToBF16(x, rows: rows, cols: cols, ld: ld, bits)
            return bits
        }
        let ownA = weightA && cache != nil ? nil : converted(a, rows: aRows, cols: aCols, ld: lda)
        let ownB = weightB && cache != nil ? nil : converted(b, rows: bRows, cols: bCols, ld: ldb)
        defer { ownA?.deallocate(); ownB?.deallocate() }
        let a16 = ownA.map { UnsafePointer($0) } ?? cache!.bits(a, rows: aRows, cols: aCols, ld: lda)
        let b16 = ownB.map { UnsafePointer($0) } ?? cache!.bits(b, rows: bRows, cols: bCols, ld: ldb)
        var done = false
        #if canImport(CDNNL)
        done = OneDNN.gemmBF16(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                               a: a16, lda: aCols, b: b16, ldb: bCols, beta: beta, c: c, ldc: ldc,
                               threads: threads)
        #endif
        if !done {
            let aw = UnsafeMutablePointer<Float>.allocate(capacity: aRows * aCols)
            let bw = UnsafeMutablePointer<Float>.allocate(capacity: bRows * bCols)
            defer { aw.deallocate(); bw.deallocate() }
            for i in 0..<(aRows * aCols) { aw[i] = Kernels.float(bf16: a16[i]) }
            for i in 0..<(bRows * bCols) { bw[i] = Kernels.float(bf16: b16[i]) }
            sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: aw, lda: aCols,
                  b: bw, ldb: bCols, beta: beta, c: c, ldc: ldc, threads: threads)
        }
        if ldc == n {
            Kernels.roundThroughBF16(c, c, count: m * n)
        } else {
            for i in 0..<m { Kernels.roundThroughBF16(c + i * ldc, c + i * ldc, count: n) }
        }
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
