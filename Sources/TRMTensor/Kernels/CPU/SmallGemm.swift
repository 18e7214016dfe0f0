// Small matrix products for the per-head work inside attention (sizes like 97 x 97 x 64), run
// single-threaded so heads can run on our workers without nesting oneDNN's own threads:
// oneDNN's matmul on Linux, Swift SIMD loops elsewhere (and the reference they are tested against).

extension Kernels {
    /// C[m, n] = alpha * A B + beta * C, where A's element (i, p) is a[i * aRow + p * aCol]
    /// (so A or A^T with any leading dimension) and B is row-major [k, n] with leading dim ldb.
    @inline(__always)
    static func smallGemm(m: Int, n: Int, k: Int, alpha: Float,
                          a: UnsafePointer<Float>, aRow: Int, aCol: Int,
                          b: UnsafePointer<Float>, ldb: Int, beta: Float,
                          c: UnsafeMutablePointer<Float>, ldc: Int) {
        #if canImport(CDNNL)
        // oneDNN on one thread (heads already run on our workers), in fp32: attention's inner
        // products keep fp32 in the bf16 dtype too (their inputs q, k, v are already bf16 values).
        if (aCol == 1 || aRow == 1) && m > 0 && n > 0 && k > 0 {
            let transA = aCol != 1  // element (i, p) at p * aCol + i: A stored [k, m]
            if OneDNN.sgemm(transA: transA, transB: false, m: m, n: n, k: k, alpha: alpha, a: a,
                            lda: transA ? aCol : aRow, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: 1) {
                return
            }
        }
        #endif
        let wide = n / 64 * 64
        var i = 0
        // Two rows of A at a time against 64 columns of B: eight accumulators, each loaded
        // vector of B used twice.
        while i + 2 <= m {
            let a0 = a + i * aRow, a1 = a + (i + 1) * aRow
            let c0r = c + i * ldc, c1r = c + (i + 1) * ldc
            var j = 0
            while j < wide {
                var x0 = F16x(), x1 = F16x(), x2 = F16x(), x3 = F16x()
                var y0 = F16x(), y1 = F16x(), y2 = F16x(), y3 = F16x()
                for p in 0..<k {
                    let bp = b + p * ldb + j
                    let b0 = bp.loadVector(0), b1 = bp.loadVector(16), b2 = bp.loadVector(32), b3 = bp.loadVector(48)
                    let u = F16x(repeating: a0[p * aCol]), w = F16x(repeating: a1[p * aCol])
                    x0 += u * b0; x1 += u * b1; x2 += u * b2; x3 += u * b3
                    y0 += w * b0; y1 += w * b1; y2 += w * b2; y3 += w * b3
                }
                store(x0, alpha, beta, c0r + j); store(x1, alpha, beta, c0r + j + 16)
                store(x2, alpha, beta, c0r + j + 32); store(x3, alpha, beta, c0r + j + 48)
                store(y0, alpha, beta, c1r + j); store(y1, alpha, beta, c1r + j + 16)
                store(y2, alpha, beta, c1r + j + 32); store(y3, alpha, beta, c1r + j + 48)
                j += 64
            }
            narrowColumns(from: j, i: i, n: n, k: k, alpha: alpha, a: a, aRow: aRow, aCol: aCol, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            narrowColumns(from: j, i: i + 1, n: n, k: k, alpha: alpha, a: a, aRow: aRow, aCol: aCol, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            i += 2
        }
        if i < m {
            narrowColumns(from: 0, i: i, n: n, k: k, alpha: alpha, a: a, aRow: aRow, aCol: aCol, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }

    /// Row i of C from column `start` on: 16 columns at a time, then one at a time.
    @inline(__always)
    private static func narrowColumns(from start: Int, i: Int, n: Int, k: Int, alpha: Float,
                                      a: UnsafePointer<Float>, aRow: Int, aCol: Int,
                                      b: UnsafePointer<Float>, ldb: Int, beta: Float,
                                      c: UnsafeMutablePointer<Float>, ldc: Int) {
        let ci = c + i * ldc, ai = a + i * aRow
        var j = start
        while j + 16 <= n {
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
