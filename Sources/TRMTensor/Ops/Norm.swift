// RMSNorm without a learned scale, over the last axis or a chosen axis; and the fused
// residual form rmsNorm(a + b) used by post-norm blocks.

/// Geometry [outer, n, inner] of normalising `shape` over `axis`.
private func normGeometry(_ shape: [Int], axis: Int) -> (outer: Int, n: Int, inner: Int) {
    (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
}

/// x / sqrt(mean(x^2 over axis) + eps). x: [...] -> same shape.
public func rmsNorm(_ x: Tensor, axis: Int = -1, eps: Float = 1e-5) throws -> Tensor {
    let ax = try normalizedAxis(axis, rank: x.rank, op: "rmsNorm")
    let (outer, n, inner) = normGeometry(x.shape, axis: ax)
    let out = Tensor(uninitialized: x.shape)
    let rstd = Tensor(uninitialized: [outer * inner])
    Kernels.rmsNormForward(x.data, outer: outer, n: n, inner: inner, eps: eps, out.data, rstd: rstd.data)
    Tape.record(out, inputs: [x]) { [unowned out] g in
        let gx = Tensor(uninitialized: x.shape)
        Kernels.rmsNormBackward(out.data, g.data, rstd: rstd.data, outer: outer, n: n, inner: inner, gx.data)
        return [gx]
    }
    return out
}

/// rmsNorm(a + b) in one pass (the post-norm residual). a, b: same shape.
/// `roundedToComputeDType`: in the bf16 compute dtype the result is rounded to bf16 in place (the
/// reference computes the norm in fp32 and casts it back to bf16). The backward then recomputes the
/// fp32 norm from a and b, which the tape keeps anyway, instead of keeping a second, unrounded
/// copy of the output alive: the same gradients as `roundedToComputeDType(addRMSNorm(a, b))`, one
/// activation buffer less per norm.
public func addRMSNorm(_ a: Tensor, _ b: Tensor, axis: Int = -1, eps: Float = 1e-5,
                       roundedToComputeDType: Bool = false) throws -> Tensor {
    guard a.shape == b.shape else { throw TensorError.shapeMismatch(op: "addRMSNorm", lhs: a.shape, rhs: b.shape) }
    let ax = try normalizedAxis(axis, rank: a.rank, op: "addRMSNorm")
    let (outer, n, inner) = normGeometry(a.shape, axis: ax)
    let out = Tensor(uninitialized: a.shape)
    let rstd = Tensor(uninitialized: [outer * inner])
    Kernels.add(a.data, b.data, out.data, count: a.count)
    Kernels.rmsNormForward(out.data, outer: outer, n: n, inner: inner, eps: eps, out.data, rstd: rstd.data)
    let rounded = roundedToComputeDType && ComputeContext.current.dtype == .bf16
    if rounded { Kernels.roundThroughBF16(out.data, out.data, count: out.count) }
    Tape.record(out, inputs: [a, b]) { [unowned out] g in
        // The backward needs the fp32 norm: the output itself, or recomputed when it was rounded.
        var y = out
        if rounded {
            y = Tensor(uninitialized: a.shape)
            let unused = Tensor(uninitialized: [outer * inner])
            Kernels.add(a.data, b.data, y.data, count: a.count)
            Kernels.rmsNormForward(y.data, outer: outer, n: n, inner: inner, eps: eps, y.data, rstd: unused.data)
        }
        let gx = Tensor(uninitialized: a.shape)
        Kernels.rmsNormBackward(y.data, g.data, rstd: rstd.data, outer: outer, n: n, inner: inner, gx.data)
        return [gx, gx]
    }
    return out
}
