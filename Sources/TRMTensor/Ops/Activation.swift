// SiLU and fused SwiGLU, forward and backward, and the SwiGLU projection fused with its gate.

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

/// swiglu(matmul(x, weight, transposeA: transposeA, transposeB: true, weightB: true)) as one op:
/// a SwiGLU layer's gate/up projection and its gate. x: [..., M, K] (or [..., K, M] with
/// transposeA), weight: [2I, K] -> [..., M, I]. In bf16 the projection's result is written by
/// oneDNN as bf16 (the same bits as rounding its fp32 result, without a rounding pass over the
/// widest activation of the block), the gate reads those bits, and the backward keeps them: half
/// the bytes of the fp32 buffer the two ops would keep. In fp32 it is the two ops.
public func swiglu(projecting x: Tensor, weight: Tensor, transposeA: Bool = false) throws -> Tensor {
    guard ComputeContext.current.dtype == .bf16 else {
        return try swiglu(matmul(x, weight, transposeA: transposeA, transposeB: true, weightB: true))
    }
    guard x.rank >= 2, weight.rank == 2 else {
        throw TensorError.invalidShape(op: "swiglu (projecting)", shape: x.rank < 2 ? x.shape : weight.shape,
                                       reason: x.rank < 2 ? "needs rank >= 2" : "the weight must be [2I, K]")
    }
    let batchShape = Array(x.shape.dropLast(2))
    let (xr, xc) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
    let m = transposeA ? xc : xr, k = transposeA ? xr : xc, n = weight.shape[0]
    guard weight.shape[1] == k else { throw TensorError.shapeMismatch(op: "swiglu (projecting, inner axes)", lhs: x.shape, rhs: weight.shape) }
    guard n % 2 == 0 else {
        throw TensorError.invalidShape(op: "swiglu (projecting)", shape: weight.shape, reason: "the weight's rows must be even (gate and up halves)")
    }
    let batch = elementCount(batchShape), rows = batch * m, inner = n / 2
    if k == 0 || rows == 0 || inner == 0 {
        return try swiglu(matmul(x, weight, transposeA: transposeA, transposeB: true, weightB: true))
    }
    let (projected, bits) = bf16Buffer(rows * n)
    if !transposeA {
        BLAS.gemm(bf16TransA: false, transB: true, m: rows, n: n, k: k, a: .float(x.data, ld: k),
                  b: .float(weight.data, ld: k, weight: true), bf16Output: bits)
    } else {
        for i in 0..<batch {
            BLAS.gemm(bf16TransA: true, transB: true, m: m, n: n, k: k, a: .float(x.data + i * m * k, ld: m),
                      b: .float(weight.data, ld: k, weight: true), bf16Output: bits + i * m * n)
        }
    }
    let out = Tensor(uninitialized: batchShape + [m, inner])
    Kernels.swigluForward(bf16: bits, rows: rows, inner: inner, out.data)
    Tape.record(out, inputs: [x, weight]) { g in
        let gh = Tensor(uninitialized: batchShape + [m, n])
        withExtendedLifetime(projected) {
            Kernels.swigluBackward(bf16: bits, g.data, rows: rows, inner: inner, gh.data)
        }
        let gx = Tensor(uninitialized: x.shape), gw = Tensor(uninitialized: weight.shape)
        MatMulKernel.backward(x.data, weight.data, gh.data, gx.data, gw.data, batch: batch, m: m, n: n, k: k,
                              transposeA: transposeA, transposeB: true, sharedB: true, weightB: true)
        return [gx, gw]
    }
    withExtendedLifetime(projected) {}
    return out
}

/// down(swiglu(gateUp(x))), a SwiGLU layer without biases, as one op. x: [..., D], gateUp:
/// [2I, D], down: [E, I] -> [..., E]. In bf16 the gate/up projection is written in bf16 (as in
/// `swiglu(projecting:)`), the gate writes its result in bf16 as the down projection's operand (no
/// conversion pass before the product, none again for its weight gradient), and the backward
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
        let (roundedG, g16) = bf16Buffer(rows * width)
        Kernels.convertToBF16(g.data, g16, count: rows * width)
        BLAS.gemm(bf16TransA: false, transB: false, m: rows, n: inner, k: width, a: .bits(g16),
                  b: .float(down.data, ld: inner, weight: true), c: dGated.data, ldc: inner)
        withExtendedLifetime((projected, gated, roundedG)) {
            BLAS.gemm(bf16TransA: true, transB: false, m: width, n: inner, k: rows, a: .bits(g16),
                      b: .bits(a), c: dDown.data, ldc: inner)
        }
        // The gate, its gradient written in bf16 (both products below round it so), then the
        // gate/up projection's gradients: dx = dh @ gate_up, d(gate_up) = dh^T @ x.
        let (roundedDh, dh) = bf16Buffer(rows * n)
        withExtendedLifetime(projected) {
            Kernels.swigluBackward(bf16: h, dGated.data, rows: rows, inner: inner, bf16Output: dh)
        }
        let gx = Tensor(uninitialized: x.shape), gGateUp = Tensor(uninitialized: gateUp.shape)
        withExtendedLifetime(roundedDh) {
            BLAS.gemm(bf16TransA: false, transB: false, m: rows, n: d, k: n, a: .bits(dh),
                      b: .float(gateUp.data, ld: d, weight: true), c: gx.data, ldc: d)
            BLAS.gemm(bf16TransA: true, transB: false, m: n, n: d, k: rows, a: .bits(dh), b: .float(x.data, ld: d),
                      c: gGateUp.data, ldc: d)
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
