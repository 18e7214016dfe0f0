// Packed, cache-blocked sgemm with an AVX-512 micro-kernel (Goto/BLIS loop structure).
//
// C[M,N] += A[M,K] B[K,N], row-major. The loops, outside in:
//   j0: NC columns of C and B          (the packed B block, KC x NC, lives in L3)
//   p0: KC of the shared axis          (beta applies on the first block only)
//   i0: MC rows of C and A             (the packed A block, MC x KC, lives in L2)
//   js, is: one MR x NR tile           (the B sliver, KC x NR, streams from L2 across the is loop)
// The micro-kernel keeps an MR x NR = 14 x 32 tile of C in 28 zmm registers; per k it loads two
// vectors of B and broadcasts 14 values of A: 28 FMAs per 2 loads + 14 broadcasts.
// Packing pads partial slivers with zeros, so the kernel always runs full tiles and masks the
// stores of partial ones; B stored [N, K] (a weight used as x W^T) is packed with in-register
// 16 x 16 transposes. Block sizes were tuned on an AMD Zen 5 core (48 KiB L1d, 1 MiB L2) at the
// TRM shapes (M = 97 or 776, K and N in 512/1536/3072): MR 12/14, KC 192-1024, MC 42-336 and
// NC 512-3072 were measured. A long KC matters most (each KC block reads and writes C once
// more; with KC 256 an N = 3072 product ran at 175 GFLOP/s, with 768 at 210); 14/768/56/3072
// gives 210-240 GFLOP/s per core, against about 125 for OpenBLAS's AVX2 kernels on that core.
#include "trm_kernels.h"

#define MR 14
#define NR 32
#define KC 768
#define MC 56
#define NC 3072

int trm_gemm_tile_rows(void) { return MR; }
int trm_gemm_tile_cols(void) { return NR; }

#if defined(__x86_64__)
#include <immintrin.h>
#include <pthread.h>
#include <stdlib.h>

int trm_gemm_avx512_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
}

// Per-thread packing buffers, freed when the thread exits.
typedef struct { float *a, *b; } PackBuffers;
static pthread_key_t pack_key;
static pthread_once_t pack_once = PTHREAD_ONCE_INIT;

static void free_pack_buffers(void *p) {
    PackBuffers *buffers = p;
    free(buffers->a);
    free(buffers->b);
    free(buffers);
}
static void make_pack_key(void) { pthread_key_create(&pack_key, free_pack_buffers); }

static PackBuffers *pack_buffers(void) {
    pthread_once(&pack_once, make_pack_key);
    PackBuffers *buffers = pthread_getspecific(pack_key);
    if (buffers) return buffers;
    buffers = malloc(sizeof *buffers);
    if (!buffers) abort();
    buffers->a = aligned_alloc(64, (size_t)(MC + MR) * KC * sizeof(float));
    buffers->b = aligned_alloc(64, (size_t)(NC + NR) * KC * sizeof(float));
    if (!buffers->a || !buffers->b) abort();
    pthread_setspecific(pack_key, buffers);
    return buffers;
}

