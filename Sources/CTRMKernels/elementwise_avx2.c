// SwiGLU forward and backward with AVX2 (8 lanes), picked at run time where the CPU has AVX2 but
// not AVX-512F (AMD Zen 2/3, Intel before Skylake-SP, many laptops). The same arithmetic as the
// Swift SIMD kernels and the AVX-512 versions, operation for operation (same exp polynomial and
// constants, separate multiplies and adds, no fused multiply-add), so the results are
// bit-identical to both. The Swift kernels work in blocks of 16 with a scalar tail whose backward
// groups du as (d * g) * s instead of d * (g * s); these loops keep the same blocks (two 8-lane
// halves) and the same tail grouping.
#include "trm_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

int trm_avx2_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}

#define AVX2 __attribute__((target("avx2")))

// exp(x) for 8 lanes, as vexp16 in elementwise_avx512.c.
AVX2 static inline __m256 vexp8(__m256 x) {
    // Compare and blend (not min/max) so NaN stays NaN, as in the Swift kernel.
    const __m256 hi = _mm256_set1_ps(88.37626f), lo = _mm256_set1_ps(-87.33654f);
    x = _mm256_blendv_ps(x, hi, _mm256_cmp_ps(x, hi, _CMP_GT_OQ));
    x = _mm256_blendv_ps(x, lo, _mm256_cmp_ps(x, lo, _CMP_LT_OQ));
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    __m256 t = _mm256_add_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)), magic);
    __m256 n = _mm256_sub_ps(t, magic);
    __m256 r = _mm256_sub_ps(x, _mm256_mul_ps(n, _mm256_set1_ps(0.693359375f)));
    r = _mm256_add_ps(r, _mm256_mul_ps(n, _mm256_set1_ps(2.12194440e-4f)));
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(p, _mm256_mul_ps(r, r)), r), _mm256_set1_ps(1.0f));
    __m256i bits = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(0x4B400000));
    bits = _mm256_slli_epi32(_mm256_add_epi32(bits, _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

AVX2 static inline __m256 vsigmoid8(__m256 x) {
    const __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_div_ps(one, _mm256_add_ps(one, vexp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

// The first `count` lanes (1...8) at x[i...], fp32 or bf16 widened exactly (bits << 16); the other
// lanes are zero and nothing past the count is read.
AVX2 static inline __m256 load8(const void *x, int bf16, long i, int count) {
    if (!bf16) {
        if (count == 8) return _mm256_loadu_ps((const float *)x + i);
        float lanes[8] = {0};
        for (int l = 0; l < count; l++) lanes[l] = ((const float *)x)[i + l];
        return _mm256_loadu_ps(lanes);
    }
    const uint16_t *src = (const uint16_t *)x + i;
    __m128i h;
    if (count == 8) {
        h = _mm_loadu_si128((const __m128i *)src);
    } else {
        uint16_t lanes[8] = {0};
        for (int l = 0; l < count; l++) lanes[l] = src[l];
        h = _mm_loadu_si128((const __m128i *)lanes);
    }
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

AVX2 static inline void store8(float *out, __m256 v, int count) {
    if (count == 8) { _mm256_storeu_ps(out, v); return; }
    float lanes[8];
    _mm256_storeu_ps(lanes, v);
    for (int l = 0; l < count; l++) out[l] = lanes[l];
}

// 8 lanes rounded to bf16 (nearest even; NaN kept quiet NaN, as trm_f32_to_bf16), first `count` stored.
AVX2 static inline void store8_bf16(uint16_t *out, __m256 v, int count) {
    __m256i b = _mm256_castps_si256(v);
    __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(b, 16), _mm256_set1_epi32(1));
    __m256i r = _mm256_add_epi32(_mm256_add_epi32(b, _mm256_set1_epi32(0x7FFF)), lsb);
    // |b| > inf as signed 32-bit integers: the sign bit is cleared, so signed compare is exact.
    __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(b, _mm256_set1_epi32(0x7FFFFFFF)),
                                     _mm256_set1_epi32(0x7F800000));
    r = _mm256_blendv_epi8(r, _mm256_or_si256(b, _mm256_set1_epi32(0x00400000)), nan);
    r = _mm256_srli_epi32(r, 16);  // 0...0xFFFF: packs without saturation
    __m128i h = _mm_packus_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
    if (count == 8) { _mm_storeu_si128((__m128i *)out, h); return; }
    uint16_t lanes[8];
    _mm_storeu_si128((__m128i *)lanes, h);
    for (int l = 0; l < count; l++) out[l] = lanes[l];
}

// The forward and backward loops, for x in fp32 or bf16 (`bf16` is a constant at each call site).
AVX2 static inline void swiglu_forward(const void *x, int bf16, long rows, long inner, void *out, int bf16Out) {
    for (long row = 0; row < rows; row++) {
        long g = row * 2 * inner, u = g + inner;
        for (long j = 0; j < inner; j += 8) {
            int count = inner - j >= 8 ? 8 : (int)(inner - j);
            __m256 gv = load8(x, bf16, g + j, count), uv = load8(x, bf16, u + j, count);
            // (g * sigmoid(g)) * u, as the Swift kernel (its scalar tail groups the same way)
            __m256 y = _mm256_mul_ps(_mm256_mul_ps(gv, vsigmoid8(gv)), uv);
            if (bf16Out) store8_bf16((uint16_t *)out + row * inner + j, y, count);
            else store8((float *)out + row * inner + j, y, count);
        }
    }
}

// 8 lanes (or the first `count`) of a gradient row at out[i...]: fp32, or rounded to bf16.
AVX2 static inline void store8_grad(void *out, int bf16Out, long i, __m256 v, int count) {
    if (bf16Out) store8_bf16((uint16_t *)out + i, v, count);
    else store8((float *)out + i, v, count);
}

// dx for 8 (or `count`) lanes starting at column j of one row, fp32 or rounded to bf16 as stored
// (`bf16Out`); `tail`: inside the Swift kernel's scalar tail (du grouped as (d * g) * s).
AVX2 static inline void swiglu_backward8(const void *x, int bf16, long g, long u, const float *d, void *dx, int bf16Out,
                                         long dg, long du, long j, int count, int tail) {
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 gv = load8(x, bf16, g + j, count), uv = load8(x, bf16, u + j, count);
    __m256 dv = load8(d, 0, j, count);
    __m256 s = vsigmoid8(gv);
    __m256 dU = tail ? _mm256_mul_ps(_mm256_mul_ps(dv, gv), s) : _mm256_mul_ps(dv, _mm256_mul_ps(gv, s));
    store8_grad(dx, bf16Out, du + j, dU, count);
    __m256 slope = _mm256_add_ps(one, _mm256_mul_ps(gv, _mm256_sub_ps(one, s)));
    store8_grad(dx, bf16Out, dg + j, _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(dv, uv), s), slope), count);
}

AVX2 static inline void swiglu_backward(const void *x, int bf16, const float *dOut, long rows, long inner, void *dx, int bf16Out) {
    for (long row = 0; row < rows; row++) {
        long g = row * 2 * inner, u = g + inner;
        const float *d = dOut + row * inner;
        long dg = row * 2 * inner, du = dg + inner;
        long blocks = inner / 16 * 16, j = 0;
        for (; j < blocks; j += 8) swiglu_backward8(x, bf16, g, u, d, dx, bf16Out, dg, du, j, 8, 0);
        for (; j < inner; j += 8) {
            int count = inner - j >= 8 ? 8 : (int)(inner - j);
            swiglu_backward8(x, bf16, g, u, d, dx, bf16Out, dg, du, j, count, 1);
        }
    }
}

AVX2 void trm_swiglu_forward_avx2(const float *x, long rows, long inner, float *out) {
    swiglu_forward(x, 0, rows, inner, out, 0);
}

AVX2 void trm_swiglu_backward_avx2(const float *x, const float *dOut, long rows, long inner, float *dx) {
    swiglu_backward(x, 0, dOut, rows, inner, dx, 0);
}

AVX2 void trm_swiglu_forward_bf16_avx2(const uint16_t *x, long rows, long inner, float *out) {
    swiglu_forward(x, 1, rows, inner, out, 0);
}

AVX2 void trm_swiglu_forward_bf16_to_bf16_avx2(const uint16_t *x, long rows, long inner, uint16_t *out) {
    swiglu_forward(x, 1, rows, inner, out, 1);
}

AVX2 void trm_swiglu_backward_bf16_avx2(const uint16_t *x, const float *dOut, long rows, long inner, float *dx) {
    swiglu_backward(x, 1, dOut, rows, inner, dx, 0);
}

AVX2 void trm_swiglu_backward_bf16_to_bf16_avx2(const uint16_t *x, const float *dOut, long rows, long inner, uint16_t *dx) {
    swiglu_backward(x, 1, dOut, rows, inner, dx, 1);
}
#else
#include <stdlib.h>
int trm_avx2_available(void) { return 0; }
void trm_swiglu_forward_avx2(const float *x, long rows, long inner, float *out) {
    (void)x; (void)rows; (void)inner; (void)out;
    abort();
}
void trm_swiglu_backward_avx2(const float *x, const float *dOut, long rows, long inner, float *dx) {
    (void)x; (void)dOut; (void)rows; (void)inner; (void)dx;
    abort();
}
void trm_swiglu_forward_bf16_avx2(const uint16_t *x, long rows, long inner, float *out) {
    (void)x; (void)rows; (void)inner; (void)out;
    abort();
}
void trm_swiglu_backward_bf16_avx2(const uint16_t *x, const float *dOut, long rows, long inner, float *dx) {
    (void)x; (void)dOut; (void)rows; (void)inner; (void)dx;
    abort();
}
void trm_swiglu_forward_bf16_to_bf16_avx2(const uint16_t *x, long rows, long inner, uint16_t *out) {
    (void)x; (void)rows; (void)inner; (void)out;
    abort();
}
void trm_swiglu_backward_bf16_to_bf16_avx2(const uint16_t *x, const float *dOut, long rows, long inner, uint16_t *dx) {
    (void)x; (void)dOut; (void)rows; (void)inner; (void)dx;
    abort();
}
#endif
