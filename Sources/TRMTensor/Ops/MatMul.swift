// Matrix multiplication on cblas_sgemm, with transposes and batch axes, forward and backward.

/// op(a) @ op(b). a: [..., M, K] (or [..., K, M] with transposeA); b: [K, N] (or [N, K] with
/// transposeB), either shared by every batch entry or with the same leading batch axes as a.
/// -> [..., M, N]
/// `weightB`: b is a weight, constant while a `BF16WeightCache` scope is open (in bf16 its
/// converted copy is made once per scope instead of on every product).
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
                   weightB: Bool = false) throws -> Tensor {
    guard a.rank >= 2, b.rank >= 2 else {
        throw TensorError.invalidShape(op: "matmul", shape: a.rank < 2 ? a.shape : b.shape, reason: "needs rank >= 2")
    }
    let batchShape = Array(a.shape.dropLast(2))
    let sharedB = b.rank == 2
    if !sharedB && Array(b.shape.dropLast(2)) != batchShape {
        throw TensorError.shapeMismatch(op: "matmul (batch axes)", lhs: a.shape, rhs: b.shape)
    }
    let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
    let (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
    let m = transposeA ? ac : ar, k = transposeA ? ar : ac
    let kb = transposeB ? bc : br, n = transposeB ? br : bc
    guard k == kb else { throw TensorError.shapeMismatch(op: "matmul (inner axes)", lhs: a.shape, rhs: b.shape) }
    let batch = elementCount(batchShape)
    let out = Tensor(uninitialized: batchShape + [m, n])
    MatMulKernel.forward(a.data, b.data, out.data, batch: batch, m: m, n: n, k: k,
                         transposeA: transposeA, transposeB: transposeB, sharedB: sharedB, weightB: weightB)
    Tape.record(out, inputs: [a, b]) { g in
        let ga = Tensor(uninitialized: a.shape), gb = Tensor(uninitialized: b.shape)
        MatMulKernel.backward(a.data, b.data, g.data, ga.data, gb.data, batch: batch, m: m, n: n, k: k,
                              transposeA: transposeA, transposeB: transposeB, sharedB: sharedB, weightB: weightB)
        return [ga, gb]
    }
    return out
}

/// A fully connected layer without bias: x @ W^T. x: [..., in], weight: [out, in] -> [..., out]
public func linear(_ x: Tensor, weight: Tensor) throws -> Tensor {
    try matmul(x, weight, transposeB: true, weightB: true)
}

/// Raw sgemm loops for batched matmul and its gradients.
enum MatMulKernel {
    static func forward(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                        batch: Int, m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, sharedB: Bool,
                        weightB: Bool = false) {
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        if sharedB && !transposeA {
            // Fold the batch into M: one large sgemm.
            BLAS.sgemm(transA: false, transB: transposeB, m: batch * m, n: n, k: k, alpha: 1,
                       a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: c, ldc: n, weightB: weightB)
            return
        }
        for i in 0..<batch {
            BLAS.sgemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: 1,
                       a: a + i * m * k, lda: lda, b: sharedB ? b : b + i * k * n, ldb: ldb,
                       beta: 0, c: c + i * m * n, ldc: n, weightB: weightB)
        }
    }

    /// The two gradients of a linear layer y = x W^T (W: [out, in]) in the bf16 dtype, from dY
    /// already rounded to bf16 (dense [rows, out]): dx[rows, in] = dY @ W, dW[out, in] = dY^T @ x,
    /// with x given as fp32 values or as bf16 bits. `weight` marks W for the weight cache.
    static func linearBackwardBF16(dy: UnsafePointer<UInt16>, x: BF16Operand, w: UnsafePointer<Float>, weight: Bool = true,
                                   rows: Int, inFeatures: Int, outFeatures: Int,
                                   dx: UnsafeMutablePointer<Float>, dw: UnsafeMutablePointer<Float>) {
        BLAS.gemm(bf16TransA: false, transB: false, m: rows, n: inFeatures, k: outFeatures, a: .bits(dy),
                  b: .float(w, ld: inFeatures, weight: weight), c: dx, ldc: inFeatures)
        BLAS.gemm(bf16TransA: true, transB: false, m: outFeatures, n: inFeatures, k: rows, a: .bits(dy), b: x,
                  c: dw, ldc: inFeatures)
    }

    /// dA and dB from dC for C = op(A) op(B); dB sums over the batch when B is shared.
    static func backward(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ dc: UnsafePointer<Float>,
                         _ da: UnsafeMutablePointer<Float>, _ db: UnsafeMutablePointer<Float>,
                         batch: Int, m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, sharedB: Bool,
                         weightB: Bool = false) {
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        if sharedB && !transposeA && ComputeContext.current.dtype == .bf16 && batch * m > 0 && n > 0 && k > 0 {
            // In bf16 both gradients read dC rounded to bf16: round it once for the two products
            // (as `sgemm` would twice, into the same bits).
            let rows = batch * m
            let (rounded, dc16) = bf16Copy(dc, count: rows * n)
            if transposeB {
                // C = A B^T, a linear layer: dA = dC @ B, dB = dC^T @ A
                linearBackwardBF16(dy: dc16, x: .float(a, ld: lda), w: b, weight: weightB, rows: rows,
                                   inFeatures: k, outFeatures: n, dx: da, dw: db)
            } else {
                // dA[bm, k] = dC[bm, n] @ B^T, dB[k, n] = A^T[k, bm] @ dC[bm, n]
                BLAS.gemm(bf16TransA: false, transB: true, m: rows, n: k, k: n, a: .bits(dc16),
                          b: .float(b, ld: ldb, weight: weightB), c: da, ldc: lda)
                BLAS.gemm(bf16TransA: true, transB: false, m: k, n: n, k: rows, a: .float(a, ld: lda), b: .bits(dc16),
                          c: db, ldc: ldb)
            }
            withExtendedLifetime(rounded) {}
            return
        }
        // dA
        if !transposeA && sharedB {
            // dA[bm, k] = dC[bm, n] @ op(B)^T
            BLAS.sgemm(transA: false, transB: !transposeB, m: batch * m, n: k, k: n, alpha: 1,
                       a: dc, lda: n, b: b, ldb: ldb, beta: 0, c: da, ldc: lda, weightB: weightB)
        } else {
            for i in 0..<batch {
                let bi = sharedB ? b : b + i * k * n
                if !transposeA {
                    BLAS.sgemm(transA: false, transB: !transposeB, m: m, n: k, k: n, alpha: 1,
                               a: dc + i * m * n, lda: n, b: bi, ldb: ldb, beta: 0, c: da + i * m * k, ldc: lda,
                               weightB: weightB)
                } else {
                    // A^T = op(A) -> dA[k, m] = op(B) @ dC^T
                    BLAS.sgemm(transA: transposeB, transB: true, m: k, n: m, k: n, alpha: 1,
                               a: bi, lda: ldb, b: dc + i * m * n, ldb: n, beta: 0, c: da + i * m * k, ldc: lda,
                               weightA: weightB)
                }
            }
        }
        // dB
        if sharedB && !transposeA {
            if !transposeB {
                // dB[k, n] = A^T[k, bm] @ dC[bm, n]
                BLAS.sgemm(transA: true, transB: false, m: k, n: n, k: batch * m, alpha: 1,
                           a: a, lda: lda, b: dc, ldb: n, beta: 0, c: db, ldc: ldb)
            } else {
                // dB[n, k] = dC^T[n, bm] @ A[bm, k]
                BLAS.sgemm(transA: true, transB: false, m: n, n: k, k: batch * m, alpha: 1,
                           a: dc, lda: n, b: a, ldb: lda, beta: 0, c: db, ldc: ldb)
            }
            return
        }
        if sharedB && transposeA && transposeB && batch > 0 {
            // dB[n, k] = sum_i dC_i^T A_i^T has both operands transposed, the form oneDNN's
            // gemm:jit runs slowest (the MLP token mixer's gate/up gradient, 1024x97x512: 24.5
            // GFLOP/s on an AMD Zen 3 core where the same product as NN runs 37.7). Its transpose
            // dB^T[k, n] = sum_i A_i[k, m] dC_i[m, n] is a plain NN product; one transposing copy
            // of the k x n result follows (k n floats, against 2 m n k flops per entry).
            let sum = Tensor(uninitialized: [k, n])
            for i in 0..<batch {
                BLAS.sgemm(transA: false, transB: false, m: k, n: n, k: m, alpha: 1, a: a + i * m * k, lda: lda,
                           b: dc + i * m * n, ldb: n, beta: i > 0 ? 1 : 0, c: sum.data, ldc: n)
            }
            transposeCopy(sum.data, [k, n], 0, 1, db)
            return
        }
        for i in 0..<batch {
            let ai = a + i * m * k, dci = dc + i * m * n
            let dbi = sharedB ? db : db + i * k * n
            let beta: Float = sharedB && i > 0 ? 1 : 0
            if !transposeB {
                // dB[k, n] = op(A)^T @ dC
                BLAS.sgemm(transA: !transposeA, transB: false, m: k, n: n, k: m, alpha: 1,
                           a: ai, lda: lda, b: dci, ldb: n, beta: beta, c: dbi, ldc: ldb)
            } else {
                // dB[n, k] = dC^T @ op(A)
                BLAS.sgemm(transA: true, transB: transposeA, m: n, n: k, k: m, alpha: 1,
                           a: dci, lda: n, b: ai, ldb: lda, beta: beta, c: dbi, ldc: ldb)
            }
        }
    }
}
