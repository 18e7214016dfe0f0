// Fast CPU kernels for elementwise maths: add, mul, scale, SiLU and fused SwiGLU, forward and
// backward. Row-parallel over the thread count of the current ComputeContext.
import CTRMKernels

public enum Kernels {
    /// Elements per thread below which splitting is not worth it.
    static let elementGrain = 1 << 15

    /// a += b
    public static func addInPlace(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, count: Int) {
        parallelChunks(count, grain: elementGrain) { r in
            for i in r { a[i] += b[i] }
        }
    }

    public static func addInPlace(_ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, count: Int) {
        addInPlace(a, UnsafePointer(b), count: count)
    }

    /// out = a + alpha * b
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, alpha: Float = 1,
                           _ out: UnsafeMutablePointer<Float>, count: Int) {
        parallelChunks(count, grain: elementGrain) { r in
            for i in r { out[i] = a[i] + alpha * b[i] }
        }
    }

    /// out = a * b
    public static func mul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                           _ out: UnsafeMutablePointer<Float>, count: Int) {
        parallelChunks(count, grain: elementGrain) { r in
            for i in r { out[i] = a[i] * b[i] }
        }
    }

    /// out = s * a
    public static func scale(_ a: UnsafePointer<Float>, _ s: Float, _ out: UnsafeMutablePointer<Float>, count: Int) {
        parallelChunks(count, grain: elementGrain) { r in
            for i in r { out[i] = s * a[i] }
        }
    }

    /// Row broadcast: out[r, j] = op(a[r, j], b[j]) for `rows` rows of `width`.
    public static func rowBroadcast(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, rows: Int, width: Int,
                                    multiply: Bool, alpha: Float, _ out: UnsafeMutablePointer<Float>) {
        parallelChunks(rows, grain: max(1, elementGrain / max(width, 1))) { r in
            for row in r {
                let ar = a + row * width, orow = out + row * width
                if multiply {
                    for j in 0..<width { orow[j] = ar[j] * b[j] }
                } else {
                    for j in 0..<width { orow[j] = ar[j] + alpha * b[j] }
                }
            }
        }
    }

    /// out[j] = sum over rows of a[r, j]
    public static func sumRows(_ a: UnsafePointer<Float>, rows: Int, width: Int, _ out: UnsafeMutablePointer<Float>) {
        out.update(repeating: 0, count: width)
        for row in 0..<rows {
            let ar = a + row * width
            for j in 0..<width { out[j] += ar[j] }
        }
    }

    /// y = x * sigmoid(x)
    public static func siluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        parallelChunks(count, grain: elementGrain / 4) { r in
            var i = r.lowerBound
            while i + 16 <= r.upperBound {
                let v = x.loadVector(i)
                y.storeVector(v * vsigmoid(v), i)
                i += 16
            }
            while i < r.upperBound { y[i] = x[i] * ssigmoid(x[i]); i += 1 }
        }
    }

    /// dx = dy * sigmoid(x) * (1 + x * (1 - sigmoid(x)))
    public static func siluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                    _ dx: UnsafeMutablePointer<Float>, count: Int) {
        parallelChunks(count, grain: elementGrain / 4) { r in
            var i = r.lowerBound
            while i + 16 <= r.upperBound {
                let v = x.loadVector(i)
                let s = vsigmoid(v)
                dx.storeVector(dy.loadVector(i) * s * (1 + v * (1 - s)), i)
                i += 16
            }
            while i < r.upperBound {
                let s = ssigmoid(x[i]); dx[i] = dy[i] * s * (1 + x[i] * (1 - s)); i += 1
            }
        }
    }

    /// A SwiGLU forward C kernel: (x rows [rows, 2I], rows, I, out rows [rows, I]).
    typealias SwiGLUForwardC<X, O> = (UnsafePointer<X>?, Int, Int, UnsafeMutablePointer<O>?) -> Void
    /// A SwiGLU backward C kernel: (x rows [rows, 2I], dOut rows [rows, I], rows, I, dx rows [rows, 2I]).
    typealias SwiGLUBackwardC<X, O> = (UnsafePointer<X>?, UnsafePointer<Float>?, Int, Int, UnsafeMutablePointer<O>?) -> Void

    /// The rows of a SwiGLU forward split over the workers: each chunk runs `avx512` or `avx2` (as
    /// `native` says) or `swift`, on the chunk's rows of x and out.
    @inline(__always)
    private static func swigluForwardRows<X, O>(_ x: UnsafePointer<X>, rows: Int, inner: Int, _ out: UnsafeMutablePointer<O>,
                                                native: NativeKernels, avx512: SwiGLUForwardC<X, O>, avx2: SwiGLUForwardC<X, O>,
                                                swift: (UnsafePointer<X>, Int, UnsafeMutablePointer<O>) -> Void) {
        parallelChunks(rows, grain: max(1, elementGrain / 4 / max(inner, 1))) { r in
            let xr = x + r.lowerBound * 2 * inner, outr = out + r.lowerBound * inner
            switch native {
            case .avx512: avx512(xr, r.count, inner, outr)
            case .avx2: avx2(xr, r.count, inner, outr)
            case .swift: swift(xr, r.count, outr)
            }
        }
    }

    /// `swigluForwardRows` for a backward: the chunk's rows of x, dOut and dx.
    @inline(__always)
    private static func swigluBackwardRows<X, O>(_ x: UnsafePointer<X>, _ dOut: UnsafePointer<Float>, rows: Int, inner: Int,
                                                 _ dx: UnsafeMutablePointer<O>, native: NativeKernels,
                                                 avx512: SwiGLUBackwardC<X, O>, avx2: SwiGLUBackwardC<X, O>,
                                                 swift: (UnsafePointer<X>, UnsafePointer<Float>, Int, UnsafeMutablePointer<O>) -> Void) {
        parallelChunks(rows, grain: max(1, elementGrain / 4 / max(inner, 1))) { r in
            let xr = x + r.lowerBound * 2 * inner, dr = dOut + r.lowerBound * inner, dxr = dx + r.lowerBound * 2 * inner
            switch native {
            case .avx512: avx512(xr, dr, r.count, inner, dxr)
            case .avx2: avx2(xr, dr, r.count, inner, dxr)
            case .swift: swift(xr, dr, r.count, dxr)
            }
        }
    }

    /// SwiGLU over rows of width 2I: out[r, j] = silu(x[r, j]) * x[r, I + j].
    /// x: [rows, 2I] -> out: [rows, I]. `native`: which kernel runs: the bit-identical
    /// AVX-512 or AVX2 C kernel (CTRMKernels) where the CPU has it, or this Swift one.
    public static func swigluForward(_ x: UnsafePointer<Float>, rows: Int, inner: Int, _ out: UnsafeMutablePointer<Float>,
                                     native: NativeKernels = Kernels.native) {
        swigluForwardRows(x, rows: rows, inner: inner, out, native: native,
                          avx512: trm_swiglu_forward_avx512, avx2: trm_swiglu_forward_avx2) { x, rows, out in
            for row in 0..<rows {
                let g = x + row * 2 * inner, u = g + inner, o = out + row * inner
                var j = 0
                while j + 16 <= inner {
                    let gv = g.loadVector(j)
                    o.storeVector(gv * vsigmoid(gv) * u.loadVector(j), j)
                    j += 16
                }
                while j < inner { o[j] = g[j] * ssigmoid(g[j]) * u[j]; j += 1 }
            }
        }
    }

    /// Backward of `swigluForward`. dOut: [rows, I] -> dx: [rows, 2I]
    public static func swigluBackward(_ x: UnsafePointer<Float>, _ dOut: UnsafePointer<Float>, rows: Int, inner: Int,
                                      _ dx: UnsafeMutablePointer<Float>, native: NativeKernels = Kernels.native) {
        swigluBackwardRows(x, dOut, rows: rows, inner: inner, dx, native: native,
                           avx512: trm_swiglu_backward_avx512, avx2: trm_swiglu_backward_avx2) { x, dOut, rows, dx in
            for row in 0..<rows {
                let g = x + row * 2 * inner, u = g + inner, d = dOut + row * inner
                let dg = dx + row * 2 * inner, du = dg + inner
                var j = 0
                while j + 16 <= inner {
                    let gv = g.loadVector(j), uv = u.loadVector(j), dv = d.loadVector(j)
                    let s = vsigmoid(gv)
                    let silu = gv * s
                    du.storeVector(dv * silu, j)
                    dg.storeVector(dv * uv * s * (1 + gv * (1 - s)), j)
                    j += 16
                }
                while j < inner {
                    let s = ssigmoid(g[j])
                    du[j] = d[j] * g[j] * s
                    dg[j] = d[j] * u[j] * s * (1 + g[j] * (1 - s))
                    j += 1
                }
            }
        }
    }

    /// `swigluForward` with x given as bf16 bits: the same results as on the widened fp32 values.
    public static func swigluForward(bf16 x: UnsafePointer<UInt16>, rows: Int, inner: Int, _ out: UnsafeMutablePointer<Float>,
                                     native: NativeKernels = Kernels.native) {
        swigluForwardRows(x, rows: rows, inner: inner, out, native: native,
                          avx512: trm_swiglu_forward_bf16_avx512, avx2: trm_swiglu_forward_bf16_avx2) { x, rows, out in
            let wide = widened(x, count: rows * 2 * inner)
            defer { BufferPool.current.release(wide, count: rows * 2 * inner) }
            swigluForward(wide, rows: rows, inner: inner, out, native: .swift)
        }
    }

    /// `swigluForward(bf16:)` with its result rounded to bf16 as it is stored (the same bits as
    /// converting the fp32 result): the operand of the next product, in half the bytes.
    public static func swigluForward(bf16 x: UnsafePointer<UInt16>, rows: Int, inner: Int,
                                     bf16Output out: UnsafeMutablePointer<UInt16>, native: NativeKernels = Kernels.native) {
        swigluForwardRows(x, rows: rows, inner: inner, out, native: native,
                          avx512: trm_swiglu_forward_bf16_to_bf16_avx512, avx2: trm_swiglu_forward_bf16_to_bf16_avx2) { x, rows, out in
            let result = BufferPool.current.acquire(rows * inner)
            defer { BufferPool.current.release(result, count: rows * inner) }
            swigluForward(bf16: x, rows: rows, inner: inner, result, native: .swift)
            convertToBF16(result, out, count: rows * inner)
        }
    }

    /// `swigluBackward` with x given as bf16 bits.
    public static func swigluBackward(bf16 x: UnsafePointer<UInt16>, _ dOut: UnsafePointer<Float>, rows: Int, inner: Int,
                                      _ dx: UnsafeMutablePointer<Float>, native: NativeKernels = Kernels.native) {
        swigluBackwardRows(x, dOut, rows: rows, inner: inner, dx, native: native,
                           avx512: trm_swiglu_backward_bf16_avx512, avx2: trm_swiglu_backward_bf16_avx2) { x, dOut, rows, dx in
            let wide = widened(x, count: rows * 2 * inner)
            defer { BufferPool.current.release(wide, count: rows * 2 * inner) }
            swigluBackward(wide, dOut, rows: rows, inner: inner, dx, native: .swift)
        }
    }

    /// `swigluBackward(bf16:)` with dx rounded to bf16 as it is stored (the same bits as
    /// converting the fp32 gradient): the operand of both products that follow, in half the bytes.
    public static func swigluBackward(bf16 x: UnsafePointer<UInt16>, _ dOut: UnsafePointer<Float>, rows: Int, inner: Int,
                                      bf16Output dx: UnsafeMutablePointer<UInt16>, native: NativeKernels = Kernels.native) {
        swigluBackwardRows(x, dOut, rows: rows, inner: inner, dx, native: native,
                           avx512: trm_swiglu_backward_bf16_to_bf16_avx512,
                           avx2: trm_swiglu_backward_bf16_to_bf16_avx2) { x, dOut, rows, dx in
            let result = BufferPool.current.acquire(rows * 2 * inner)
            defer { BufferPool.current.release(result, count: rows * 2 * inner) }
            swigluBackward(bf16: x, dOut, rows: rows, inner: inner, result, native: .swift)
            convertToBF16(result, dx, count: rows * 2 * inner)
        }
    }

    /// A pool buffer holding `count` bf16 values widened to fp32 (exact); the caller releases it.
    private static func widened(_ x: UnsafePointer<UInt16>, count: Int) -> UnsafeMutablePointer<Float> {
        let wide = BufferPool.current.acquire(count)
        widen(bf16: x, wide, count: count)
        return wide
    }
}
