// bfloat16 conversions: fp32 -> bf16 with round-to-nearest-even (as PyTorch's `.to(bfloat16)`),
// and the fp32 -> bf16 -> fp32 round trip the bf16 compute dtype applies where the reference
// holds a tensor in bf16. NaN stays NaN (quiet); infinities stay infinite.

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

    /// Rounded bf16 bits of 16 floats, still in 32-bit lanes (low half zero once shifted back).
    @inline(__always)
    private static func roundedBits(_ v: SIMD16<UInt32>) -> SIMD16<UInt32> {
        let magnitude = v & 0x7FFF_FFFF
        let rounded = (v &+ 0x7FFF &+ ((v &>> 16) & 1)) & 0xFFFF_0000
        // NaN: keep the sign and exponent, force a quiet mantissa bit.
        return rounded.replacing(with: (v & 0xFFFF_0000) | 0x0040_0000, where: magnitude .> 0x7F80_0000)
    }

    /// dst[i] = bf16(src[i]) for `count` elements.
    static func convertToBF16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, count: Int) {
        var i = 0
        src.withMemoryRebound(to: UInt32.self, capacity: count) { s in
            while i + 16 <= count {
                let v = UnsafeRawPointer(s + i).loadUnaligned(as: SIMD16<UInt32>.self)
                let r = SIMD16<UInt16>(truncatingIfNeeded: roundedBits(v) &>> 16)
                UnsafeMutableRawPointer(dst + i).storeBytes(of: r, as: SIMD16<UInt16>.self)
                i += 16
            }
        }
        while i < count { dst[i] = bf16Bits(src[i]); i += 1 }
    }

    /// dst[i] = fp32(bf16(src[i])): rounds in place when src == dst.
    static func roundThroughBF16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        src.withMemoryRebound(to: UInt32.self, capacity: count) { s in
            while i + 16 <= count {
                let v = UnsafeRawPointer(s + i).loadUnaligned(as: SIMD16<UInt32>.self)
                UnsafeMutableRawPointer(dst + i).storeBytes(of: roundedBits(v), as: SIMD16<UInt32>.self)
                i += 16
            }
        }
        while i < count { dst[i] = float(bf16: bf16Bits(src[i])); i += 1 }
    }

    /// bf16 copy of a row-major matrix with `rows` rows of `cols` elements at stride `ld`,
    /// written densely (stride `cols`).
    static func convertToBF16(_ src: UnsafePointer<Float>, rows: Int, cols: Int, ld: Int,
                              _ dst: UnsafeMutablePointer<UInt16>) {
        if ld == cols { convertToBF16(src, dst, count: rows * cols); return }
        for r in 0..<rows { convertToBF16(src + r * ld, dst + r * cols, count: cols) }
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

/// `roundedToBF16(x)` when the current context computes in bf16, else x itself.
public func roundedToComputeDType(_ x: Tensor) -> Tensor {
    ComputeContext.current.dtype == .bf16 ? roundedToBF16(x) : x
}