// In-register transpose of a 16 x 16 block: r[i] lane j <-> r[j] lane i.
__attribute__((target("avx512f")))
static inline void transpose16(__m512 r[16]) {
    __m512 t[16], u[16], v[16];
    for (int i = 0; i < 8; i++) {  // interleave pairs of rows
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {  // 4 x 4 blocks within each 128-bit lane
        u[4 * i + 0] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
        u[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
        u[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        u[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int i = 0; i < 2; i++) {  // then the 128-bit lanes across registers
        for (int j = 0; j < 4; j++) {
            v[8 * i + j] = _mm512_shuffle_f32x4(u[8 * i + j], u[8 * i + 4 + j], 0x88);
            v[8 * i + 4 + j] = _mm512_shuffle_f32x4(u[8 * i + j], u[8 * i + 4 + j], 0xDD);
        }
    }
    for (int j = 0; j < 8; j++) {
        r[j] = _mm512_shuffle_f32x4(v[j], v[8 + j], 0x88);
        r[8 + j] = _mm512_shuffle_f32x4(v[j], v[8 + j], 0xDD);
    }
}

// Loads 16 k-values (kmask: those < kc) from each of `count` rows `stride` floats apart (rows past
// `count` read as zeros) and transposes them: lane i of r[kk] is row i at k + kk. Shared by both
// packers for operands stored with k contiguous (A as [M, K], B as [N, K]).
// 16 rows at once are more streams than the hardware prefetcher follows; fetching two blocks
// ahead made small-M products with weights cold in cache 10-20% faster (a prefetch never faults).
__attribute__((target("avx512f")))
static inline void load_rows_transposed(__m512 r[16], const float *first, long stride, long count, __mmask16 kmask) {
    for (long i = 0; i < 16; i++) {
        if (i >= count) { r[i] = _mm512_setzero_ps(); continue; }
        const float *row = first + i * stride;
        _mm_prefetch((const char *)(row + 32), _MM_HINT_T0);
        r[i] = _mm512_maskz_loadu_ps(kmask, row);
    }
    transpose16(r);
}

// Rows [i0, i0+mc) x shared [p0, p0+kc) of op(A) -> MR-row slivers, each k-major (MR floats per k).
// A stored [M, K] (activations) is read as MR rows x 16 k, transposed in registers; A stored
// [K, M] is already k-major and is copied.
__attribute__((target("avx512f")))
static void pack_a(int transA, const float *A, long lda, long i0, long mc, long p0, long kc, float *dst) {
    const __mmask16 rowMask = (__mmask16)((1u << MR) - 1);
    for (long is = 0; is < mc; is += MR) {
        long mr = mc - is < MR ? mc - is : MR;
        if (!transA) {
            for (long kb = 0; kb < kc; kb += 16) {
                long kn = kc - kb < 16 ? kc - kb : 16;
                __mmask16 kmask = (__mmask16)((1u << kn) - 1);
                __m512 r[16];
                load_rows_transposed(r, A + (i0 + is) * lda + p0 + kb, lda, mr, kmask);
                // Lane i of r[kk] is row i at k = kb + kk; MR < 16 lanes are kept.
                for (long kk = 0; kk < kn; kk++) _mm512_mask_storeu_ps(dst + (kb + kk) * MR, rowMask, r[kk]);
            }
        } else {
            for (long k = 0; k < kc; k++) {
                const float *src = A + (p0 + k) * lda + i0 + is;
                float *d = dst + k * MR;
                for (long r = 0; r < mr; r++) d[r] = src[r];
                for (long r = mr; r < MR; r++) d[r] = 0;
            }
        }
        dst += kc * MR;
    }
}

// Shared [p0, p0+kc) x columns [j0, j0+nc) of op(B) -> NR-column slivers, each k-major.
__attribute__((target("avx512f")))
static void pack_b(int transB, const float *B, long ldb, long p0, long kc, long j0, long nc, float *dst) {
    for (long js = 0; js < nc; js += NR) {
        long nr = nc - js < NR ? nc - js : NR;
        if (!transB && nr == NR) {
            for (long k = 0; k < kc; k++) {
                const float *src = B + (p0 + k) * ldb + j0 + js;
                _mm512_store_ps(dst + k * NR, _mm512_loadu_ps(src));
                _mm512_store_ps(dst + k * NR + 16, _mm512_loadu_ps(src + 16));
            }
        } else if (!transB) {
            for (long k = 0; k < kc; k++) {
                const float *src = B + (p0 + k) * ldb + j0 + js;
                for (long c = 0; c < nr; c++) dst[k * NR + c] = src[c];
                for (long c = nr; c < NR; c++) dst[k * NR + c] = 0;
            }
        } else {
            // B stored [N, K]: 16 columns x 16 k at a time, loaded as 16 rows of B and
            // transposed in registers (columns past nr read as zeros, k past kc masked off).
            for (int half = 0; half < 2; half++) {
                long c0 = half * 16;
                for (long kb = 0; kb < kc; kb += 16) {
                    long kn = kc - kb < 16 ? kc - kb : 16;
                    __mmask16 kmask = (__mmask16)((1u << kn) - 1);
                    __m512 r[16];
                    load_rows_transposed(r, B + (j0 + js + c0) * ldb + p0 + kb, ldb, nr - c0, kmask);
                    for (long kk = 0; kk < kn; kk++) _mm512_store_ps(dst + (kb + kk) * NR + c0, r[kk]);
                }
            }
        }
        dst += kc * NR;
    }
}

// C[0:mr, 0:nr] = alpha * (a-sliver . b-sliver) + beta * C; a: kc x MR, b: kc x NR (packed).
__attribute__((target("avx512f")))
static void micro_kernel(long kc, const float *a, const float *b, float *C, long ldc, long mr, long nr,
                         float alpha, float beta) {
    __m512 c0[MR], c1[MR];
    for (int r = 0; r < MR; r++) { c0[r] = _mm512_setzero_ps(); c1[r] = _mm512_setzero_ps(); }
    for (long k = 0; k < kc; k++) {
        __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma unroll
        for (int r = 0; r < MR; r++) {
            __m512 ar = _mm512_set1_ps(a[r]);
            c0[r] = _mm512_fmadd_ps(ar, b0, c0[r]);
            c1[r] = _mm512_fmadd_ps(ar, b1, c1[r]);
        }
        a += MR;
        b += NR;
    }
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    __mmask16 m0 = nr >= 16 ? 0xFFFF : (__mmask16)((1u << nr) - 1);
    __mmask16 m1 = nr >= 32 ? 0xFFFF : nr <= 16 ? 0 : (__mmask16)((1u << (nr - 16)) - 1);
    for (int r = 0; r < MR && r < mr; r++) {
        float *cr = C + r * ldc;
        __m512 x0 = _mm512_mul_ps(c0[r], va), x1 = _mm512_mul_ps(c1[r], va);
        if (beta != 0) {  // beta == 0 never reads C, as BLAS promises
            x0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, cr), x0);
            x1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, cr + 16), x1);
        }
        _mm512_mask_storeu_ps(cr, m0, x0);
        _mm512_mask_storeu_ps(cr + 16, m1, x1);
    }
}

