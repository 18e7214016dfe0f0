// Broadcasting rules (NumPy's: align trailing axes; equal or 1) and the two general strided
// kernels behind them: expand a tensor to a larger shape, and sum a tensor down to a smaller one.

enum Broadcast {
    /// The broadcast shape of `a` and `b`, or an error naming both.
    static func shape(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        let r = max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else {
                throw TensorError.notBroadcastable(op: op, lhs: a, rhs: b)
            }
        }
        return out
    }

    /// Strides of `inShape` read through `outShape` (0 on broadcast axes).
    static func strides(of inShape: [Int], in outShape: [Int]) -> [Int] {
        let r = outShape.count
        var strides = [Int](repeating: 0, count: r)
        var s = 1
        for i in stride(from: inShape.count - 1, through: 0, by: -1) {
            let oi = i + (r - inShape.count)
            strides[oi] = inShape[i] == 1 && outShape[oi] != 1 ? 0 : s
            s *= inShape[i]
        }
        return strides
    }

    /// Visits every output index with the matching input offset.
    @inline(__always)
    static func forEach(outShape: [Int], inStrides: [Int], _ body: (Int, Int) -> Void) {
        let total = elementCount(outShape)
        if total == 0 { return }
        let r = outShape.count
        if r == 0 { body(0, 0); return }
        var idx = [Int](repeating: 0, count: r)
        var off = 0
        for o in 0..<total {
            body(o, off)
            var ax = r - 1
            while ax >= 0 {
                idx[ax] += 1
                off += inStrides[ax]
                if idx[ax] < outShape[ax] { break }
                off -= inStrides[ax] * idx[ax]
                idx[ax] = 0
                ax -= 1
            }
        }
    }

    /// Is `small` the trailing part of `big` (so a row broadcast)?
    static func isSuffix(_ small: [Int], of big: [Int]) -> Bool {
        small.count <= big.count && Array(big.suffix(small.count)) == small
    }

    /// x expanded to `shape` (a copy).
    static func expand(_ x: Tensor, to shape: [Int]) -> Tensor {
        let out = Tensor(uninitialized: shape)
        if x.shape == shape { out.data.update(from: x.data, count: x.count); return out }
        if isSuffix(x.shape, of: shape) {
            let w = x.count, rows = out.count / max(w, 1)
            for r in 0..<rows { (out.data + r * w).update(from: x.data, count: w) }
            return out
        }
        let st = strides(of: x.shape, in: shape)
        let src = x.data, dst = out.data
        forEach(outShape: shape, inStrides: st) { o, i in dst[o] = src[i] }
        return out
    }

    /// g summed down to `shape` (the gradient of an expand).
    static func sum(_ g: Tensor, to shape: [Int]) -> Tensor {
        if g.shape == shape { return g }
        let out = Tensor(zeros: shape)
        if isSuffix(shape, of: g.shape) {
            let w = out.count
            Kernels.sumRows(g.data, rows: g.count / max(w, 1), width: w, out.data)
            return out
        }
        let st = strides(of: shape, in: g.shape)
        let src = g.data, dst = out.data
        forEach(outShape: g.shape, inStrides: st) { o, i in dst[i] += src[o] }
        return out
    }
}
