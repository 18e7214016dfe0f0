// fp32 -> bf16 conversions for the bf16 compute dtype: round to nearest even, NaN kept quiet NaN.
// Plain integer loops the compiler vectorises, cloned for AVX-512, AVX2 and the baseline and
// picked at load time (the Swift SIMD16 version ran lane by lane: 40% of a bf16 step in a profile).
#include "trm_kernels.h"
#include <string.h>

#if defined(__x86_64__) && defined(__linux__)
#define TRM_CLONES __attribute__((target_clones("avx512bw", "avx2", "default")))
#else
#define TRM_CLONES
#endif

static inline uint32_t trm_bf16_rounded_bits(uint32_t b) {
    // NaN: keep sign and exponent, force a quiet mantissa bit; else add half an ulp (ties to even).
    uint32_t nan = (b & 0xFFFF0000u) | 0x00400000u;
    uint32_t rounded = (b + 0x7FFFu + ((b >> 16) & 1u)) & 0xFFFF0000u;
    return ((b & 0x7FFFFFFFu) > 0x7F800000u) ? nan : rounded;
}

TRM_CLONES
void trm_f32_to_bf16(const float *src, uint16_t *dst, long count) {
    for (long i = 0; i < count; i++) {
        uint32_t b;
        memcpy(&b, src + i, 4);
        dst[i] = (uint16_t)(trm_bf16_rounded_bits(b) >> 16);
    }
}

// In place, through one pointer: with separate src and dst pointers that are equal, the
// compiler's runtime overlap check sends the two-pointer loop down its scalar path (a profile of
// a bf16 training step had it at 15% of the step, rounding each product's result lane by lane).
TRM_CLONES
static void trm_round_through_bf16_in_place(float *x, long count) {
    for (long i = 0; i < count; i++) {
        uint32_t b;
        memcpy(&b, x + i, 4);
        b = trm_bf16_rounded_bits(b);
        memcpy(x + i, &b, 4);
    }
}

TRM_CLONES
static void trm_round_through_bf16_copy(const float *restrict src, float *restrict dst, long count) {
    for (long i = 0; i < count; i++) {
        uint32_t b;
        memcpy(&b, src + i, 4);
        b = trm_bf16_rounded_bits(b);
        memcpy(dst + i, &b, 4);
    }
}

void trm_round_through_bf16(const float *src, float *dst, long count) {
    if (src == dst) trm_round_through_bf16_in_place(dst, count);
    else trm_round_through_bf16_copy(src, dst, count);
}

// dst[i] = fp32(src[i]): bf16 bits widened (exact: the bits become the top half).
TRM_CLONES
void trm_bf16_to_f32(const uint16_t *src, float *dst, long count) {
    for (long i = 0; i < count; i++) {
        uint32_t b = (uint32_t)src[i] << 16;
        memcpy(dst + i, &b, 4);
    }
}
