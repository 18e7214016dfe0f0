// swift-trm's C kernels, chosen at run time where the CPU has AVX-512F (x86_64 only): a packed,
// cache-blocked sgemm with an AVX-512 micro-kernel, and SwiGLU forward/backward.
#ifndef TRM_KERNELS_H
#define TRM_KERNELS_H

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

/// SwiGLU over rows of width 2I: out[r, j] = silu(x[r, j]) * x[r, I + j]; x: [rows, 2I] -> out:
/// [rows, I]. Bit-identical to the Swift SIMD kernel. Requires trm_gemm_avx512_available().
void trm_swiglu_forward_avx512(const float *x, long rows, long inner, float *out);

/// Backward of trm_swiglu_forward_avx512: dOut [rows, I] -> dx [rows, 2I].
void trm_swiglu_backward_avx512(const float *x, const float *dOut, long rows, long inner, float *dx);

#ifdef __cplusplus
}
#endif
#endif
