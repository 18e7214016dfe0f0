// Embedding lookup (gather with scatter-add gradient) and argmax.

/// table: [V, D], ids: [...] -> [..., D]
public func embedding(_ ids: IntTensor, table: Tensor) throws -> Tensor {
    guard table.rank == 2 else { throw TensorError.invalidShape(op: "embedding", shape: table.shape, reason: "table must be [count, width]") }
    let (v, d) = (table.shape[0], table.shape[1])
    for (i, id) in ids.values.enumerated() where id < 0 || Int(id) >= v {
        throw TensorError.indexOutOfRange(op: "embedding id at \(i)", index: Int(id), bound: v)
    }
    let out = Tensor(uninitialized: ids.shape + [d])
    ids.values.withUnsafeBufferPointer { ip in
        Kernels.embeddingGather(table.data, ids: ip.baseAddress!, count: ids.count, width: d, out.data)
    }
    Tape.record(out, inputs: [table]) { g in
        let gt = Tensor(zeros: table.shape)
        ids.values.withUnsafeBufferPointer { ip in
            Kernels.embeddingScatterAdd(g.data, ids: ip.baseAddress!, count: ids.count, width: d, gt.data)
        }
        return [gt]
    }
    return out
}

/// Index of the largest element along the last axis. x: [..., n] -> [...]
public func argmax(_ x: Tensor) -> IntTensor {
    let n = x.shape.last ?? 1
    var out = IntTensor(zeros: Array(x.shape.dropLast()))
    out.values.withUnsafeMutableBufferPointer { op in
        Kernels.argmaxRows(x.data, rows: op.count, n: n, op.baseAddress!)
    }
    return out
}