void trm_sgemm_avx512(int transA, int transB, long M, long N, long K, float alpha,
                      const float *A, long lda, const float *B, long ldb,
                      float beta, float *C, long ldc) {
    if (M <= 0 || N <= 0 || K <= 0) return;  // K == 0 (C = beta C) is the caller's job
    PackBuffers *buffers = pack_buffers();
    for (long j0 = 0; j0 < N; j0 += NC) {
        long nc = N - j0 < NC ? N - j0 : NC;
        for (long p0 = 0; p0 < K; p0 += KC) {
            long kc = K - p0 < KC ? K - p0 : KC;
            float blockBeta = p0 == 0 ? beta : 1.0f;
            pack_b(transB, B, ldb, p0, kc, j0, nc, buffers->b);
            for (long i0 = 0; i0 < M; i0 += MC) {
                long mc = M - i0 < MC ? M - i0 : MC;
                pack_a(transA, A, lda, i0, mc, p0, kc, buffers->a);
                for (long js = 0; js < nc; js += NR) {
                    long nr = nc - js < NR ? nc - js : NR;
                    for (long is = 0; is < mc; is += MR) {
                        long mr = mc - is < MR ? mc - is : MR;
                        micro_kernel(kc, buffers->a + is * kc, buffers->b + js * kc,
                                     C + (i0 + is) * ldc + j0 + js, ldc, mr, nr, alpha, blockBeta);
                    }
                }
            }
        }
    }
}

#else  // not x86_64: no AVX-512; callers use the system BLAS.
#include <stdlib.h>
int trm_gemm_avx512_available(void) { return 0; }
void trm_sgemm_avx512(int transA, int transB, long M, long N, long K, float alpha,
                      const float *A, long lda, const float *B, long ldb,
                      float beta, float *C, long ldc) {
    (void)transA; (void)transB; (void)M; (void)N; (void)K; (void)alpha; (void)A; (void)lda;
    (void)B; (void)ldb; (void)beta; (void)C; (void)ldc;
    abort();
}
#endif
