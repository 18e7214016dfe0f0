// Matrix transposes in 8 x 8 blocks with AVX2 (on AVX2 and AVX-512 CPUs alike), for the last-two-
// axes transposes of `transpose` (the MLP token mixer's state, four per mixer and step). A copy:
// the same values as the Swift loop, which stays the fallback.
#include "trm_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

// dst[j * ldd + i] = src[i * lds + j] for i, j in 0..<8.
AVX2 static inline void transpose8x8(const float *src, long lds, float *dst, long ldd) {
    __m256 r0 = _mm256_loadu_ps(src), r1 = _mm256_loadu_ps(src + lds);
    __m256 r2 = _mm256_loadu_ps(src + 2 * lds), r3 = _mm256_loadu_ps(src + 3 * lds);
    __m256 r4 = _mm256_loadu_ps(src + 4 * lds), r5 = _mm256_loadu_ps(src + 5 * lds);
    __m256 r6 = _mm256_loadu_ps(src + 6 * lds), r7 = _mm256_loadu_ps(src + 7 * lds);
    // pairs of rows interleaved: [a0 b0 a1 b1 | a4 b4 a5 b5] and [a2 b2 a3 b3 | a6 b6 a7 b7]
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    // four rows' column c in the low half, column c + 4 in the high half
    __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0)), u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0)), u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    _mm256_storeu_ps(dst, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(dst + ldd, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(dst + 2 * ldd, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(dst + 3 * ldd, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(dst + 4 * ldd, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(dst + 5 * ldd, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(dst + 6 * ldd, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(dst + 7 * ldd, _mm256_permute2f128_ps(u3, u7, 0x31));
}

AVX2 void trm_transpose_rows_avx2(const float *src, long rows, long cols, long r0, long r1, float *dst) {
    const long tile = 32;
    for (long rb = r0; rb < r1; rb += tile) {
        long re = rb + tile < r1 ? rb + tile : r1;
        for (long cb = 0; cb < cols; cb += tile) {
            long ce = cb + tile < cols ? cb + tile : cols;
            long r = rb;
            for (; r + 8 <= re; r += 8) {
                long c = cb;
                for (; c + 8 <= ce; c += 8) transpose8x8(src + r * cols + c, cols, dst + c * rows + r, rows);
                for (; c < ce; c++)
                    for (long i = 0; i < 8; i++) dst[c * rows + r + i] = src[(r + i) * cols + c];
            }
            for (; r < re; r++)
                for (long c = cb; c < ce; c++) dst[c * rows + r] = src[r * cols + c];
        }
    }
}
#else
#include <stdlib.h>
void trm_transpose_rows_avx2(const float *src, long rows, long cols, long r0, long r1, float *dst) {
    (void)src; (void)rows; (void)cols; (void)r0; (void)r1; (void)dst;
    abort();
}
#endif
