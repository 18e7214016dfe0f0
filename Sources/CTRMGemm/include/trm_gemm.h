// swift-trm's own single-precision GEMM: a packed, cache-blocked sgemm with an AVX-512
// micro-kernel, chosen at run time where the CPU has AVX-512F (x86_64 only).
#ifndef TRM_GEMM_H
#define TRM_GEMM_H

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU can run trm_sgemm_avx512 (x86_64 with AVX-512F), else 0.
int trm_gemm_avx512_available(void);

/// Rows and columns of one micro-kernel tile: callers that split C across threads align their
/// chunks to these so no tile straddles two workers.
int trm_gemm_tile_rows(void);
int trm_gemm_tile_cols(void);

/// C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, row-major, single thread.
/// op(A) = A ([M,K], leading dimension lda) or A^T (A is [K,M]); likewise B ([K,N] or [N,K]).
/// With beta == 0 C is never read (it may hold NaN). Requires trm_gemm_avx512_available().
void trm_sgemm_avx512(int transA, int transB, long M, long N, long K, float alpha,
                      const float *A, long lda, const float *B, long ldb,
                      float beta, float *C, long ldc);

#ifdef __cplusplus
}
#endif
#endif
