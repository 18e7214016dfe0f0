// SiLU and fused SwiGLU, forward and backward.

/// x * sigmoid(x), elementwise.
public func silu(_ x: Tensor) -> Tensor {
    let out = Tensor(uninitialized: x.shape)
    Kernels.siluForward(x.data, out.data, count: x.count)
    Tape.record(out, inputs: [x]) { g in
        let gx = Tensor(uninitialized: x.shape)
        Kernels.siluBackward(x.data, g.data, gx.data, count: x.count)
        return [gx]
    }
    return out
}

/// Fused SwiGLU gate: x: [..., 2I] (gate first, then up) -> [..., I] = silu(gate) * up.
public func swiglu(_ x: Tensor) throws -> Tensor {
    guard let last = x.shape.last, last % 2 == 0 else {
        throw TensorError.invalidShape(op: "swiglu", shape: x.shape, reason: "last axis must be even (gate and up halves)")
    }
    let inner = last / 2, rows = x.count / max(last, 1)
    let out = Tensor(uninitialized: Array(x.shape.dropLast()) + [inner])
    Kernels.swigluForward(x.data, rows: rows, inner: inner, out.data)
    Tape.record(out, inputs: [x]) { g in
        let gx = Tensor(uninitialized: x.shape)
        Kernels.swigluBackward(x.data, g.data, rows: rows, inner: inner, gx.data)
        return [gx]
    }
    return out
}
