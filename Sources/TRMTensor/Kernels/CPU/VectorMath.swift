// Vectorised exp and sigmoid for SIMD16<Float>: a Cephes-style polynomial (relative error
// about 2e-7 over the float range), used by SiLU, SwiGLU and softmax kernels.

@usableFromInline typealias F16x = SIMD16<Float>

@inline(__always) @usableFromInline
func vexp(_ xIn: F16x) -> F16x {
    // Only operations the compiler lowers to vector instructions: comparisons with blends for the
    // clamp, and the 1.5 * 2^23 trick for round-to-nearest and the integer exponent. (The generic
    // `clamped` and float->int conversions run lane by lane, 25x slower: see the commit message.)
    let hi = F16x(repeating: 88.37626), lo = F16x(repeating: -87.33654)
    var x = xIn.replacing(with: hi, where: xIn .> hi)
    x = x.replacing(with: lo, where: x .< lo)
    let magic = F16x(repeating: 12582912.0)
    let t = x * 1.44269504088896341 + magic
    let n = t - magic
    var r = x - n * 0.693359375
    r = r + n * 2.12194440e-4
    var p = F16x(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    p = p * (r * r) + r + 1
    let bits = (unsafeBitCast(t, to: SIMD16<UInt32>.self) &- 0x4B40_0000 &+ 127) &<< 23
    return p * unsafeBitCast(bits, to: F16x.self)
}

@inline(__always) @usableFromInline
func vsigmoid(_ x: F16x) -> F16x {
    1 / (1 + vexp(-x))
}

@inline(__always) @usableFromInline
func sexp(_ x: Float) -> Float {
    vexp(F16x(repeating: x))[0]
}

@inline(__always) @usableFromInline
func ssigmoid(_ x: Float) -> Float { 1 / (1 + sexp(-x)) }

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always) func loadVector(_ i: Int) -> F16x {
        UnsafeMutableRawPointer(self + i).loadUnaligned(as: F16x.self)
    }
    @inline(__always) func storeVector(_ v: F16x, _ i: Int) {
        UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: F16x.self)
    }
}

extension UnsafePointer where Pointee == Float {
    @inline(__always) func loadVector(_ i: Int) -> F16x {
        UnsafeRawPointer(self + i).loadUnaligned(as: F16x.self)
    }
}
