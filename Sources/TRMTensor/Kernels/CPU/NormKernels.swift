// RMSNorm kernels without a learned scale, statistics in float32 (the inputs are float32).
// Viewed as [outer, n, inner]: normalise over n for every (outer, inner) pair. inner == 1 is the
// usual last-axis norm; inner > 1 normalises over an earlier axis (the MLP-mixer quirk).

extension Kernels {
    /// sum a[j] * b[j] for j in 0..<n, in 32 lanes (two 16-lane accumulators, then their lanes
    /// summed, then the tail): a fixed order, the same on every thread count. A scalar loop's sum
    /// waits on the previous add at every element (about 4 cycles each); the norms over a row of
    /// 128-512 values spent most of their time there.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var s0 = F16x(), s1 = F16x()
        var j = 0
        while j + 32 <= n {
            s0 += a.loadVector(j) * b.loadVector(j)
            s1 += a.loadVector(j + 16) * b.loadVector(j + 16)
            j += 32
        }
        if j + 16 <= n { s0 += a.loadVector(j) * b.loadVector(j); j += 16 }
        var total = (s0 + s1).sum()
        while j < n { total += a[j] * b[j]; j += 1 }
        return total
    }

    /// y = x / sqrt(mean(x^2) + eps) over the n axis; writes 1/rms to `rstd` ([outer, inner]).
    public static func rmsNormForward(_ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, eps: Float,
                                      _ y: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>) {
        if inner == 1 {
            parallelChunks(outer, grain: max(1, elementGrain / max(n, 1))) { r in
                for row in r {
                    let xr = x + row * n, yr = y + row * n
                    let rs = 1 / (dot(xr, xr, n) / Float(n) + eps).squareRoot()
                    rstd[row] = rs
                    for j in 0..<n { yr[j] = xr[j] * rs }
                }
            }
            return
        }
        parallelChunks(outer, grain: max(1, elementGrain / max(n * inner, 1))) { r in
            for o in r {
                let xo = x + o * n * inner, yo = y + o * n * inner, ro = rstd + o * inner
                ro.update(repeating: 0, count: inner)
                for k in 0..<n {
                    let xk = xo + k * inner
                    for j in 0..<inner { ro[j] += xk[j] * xk[j] }
                }
                for j in 0..<inner { ro[j] = 1 / (ro[j] / Float(n) + eps).squareRoot() }
                for k in 0..<n {
                    let xk = xo + k * inner, yk = yo + k * inner
                    for j in 0..<inner { yk[j] = xk[j] * ro[j] }
                }
            }
        }
    }

    /// dx = rstd * (dy - y * mean(dy * y)) over the n axis.
    public static func rmsNormBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                                       outer: Int, n: Int, inner: Int, _ dx: UnsafeMutablePointer<Float>) {
        if inner == 1 {
            parallelChunks(outer, grain: max(1, elementGrain / max(n, 1))) { r in
                for row in r {
                    let yr = y + row * n, dyr = dy + row * n, dxr = dx + row * n
                    let m = dot(dyr, yr, n) / Float(n), rs = rstd[row]
                    for j in 0..<n { dxr[j] = rs * (dyr[j] - yr[j] * m) }
                }
            }
            return
        }
        parallelChunks(outer, grain: max(1, elementGrain / max(n * inner, 1))) { r in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: inner) { dotBuf in
                let dot = dotBuf.baseAddress!
                for o in r {
                    let base = o * n * inner
                    let ro = rstd + o * inner
                    dot.update(repeating: 0, count: inner)
                    for k in 0..<n {
                        let yk = y + base + k * inner, dk = dy + base + k * inner
                        for j in 0..<inner { dot[j] += yk[j] * dk[j] }
                    }
                    let invN = 1 / Float(n)
                    for k in 0..<n {
                        let yk = y + base + k * inner, dk = dy + base + k * inner, xk = dx + base + k * inner
                        for j in 0..<inner { xk[j] = ro[j] * (dk[j] - yk[j] * dot[j] * invN) }
                    }
                }
            }
        }
    }
}
