// SiLU and fused SwiGLU, forward and backward, and the whole SwiGLU layer as one op.

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

/// down(swiglu(gateUp(x))), a SwiGLU layer without biases, as one op. x: [..., D], gateUp:
/// [2I, D], down: [E, I] -> [..., E]. In bf16 the gate/up projection is written in bf16 by oneDNN
/// (the same bits as rounding its fp32 result, without a rounding pass over the widest activation
/// of the block), the gate reads those bits and writes its result in bf16 as the down projection's
/// operand (no conversion pass before the product, none again for its weight gradient), and the backward
/// keeps those two bf16 buffers instead of two fp32 ones: the same numbers as the three ops, with
/// half the bytes kept. In fp32 it is the three ops.
public func swigluFeedForward(_ x: Tensor, gateUp: Tensor, down: Tensor) throws -> Tensor {
    func threeOps() throws -> Tensor { try linear(swiglu(linear(x, weight: gateUp)), weight: down) }
    guard ComputeContext.current.dtype == .bf16 else { return try threeOps() }
    guard gateUp.rank == 2, down.rank == 2, let d = x.shape.last, gateUp.shape[1] == d,
          gateUp.shape[0] % 2 == 0, down.shape[1] == gateUp.shape[0] / 2 else {
        throw TensorError.shapeMismatch(op: "swigluFeedForward (x, gate_up, down)", lhs: x.shape,
                                        rhs: gateUp.shape + down.shape)
    }
    let n = gateUp.shape[0], inner = n / 2, width = down.shape[0], rows = x.count / max(d, 1)
    if d == 0 || inner == 0 || rows == 0 || width == 0 { return try threeOps() }
    // gate/up projection and gate, each result in bf16 bits
    let (projected, h) = bf16Buffer(rows * n), (gated, a) = bf16Buffer(rows * inner)
    BLAS.gemm(bf16TransA: false, transB: true, m: rows, n: n, k: d, a: .float(x.data, ld: d),
              b: .float(gateUp.data, ld: d, weight: true), bf16Output: h)
    Kernels.swigluForward(bf16: h, rows: rows, inner: inner, bf16Output: a)
    let y = Tensor(uninitialized: Array(x.shape.dropLast()) + [width])
    BLAS.gemm(bf16TransA: false, transB: true, m: rows, n: width, k: inner, a: .bits(a),
              b: .float(down.data, ld: inner, weight: true), c: y.data, ldc: width)
    Tape.record(y, inputs: [x, gateUp, down]) { g in
        // The down projection: d(gated) = dy @ down, d(down) = dy^T @ gated, both on dy rounded
        // to bf16 once.
        let dGated = Tensor(uninitialized: [rows, inner]), dDown = Tensor(uninitialized: down.shape)
        let (roundedG, g16) = bf16Copy(g.data, count: rows * width)
        withExtendedLifetime((projected, gated, roundedG)) {
            MatMulKernel.linearBackwardBF16(dy: g16, x: .bits(a), w: down.data, rows: rows, inFeatures: inner,
                                            outFeatures: width, dx: dGated.data, dw: dDown.data)
        }
        // The gate, its gradient written in bf16 (both products below round it so), then the
        // gate/up projection's gradients: dx = dh @ gate_up, d(gate_up) = dh^T @ x.
        let (roundedDh, dh) = bf16Buffer(rows * n)
        withExtendedLifetime(projected) {
            Kernels.swigluBackward(bf16: h, dGated.data, rows: rows, inner: inner, bf16Output: dh)
        }
        let gx = Tensor(uninitialized: x.shape), gGateUp = Tensor(uninitialized: gateUp.shape)
        withExtendedLifetime(roundedDh) {
            MatMulKernel.linearBackwardBF16(dy: dh, x: .float(x.data, ld: d), w: gateUp.data, rows: rows, inFeatures: d,
                                            outFeatures: n, dx: gx.data, dw: gGateUp.data)
        }
        return [gx, gGateUp, dDown]
    }
    withExtendedLifetime((projected, gated)) {}
    return y
}

/// A pool tensor holding `count` bf16 values (half as many floats) and those values' bits: where
/// the fused ops keep an activation in bf16. The bits live as long as the tensor.
func bf16Buffer(_ count: Int) -> (storage: Tensor, bits: UnsafeMutablePointer<UInt16>) {
    let storage = Tensor(uninitialized: [(count + 1) / 2])
    return (storage, UnsafeMutableRawPointer(storage.data).bindMemory(to: UInt16.self, capacity: count))
}

/// `values` rounded to bf16 into a `bf16Buffer`: an operand read by more than one product.
func bf16Copy(_ values: UnsafePointer<Float>, count: Int) -> (storage: Tensor, bits: UnsafeMutablePointer<UInt16>) {
    let copy = bf16Buffer(count)
    Kernels.convertToBF16(values, copy.bits, count: count)
    return copy
}
