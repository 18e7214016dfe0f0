// RMSNorm kernels without a learned scale, statistics in float32 (the inputs are float32).
// Viewed as [outer, n, inner]: normalise over n for every (outer, inner) pair. inner == 1 is the
// usual last-axis norm; inner > 1 normalises over an earlier axis (the MLP-mixer quirk).

extension Kernels {
    /// y = x / sqrt(mean(x^2) + eps) over the n axis; writes 1/rms to `rstd` ([outer, inner]).
    public static func rmsNormForward(_ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, eps: Float,
                                      _ y: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>) {
        if inner == 1 {
            parallelChunks(outer, grain: max(1, elementGrain / max(n, 1))) { r in
                for row in r {
                    let xr = x + row * n, yr = y + row * n
                    var acc: Float = 0
                    for j in 0..<n { acc += xr[j] * xr[j] }
                    let rs = 1 / (acc / Float(n) + eps).squareRoot()
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
                    var dot: Float = 0
                    for j in 0..<n { dot += dyr[j] * yr[j] }
                    let m = dot / Float(n), rs = rstd[row]
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
