// bfloat16 conversions: fp32 -> bf16 with round-to-nearest-even (as PyTorch's `.to(bfloat16)`),
// and the fp32 -> bf16 -> fp32 round trip the bf16 compute dtype applies where the reference
// holds a tensor in bf16. NaN stays NaN (quiet); infinities stay infinite.
import CTRMKernels

extension Kernels {
    /// bf16 bits of one float, round to nearest even. Reference for the vector kernels.
    @inline(__always)
    static func bf16Bits(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        if bits & 0x7FFF_FFFF > 0x7F80_0000 { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: rounded >> 16)
    }

    /// The fp32 value of bf16 bits.
    @inline(__always)
    static func float(bf16 bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    // The conversions run on the context's threads (elementwise: the same bits on any number).
    // Serial, they were 4% of a 2-thread bf16 training step during which the second core idled.

    /// dst[i] = bf16(src[i]) for `count` elements (C, vectorised; `bf16Bits` is the reference).
    static func convertToBF16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, count: Int) {
        parallelChunks(count, grain: elementGrain) { r in trm_f32_to_bf16(src + r.lowerBound, dst + r.lowerBound, r.count) }
    }

    /// dst[i] = the fp32 value of the bf16 bits src[i] (C, vectorised; `float(bf16:)` is the reference).
    static func widen(bf16 src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        parallelChunks(count, grain: elementGrain) { r in trm_bf16_to_f32(src + r.lowerBound, dst + r.lowerBound, r.count) }
    }

    /// dst[i] = fp32(bf16(src[i])): rounds in place when src == dst.
    static func roundThroughBF16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        parallelChunks(count, grain: elementGrain) { r in
            trm_round_through_bf16(src + r.lowerBound, dst + r.lowerBound, r.count)
        }
    }

    /// bf16 copy of a row-major matrix with `rows` rows of `cols` elements at stride `ld`,
    /// written densely (stride `cols`).
    static func convertToBF16(_ src: UnsafePointer<Float>, rows: Int, cols: Int, ld: Int,
                              _ dst: UnsafeMutablePointer<UInt16>) {
        if ld == cols { convertToBF16(src, dst, count: rows * cols); return }
        parallelChunks(rows, grain: max(1, elementGrain / max(cols, 1))) { r in
            for row in r { trm_f32_to_bf16(src + row * ld, dst + row * cols, cols) }
        }
    }
}

/// x rounded to bfloat16 and back (a cast to bf16 where the reference holds the tensor in bf16).
/// The gradient passes through unchanged, as autograd's cast does up to the gradient's own rounding.
public func roundedToBF16(_ x: Tensor) -> Tensor {
    let out = Tensor(uninitialized: x.shape)
    Kernels.roundThroughBF16(x.data, out.data, count: x.count)
    Tape.record(out, inputs: [x]) { g in [g] }
    return out
}

/// x itself, its values rounded to bf16 in place when the current context computes in bf16: for the
/// fresh output of an op whose backward does not read its output (a sum, a scale, a gather), where
/// `roundedToComputeDType` would keep a second buffer of the same size alive on the tape. The
/// gradient passes through unchanged either way. Never for a tensor anything else still holds.
public func roundingInPlaceToComputeDType(_ x: Tensor) -> Tensor {
    if ComputeContext.current.dtype == .bf16 { Kernels.roundThroughBF16(x.data, x.data, count: x.count) }
    return x
}

/// `roundedToBF16(x)` when the current context computes in bf16, else x itself.
public func roundedToComputeDType(_ x: Tensor) -> Tensor {
    ComputeContext.current.dtype == .bf16 ? roundedToBF16(x) : x
}
