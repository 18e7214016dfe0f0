// SwiGLU forward and backward with AVX-512, picked at run time where the CPU has AVX-512F. They repeat the
// Swift kernels' arithmetic operation for operation (same exp polynomial and constants, separate
// multiplies and adds, no fused multiply-add), so results are bit-identical to the Swift SIMD
// path (Kernels.swigluForward/swigluBackward), which stays the reference and the fallback.
#include "trm_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

int trm_avx512_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
}

// exp(x) for 16 lanes: clamp, n = round(x / ln 2) by the 1.5 * 2^23 trick, r = x - n ln 2 in two
// parts, degree-7 polynomial, scale by 2^n through the exponent bits.
__attribute__((target("avx512f")))
static inline __m512 vexp16(__m512 x) {
    // Compare and blend (not min/max) so NaN stays NaN, as in the Swift kernel.
    const __m512 hi = _mm512_set1_ps(88.37626f), lo = _mm512_set1_ps(-87.33654f);
    x = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, hi, _CMP_GT_OQ), x, hi);
    x = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ), x, lo);
    const __m512 magic = _mm512_set1_ps(12582912.0f);
    __m512 t = _mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)), magic);
    __m512 n = _mm512_sub_ps(t, magic);
    __m512 r = _mm512_sub_ps(x, _mm512_mul_ps(n, _mm512_set1_ps(0.693359375f)));
    r = _mm512_add_ps(r, _mm512_mul_ps(n, _mm512_set1_ps(2.12194440e-4f)));
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(p, _mm512_mul_ps(r, r)), r), _mm512_set1_ps(1.0f));
    __m512i bits = _mm512_sub_epi32(_mm512_castps_si512(t), _mm512_set1_epi32(0x4B400000));
    bits = _mm512_slli_epi32(_mm512_add_epi32(bits, _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
}

__attribute__((target("avx512f")))
static inline __m512 vsigmoid16(__m512 x) {
    const __m512 one = _mm512_set1_ps(1.0f);
    return _mm512_div_ps(one, _mm512_add_ps(one, vexp16(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

// 16 lanes of the gate or up half at x[i...]: fp32, or bf16 widened exactly (bits << 16). A
// partial tail (mask) reads only its lanes.
__attribute__((target("avx512f")))
static inline __m512 load16(const void *x, int bf16, long i, __mmask16 m) {
    if (!bf16) return _mm512_maskz_loadu_ps(m, (const float *)x + i);
    uint16_t lanes[16] = {0};
    const uint16_t *src = (const uint16_t *)x + i;
    if (m == 0xFFFF) {
        __m256i h = _mm256_loadu_si256((const __m256i *)src);
        return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    }
    for (int l = 0; l < 16; l++) if (m & (1u << l)) lanes[l] = src[l];
    __m256i h = _mm256_loadu_si256((const __m256i *)lanes);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

// 16 lanes rounded to bf16 (nearest even; NaN kept quiet NaN, as trm_f32_to_bf16) and stored
// at out[0..<16], or the lanes of a partial tail (mask).
__attribute__((target("avx512f")))
static inline void store16_bf16(uint16_t *out, __m512 v, __mmask16 m) {
    __m512i b = _mm512_castps_si512(v);
    __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(b, 16), _mm512_set1_epi32(1));
    __m512i r = _mm512_add_epi32(_mm512_add_epi32(b, _mm512_set1_epi32(0x7FFF)), lsb);
    __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(b, _mm512_set1_epi32(0x7FFFFFFF)),
                                            _mm512_set1_epi32(0x7F800000));
    r = _mm512_mask_mov_epi32(r, nan, _mm512_or_si512(b, _mm512_set1_epi32(0x00400000)));
    __m256i h = _mm512_cvtepi32_epi16(_mm512_srli_epi32(r, 16));
    if (m == 0xFFFF) { _mm256_storeu_si256((__m256i *)out, h); return; }
    uint16_t lanes[16];
    _mm256_storeu_si256((__m256i *)lanes, h);
    for (int l = 0; l < 16; l++) if (m & (1u << l)) out[l] = lanes[l];
}

// The forward and backward loops, for x in fp32 or bf16 (`bf16` is a constant at each call
// site, so each entry point below compiles to its own loop). Elements are counted from x.
__attribute__((target("avx512f")))
static inline void swiglu_forward(const void *x, int bf16, long rows, long inner, void *out, int bf16Out) {
    for (long row = 0; row < rows; row++) {
        long g = row * 2 * inner, u = g + inner;
        for (long j = 0; j < inner; j += 16) {
            __mmask16 m = inner - j >= 16 ? 0xFFFF : (__mmask16)((1u << (inner - j)) - 1);
            __m512 gv = load16(x, bf16, g + j, m), uv = load16(x, bf16, u + j, m);
            // (g * sigmoid(g)) * u, as the Swift kernel
            __m512 y = _mm512_mul_ps(_mm512_mul_ps(gv, vsigmoid16(gv)), uv);
            if (bf16Out) store16_bf16((uint16_t *)out + row * inner + j, y, m);
            else _mm512_mask_storeu_ps((float *)out + row * inner + j, m, y);
        }
    }
}

// 16 lanes (or a partial tail's) of a gradient row at out[i...]: fp32, or rounded to bf16.
__attribute__((target("avx512f")))
static inline void store16_grad(void *out, int bf16Out, long i, __m512 v, __mmask16 m) {
    if (bf16Out) store16_bf16((uint16_t *)out + i, v, m);
    else _mm512_mask_storeu_ps((float *)out + i, m, v);
}

// dx in fp32, or rounded to bf16 as it is stored (`bf16Out`: the operand of the next products).
__attribute__((target("avx512f")))
static inline void swiglu_backward(const void *x, int bf16, const float *dOut, long rows, long inner, void *dx, int bf16Out) {
    const __m512 one = _mm512_set1_ps(1.0f);
    for (long row = 0; row < rows; row++) {
        long g = row * 2 * inner, u = g + inner;
        const float *d = dOut + row * inner;
        long dg = row * 2 * inner, du = dg + inner;
        long j = 0;
        for (; j + 16 <= inner; j += 16) {
            __m512 gv = load16(x, bf16, g + j, 0xFFFF), uv = load16(x, bf16, u + j, 0xFFFF);
            __m512 dv = _mm512_loadu_ps(d + j);
            __m512 s = vsigmoid16(gv);
            __m512 silu = _mm512_mul_ps(gv, s);
            store16_grad(dx, bf16Out, du + j, _mm512_mul_ps(dv, silu), 0xFFFF);  // d * (g * s)
            __m512 slope = _mm512_add_ps(one, _mm512_mul_ps(gv, _mm512_sub_ps(one, s)));
            store16_grad(dx, bf16Out, dg + j, _mm512_mul_ps(_mm512_mul_ps(_mm512_mul_ps(dv, uv), s), slope), 0xFFFF);
        }
        if (j < inner) {  // the Swift kernel's scalar tail groups du as (d * g) * s
            __mmask16 m = (__mmask16)((1u << (inner - j)) - 1);
            __m512 gv = load16(x, bf16, g + j, m), uv = load16(x, bf16, u + j, m);
            __m512 dv = _mm512_maskz_loadu_ps(m, d + j);
            __m512 s = vsigmoid16(gv);
            store16_grad(dx, bf16Out, du + j, _mm512_mul_ps(_mm512_mul_ps(dv, gv), s), m);
            __m512 slope = _mm512_add_ps(one, _mm512_mul_ps(gv, _mm512_sub_ps(one, s)));
            store16_grad(dx, bf16Out, dg + j, _mm512_mul_ps(_mm512_mul_ps(_mm512_mul_ps(dv, uv), s), slope), m);
        }
    }
}

__attribute__((target("avx512f")))
void trm_swiglu_forward_avx512(const float *x, long rows, long inner, float *out) {
    swiglu_forward(x, 0, rows, inner, out, 0);
}

__attribute__((target("avx512f")))
void trm_swiglu_backward_avx512(const float *x, const float *dOut, long rows, long inner, float *dx) {
    swiglu_backward(x, 0, dOut, rows, inner, dx, 0);
}

__attribute__((target("avx512f")))
void trm_swiglu_forward_bf16_avx512(const uint16_t *x, long rows, long inner, float *out) {
    swiglu_forward(x, 1, rows, inner, out, 0);
}

__attribute__((target("avx512f")))
void trm_swiglu_forward_bf16_to_bf16_avx512(const uint16_t *x, long rows, long inner, uint16_t *out) {
    swiglu_forward(x, 1, rows, inner, out, 1);
}

__attribute__((target("avx512f")))
void trm_swiglu_backward_bf16_avx512(const uint16_t *x, const float *dOut, long rows, long inner, float *dx) {
    swiglu_backward(x, 1, dOut, rows, inner, dx, 0);
}

__attribute__((target("avx512f")))
void trm_swiglu_backward_bf16_to_bf16_avx512(const uint16_t *x, const float *dOut, long rows, long inner, uint16_t *dx) {
    swiglu_backward(x, 1, dOut, rows, inner, dx, 1);
}
#else
#include <stdlib.h>
int trm_avx512_available(void) { return 0; }
void trm_swiglu_forward_avx512(const float *x, long rows, long inner, float *out) {
    (void)x; (void)rows; (void)inner; (void)out;
    abort();
}
void trm_swiglu_backward_avx512(const float *x, const float *dOut, long rows, long inner, float *dx) {
    (void)x; (void)dOut; (void)rows; (void)inner; (void)dx;
    abort();
}
void trm_swiglu_forward_bf16_avx512(const uint16_t *x, long rows, long inner, float *out) {
    (void)x; (void)rows; (void)inner; (void)out;
    abort();
}
void trm_swiglu_backward_bf16_avx512(const uint16_t *x, const float *dOut, long rows, long inner, float *dx) {
    (void)x; (void)dOut; (void)rows; (void)inner; (void)dx;
    abort();
}
void trm_swiglu_forward_bf16_to_bf16_avx512(const uint16_t *x, long rows, long inner, uint16_t *out) {
    (void)x; (void)rows; (void)inner; (void)out;
    abort();
}
void trm_swiglu_backward_bf16_to_bf16_avx512(const uint16_t *x, const float *dOut, long rows, long inner, uint16_t *dx) {
    (void)x; (void)dOut; (void)rows; (void)inner; (void)dx;
    abort();
}
#endif
