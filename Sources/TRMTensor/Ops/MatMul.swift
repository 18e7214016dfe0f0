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

/// w @ x[i]^T for each batch entry: w [M, K] shared by every entry, x [..., N, K] -> [..., M, N].
/// The MLP token mixer's second product written straight in [B, L, D] order (as `matmul(x, w,
/// transposeB: true)` followed by a transpose of the last two axes, without the transpose's copy
/// in either direction). `weightA`: w is a weight (see `matmul`).
public func matmul(sharedLeft w: Tensor, transposedRight x: Tensor, weightA: Bool = false) throws -> Tensor {
    guard w.rank == 2, x.rank >= 2 else {
        throw TensorError.invalidShape(op: "matmul (shared left)", shape: w.rank != 2 ? w.shape : x.shape,
                                       reason: w.rank != 2 ? "the left operand must be [M, K]" : "needs rank >= 2")
    }
    let (m, k) = (w.shape[0], w.shape[1])
    let (n, kx) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
    guard k == kx else { throw TensorError.shapeMismatch(op: "matmul (shared left, inner axes)", lhs: w.shape, rhs: x.shape) }
    let batchShape = Array(x.shape.dropLast(2))
    let batch = elementCount(batchShape)
    let out = Tensor(uninitialized: batchShape + [m, n])
    let (wp, xp, op) = (w.data, x.data, out.data)
    for i in 0..<batch {
        BLAS.sgemm(transA: false, transB: true, m: m, n: n, k: k, alpha: 1, a: wp, lda: k,
                   b: xp + i * n * k, ldb: k, beta: 0, c: op + i * m * n, ldc: n, weightA: weightA)
    }
    Tape.record(out, inputs: [w, x]) { g in
        let gw = Tensor(uninitialized: w.shape), gx = Tensor(uninitialized: x.shape)
        let gp = g.data
        for i in 0..<batch {
            // dx[i] [N, K] = dC[i]^T [N, M] @ w [M, K]
            BLAS.sgemm(transA: true, transB: false, m: n, n: k, k: m, alpha: 1, a: gp + i * m * n, lda: n,
                       b: wp, ldb: k, beta: 0, c: gx.data + i * n * k, ldc: k, weightB: weightA)
            // dw [M, K] += dC[i] [M, N] @ x[i] [N, K]
            BLAS.sgemm(transA: false, transB: false, m: m, n: k, k: n, alpha: 1, a: gp + i * m * n, lda: n,
                       b: xp + i * n * k, ldb: k, beta: i > 0 ? 1 : 0, c: gw.data, ldc: k)
        }
        if batch == 0 { gw.zero() }
        return [gw, gx]
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

    /// dA and dB from dC for C = op(A) op(B); dB sums over the batch when B is shared.
    static func backward(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ dc: UnsafePointer<Float>,
                         _ da: UnsafeMutablePointer<Float>, _ db: UnsafeMutablePointer<Float>,
                         batch: Int, m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, sharedB: Bool,
                         weightB: Bool = false) {
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
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
