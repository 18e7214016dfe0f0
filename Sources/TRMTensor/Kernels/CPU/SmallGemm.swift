// Small matrix products for the per-head work inside attention (sizes like 97 x 97 x 64), in
// Swift SIMD so heads can run on Dispatch workers without nesting BLAS's own threads.

extension Kernels {
    /// C[m, n] = alpha * A B + beta * C, where A's element (i, p) is a[i * aRow + p * aCol]
    /// (so A or A^T with any leading dimension) and B is row-major [k, n] with leading dim ldb.
    @inline(__always)
    static func smallGemm(m: Int, n: Int, k: Int, alpha: Float,
                          a: UnsafePointer<Float>, aRow: Int, aCol: Int,
                          b: UnsafePointer<Float>, ldb: Int, beta: Float,
                          c: UnsafeMutablePointer<Float>, ldc: Int) {
        let vectors = n / 16
        for i in 0..<m {
            let ci = c + i * ldc
            let ai = a + i * aRow
            var j = 0
            // Four 16-wide accumulators at a time keep the broadcast of a[i, p] in a register.
            while j + 64 <= vectors * 16 {
                var c0 = F16x(), c1 = F16x(), c2 = F16x(), c3 = F16x()
                for p in 0..<k {
                    let av = F16x(repeating: ai[p * aCol])
                    let bp = b + p * ldb + j
                    c0 += av * bp.loadVector(0); c1 += av * bp.loadVector(16)
                    c2 += av * bp.loadVector(32); c3 += av * bp.loadVector(48)
                }
                store(c0, alpha, beta, ci + j); store(c1, alpha, beta, ci + j + 16)
                store(c2, alpha, beta, ci + j + 32); store(c3, alpha, beta, ci + j + 48)
                j += 64
            }
            while j + 16 <= vectors * 16 {
                var c0 = F16x()
                for p in 0..<k { c0 += F16x(repeating: ai[p * aCol]) * (b + p * ldb + j).loadVector(0) }
                store(c0, alpha, beta, ci + j)
                j += 16
            }
            while j < n {
                var acc: Float = 0
                for p in 0..<k { acc += ai[p * aCol] * b[p * ldb + j] }
                ci[j] = beta == 0 ? alpha * acc : alpha * acc + beta * ci[j]
                j += 1
            }
        }
    }

    @inline(__always)
    private static func store(_ v: F16x, _ alpha: Float, _ beta: Float, _ dst: UnsafeMutablePointer<Float>) {
        if beta == 0 { dst.storeVector(v * alpha, 0) } else { dst.storeVector(v * alpha + dst.loadVector(0) * beta, 0) }
    }

    /// dst[d, L] = src[L, d]^T (src rows with stride lds).
    @inline(__always)
    static func transposeInto(_ src: UnsafePointer<Float>, rows: Int, cols: Int, lds: Int, _ dst: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { for c in 0..<cols { dst[c * rows + r] = src[r * lds + c] } }
    }
}
