// Elementwise arithmetic with broadcasting (add, sub, mul), scaling, and sum/mean over axes.

extension Tensor {
    enum BinaryOp { case add, sub, mul }

    static func binary(_ a: Tensor, _ b: Tensor, _ op: BinaryOp, name: String) throws -> Tensor {
        let shape = try Broadcast.shape(a.shape, b.shape, op: name)
        let out = Tensor(uninitialized: shape)
        let n = out.count
        if a.shape == shape && b.shape == shape {
            switch op {
            case .add: Kernels.add(a.data, b.data, out.data, count: n)
            case .sub: Kernels.add(a.data, b.data, alpha: -1, out.data, count: n)
            case .mul: Kernels.mul(a.data, b.data, out.data, count: n)
            }
        } else if a.shape == shape && Broadcast.isSuffix(b.shape, of: shape) {
            Kernels.rowBroadcast(a.data, b.data, rows: n / max(b.count, 1), width: b.count,
                                 multiply: op == .mul, alpha: op == .sub ? -1 : 1, out.data)
        } else {
            let ea = Broadcast.expand(a, to: shape), eb = Broadcast.expand(b, to: shape)
            switch op {
            case .add: Kernels.add(ea.data, eb.data, out.data, count: n)
            case .sub: Kernels.add(ea.data, eb.data, alpha: -1, out.data, count: n)
            case .mul: Kernels.mul(ea.data, eb.data, out.data, count: n)
            }
        }
        let aShape = a.shape, bShape = b.shape
        Tape.record(out, inputs: [a, b]) { g in
            switch op {
            case .add:
                return [Broadcast.sum(g, to: aShape), Broadcast.sum(g, to: bShape)]
            case .sub:
                let nb = Tensor(uninitialized: g.shape)
                Kernels.scale(g.data, -1, nb.data, count: g.count)
                return [Broadcast.sum(g, to: aShape), Broadcast.sum(nb, to: bShape)]
            case .mul:
                let eb = Broadcast.expand(b, to: g.shape), ea = Broadcast.expand(a, to: g.shape)
                let ga = Tensor(uninitialized: g.shape), gb = Tensor(uninitialized: g.shape)
                Kernels.mul(g.data, eb.data, ga.data, count: g.count)
                Kernels.mul(g.data, ea.data, gb.data, count: g.count)
                return [Broadcast.sum(ga, to: aShape), Broadcast.sum(gb, to: bShape)]
            }
        }
        return out
    }

    /// Elementwise a + b with broadcasting.
    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try binary(a, b, .add, name: "add") }
    /// Elementwise a - b with broadcasting.
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try binary(a, b, .sub, name: "sub") }
    /// Elementwise a * b with broadcasting.
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try binary(a, b, .mul, name: "mul") }

    /// s * x
    public static func * (s: Float, x: Tensor) -> Tensor { scale(x, by: s) }
}

/// s * x
public func scale(_ x: Tensor, by s: Float) -> Tensor {
    let out = Tensor(uninitialized: x.shape)
    Kernels.scale(x.data, s, out.data, count: x.count)
    Tape.record(out, inputs: [x]) { g in
        let gx = Tensor(uninitialized: g.shape)
        Kernels.scale(g.data, s, gx.data, count: g.count)
        return [gx]
    }
    return out
}

/// Sum over `axes` (all axes when nil). x: [..] -> reduced shape (kept as 1 with keepDims).
public func sum(_ x: Tensor, axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    let axesN = try (axes ?? Array(0..<x.rank)).map { try normalizedAxis($0, rank: x.rank, op: "sum") }
    var kept = x.shape
    for a in axesN { kept[a] = 1 }
    let reduced = Broadcast.sum(x.detachedView(), to: kept)
    let outShape = keepDims ? kept : x.shape.enumerated().filter { !axesN.contains($0.offset) }.map(\.element)
    let out = Tensor(shape: outShape, storage: reduced.storage === x.storage ? x.detached().storage : reduced.storage)
    let inShape = x.shape
    Tape.record(out, inputs: [x]) { g in
        [Broadcast.expand(Tensor(shape: kept, storage: g.storage), to: inShape)]
    }
    return out
}

/// Mean over `axes` (all axes when nil).
public func mean(_ x: Tensor, axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    let axesN = try (axes ?? Array(0..<x.rank)).map { try normalizedAxis($0, rank: x.rank, op: "mean") }
    let n = axesN.reduce(1) { $0 * x.shape[$1] }
    return scale(try sum(x, axes: axesN, keepDims: keepDims), by: 1 / Float(max(n, 1)))
}

extension Tensor {
    /// The same storage as a new, unrecorded tensor object (internal: for kernels).
    func detachedView() -> Tensor { Tensor(shape: shape, storage: storage) }
}
