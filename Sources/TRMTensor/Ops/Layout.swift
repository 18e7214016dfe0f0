// Layout ops, all explicit copies: transpose of two axes, slice along an axis, concatenation.

import CTRMKernels

/// Swaps axes `a` and `b` (a copy). x: [..] -> permuted shape.
public func transpose(_ x: Tensor, _ a: Int, _ b: Int) throws -> Tensor {
    let a = try normalizedAxis(a, rank: x.rank, op: "transpose"), b = try normalizedAxis(b, rank: x.rank, op: "transpose")
    var shape = x.shape
    shape.swapAt(a, b)
    let out = Tensor(uninitialized: shape)
    transposeCopy(x.data, x.shape, a, b, out.data)
    Tape.record(out, inputs: [x]) { g in
        let gx = Tensor(uninitialized: x.shape)
        transposeCopy(g.data, shape, a, b, gx.data)
        return [gx]
    }
    return out
}

/// Copies src (shape) into dst with axes a and b swapped.
func transposeCopy(_ src: UnsafePointer<Float>, _ shape: [Int], _ a: Int, _ b: Int, _ dst: UnsafeMutablePointer<Float>) {
    let r = shape.count
    if r >= 2 && min(a, b) == r - 2 && max(a, b) == r - 1 {
        // The last two axes: a batch of matrix transposes, in tiles.
        transposeMatrices(src, batch: shape.dropLast(2).reduce(1, *), rows: shape[r - 2], cols: shape[r - 1], dst)
        return
    }
    var outShape = shape
    outShape.swapAt(a, b)
    // Strides of src read in output order.
    var srcStrides = [Int](repeating: 0, count: shape.count)
    var s = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) { srcStrides[i] = s; s *= shape[i] }
    srcStrides.swapAt(a, b)
    Broadcast.forEach(outShape: outShape, inStrides: srcStrides) { o, i in dst[o] = src[i] }
}

/// dst[i] = src[i]^T for `batch` row-major [rows, cols] matrices, 32 x 32 at a time so that a
/// tile's reads and writes both stay in the L1 cache (the element-by-element strided copy above
/// misses on every write once a matrix's rows outgrow it); with AVX2 (or AVX-512) in 8 x 8
/// register blocks. Matrices split over the context's threads, or one matrix's row tiles when
/// there is a single one. `native` picks the kernel (tests compare them).
func transposeMatrices(_ src: UnsafePointer<Float>, batch: Int, rows: Int, cols: Int, _ dst: UnsafeMutablePointer<Float>,
                       native: NativeKernels = Kernels.native) {
    let size = rows * cols, tile = 32
    if batch == 0 || size == 0 { return }
    func transposeRows(_ s: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ tiles: Range<Int>) {
        let first = tiles.lowerBound * tile, last = min(tiles.upperBound * tile, rows)
        if native != .swift {
            trm_transpose_rows_avx2(s, rows, cols, first, last, d)
            return
        }
        var r0 = first
        while r0 < last {
            let r1 = min(r0 + tile, last)
            var c0 = 0
            while c0 < cols {
                let c1 = min(c0 + tile, cols)
                for r in r0..<r1 { for c in c0..<c1 { d[c * rows + r] = s[r * cols + c] } }
                c0 = c1
            }
            r0 = r1
        }
    }
    let rowTiles = (rows + tile - 1) / tile
    if batch == 1 {
        parallelChunks(rowTiles, grain: max(1, Kernels.elementGrain / (tile * max(cols, 1)))) { t in
            transposeRows(src, dst, t)
        }
        return
    }
    parallelChunks(batch, grain: max(1, Kernels.elementGrain / size)) { range in
        for i in range { transposeRows(src + i * size, dst + i * size, 0..<rowTiles) }
    }
}

/// Elements `range` along `axis` (a copy).
public func slice(_ x: Tensor, axis: Int, range: Range<Int>) throws -> Tensor {
    let ax = try normalizedAxis(axis, rank: x.rank, op: "slice")
    guard range.lowerBound >= 0, range.upperBound <= x.shape[ax] else {
        throw TensorError.indexOutOfRange(op: "slice axis \(ax)", index: range.upperBound, bound: x.shape[ax] + 1)
    }
    let outer = x.shape[..<ax].reduce(1, *), inner = x.shape[(ax + 1)...].reduce(1, *)
    let n = x.shape[ax], m = range.count
    var shape = x.shape
    shape[ax] = m
    let out = Tensor(uninitialized: shape)
    for o in 0..<outer {
        (out.data + o * m * inner).update(from: x.data + (o * n + range.lowerBound) * inner, count: m * inner)
    }
    Tape.record(out, inputs: [x]) { g in
        let gx = Tensor(zeros: x.shape)
        for o in 0..<outer {
            (gx.data + (o * n + range.lowerBound) * inner).update(from: g.data + o * m * inner, count: m * inner)
        }
        return [gx]
    }
    return out
}

/// Joins tensors along `axis`; every other axis must match.
public func concat(_ xs: [Tensor], axis: Int) throws -> Tensor {
    guard let first = xs.first else { throw TensorError.invalidShape(op: "concat", shape: [], reason: "no tensors") }
    let ax = try normalizedAxis(axis, rank: first.rank, op: "concat")
    for x in xs where x.rank != first.rank || x.shape.enumerated().contains(where: { $0.offset != ax && $0.element != first.shape[$0.offset] }) {
        throw TensorError.shapeMismatch(op: "concat", lhs: first.shape, rhs: x.shape)
    }
    let outer = first.shape[..<ax].reduce(1, *), inner = first.shape[(ax + 1)...].reduce(1, *)
    let sizes = xs.map { $0.shape[ax] }
    let total = sizes.reduce(0, +)
    var shape = first.shape
    shape[ax] = total
    let out = Tensor(uninitialized: shape)
    var offset = 0
    for (x, n) in zip(xs, sizes) {
        for o in 0..<outer {
            (out.data + (o * total + offset) * inner).update(from: x.data + o * n * inner, count: n * inner)
        }
        offset += n
    }
    Tape.record(out, inputs: xs) { g in
        var grads: [Tensor?] = []
        var off = 0
        for (x, n) in zip(xs, sizes) {
            let gx = Tensor(uninitialized: x.shape)
            for o in 0..<outer {
                (gx.data + o * n * inner).update(from: g.data + (o * total + off) * inner, count: n * inner)
            }
            grads.append(gx)
            off += n
        }
        return grads
    }
    return out
}
