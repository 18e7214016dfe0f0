// swift-trm's C kernels, chosen at run time where the CPU has AVX-512F or AVX2 (x86_64 only):
// SwiGLU forward/backward, with fp32 or bf16 input; and bf16 conversions (any CPU). (Matrix products run on oneDNN on Linux, Accelerate on macOS.)
#ifndef TRM_KERNELS_H
#define TRM_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// dst[i] = bf16(src[i]), round to nearest even, NaN stays (quiet) NaN. Any CPU.
void trm_f32_to_bf16(const float *src, uint16_t *dst, long count);

/// dst[i] = fp32(bf16(src[i])) (src == dst allowed; otherwise the two must not overlap). Any CPU.
void trm_round_through_bf16(const float *src, float *dst, long count);

/// dst[i] = fp32(src[i]): bf16 bits widened, exactly. Any CPU.
void trm_bf16_to_f32(const uint16_t *src, float *dst, long count);

/// 1 when this CPU can run the AVX-512 kernels below (x86_64 with AVX-512F), else 0.
int trm_avx512_available(void);

/// SwiGLU over rows of width 2I: out[r, j] = silu(x[r, j]) * x[r, I + j]; x: [rows, 2I] -> out:
/// [rows, I]. Bit-identical to the Swift SIMD kernel. Requires trm_avx512_available().
void trm_swiglu_forward_avx512(const float *x, long rows, long inner, float *out);

/// Backward of trm_swiglu_forward_avx512: dOut [rows, I] -> dx [rows, 2I].
void trm_swiglu_backward_avx512(const float *x, const float *dOut, long rows, long inner, float *dx);

/// The two above with x given as bf16 bits (widened exactly to fp32 first): the same results as
/// the fp32 kernels on the widened values.
void trm_swiglu_forward_bf16_avx512(const uint16_t *x, long rows, long inner, float *out);
void trm_swiglu_backward_bf16_avx512(const uint16_t *x, const float *dOut, long rows, long inner, float *dx);

/// trm_swiglu_forward_bf16_avx512 with its result rounded to bf16 (as trm_f32_to_bf16) as it is stored.
void trm_swiglu_forward_bf16_to_bf16_avx512(const uint16_t *x, long rows, long inner, uint16_t *out);
/// trm_swiglu_backward_bf16_avx512 with dx rounded to bf16 (as trm_f32_to_bf16) as it is stored.
void trm_swiglu_backward_bf16_to_bf16_avx512(const uint16_t *x, const float *dOut, long rows, long inner, uint16_t *dx);

/// 1 when this CPU can run the AVX2 kernels below (x86_64 with AVX2), else 0.
int trm_avx2_available(void);

/// The six SwiGLU kernels above in 8 lanes (AVX2), bit-identical to them and to the Swift SIMD
/// kernels. Require trm_avx2_available().
void trm_swiglu_forward_avx2(const float *x, long rows, long inner, float *out);
void trm_swiglu_backward_avx2(const float *x, const float *dOut, long rows, long inner, float *dx);
void trm_swiglu_forward_bf16_avx2(const uint16_t *x, long rows, long inner, float *out);
void trm_swiglu_backward_bf16_avx2(const uint16_t *x, const float *dOut, long rows, long inner, float *dx);
void trm_swiglu_forward_bf16_to_bf16_avx2(const uint16_t *x, long rows, long inner, uint16_t *out);
void trm_swiglu_backward_bf16_to_bf16_avx2(const uint16_t *x, const float *dOut, long rows, long inner, uint16_t *dx);

/// Rows r0..<r1 of src [rows, cols] written as columns r0..<r1 of dst [cols, rows] (a transpose
/// of those rows), in 8 x 8 AVX2 blocks within 32 x 32 tiles. Requires trm_avx2_available().
void trm_transpose_rows_avx2(const float *src, long rows, long cols, long r0, long r1, float *dst);

#ifdef __cplusplus
}
#endif
#endif
