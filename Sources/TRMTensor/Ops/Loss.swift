// Loss ops: per-token cross-entropy (softmax or stable-max, float64 inside, ignore label) and
// binary cross-entropy with logits. Both return per-element losses; reduce with sum/mean.

/// logits: [..., V], labels: [...] -> per-token loss [...] (0 where labels == ignoreIndex).
public func crossEntropy(logits: Tensor, labels: IntTensor, kind: CrossEntropyKind = .stablemax,
                         ignoreIndex: Int32 = -100) throws -> Tensor {
    guard logits.rank >= 1, Array(logits.shape.dropLast()) == labels.shape else {
        throw TensorError.shapeMismatch(op: "crossEntropy (logits [..., V] vs labels [...])", lhs: logits.shape, rhs: labels.shape)
    }
    let vocab = logits.shape.last!, rows = labels.count
    for (i, y) in labels.values.enumerated() where y != ignoreIndex && (y < 0 || Int(y) >= vocab) {
        throw TensorError.indexOutOfRange(op: "crossEntropy label at \(i)", index: Int(y), bound: vocab)
    }
    let out = Tensor(uninitialized: labels.shape)
    labels.values.withUnsafeBufferPointer { lp in
        Kernels.crossEntropyForward(logits.data, labels: lp.baseAddress!, rows: rows, vocab: vocab, kind: kind,
                                    ignoreIndex: ignoreIndex, out.data)
    }
    Tape.record(out, inputs: [logits]) { g in
        let gl = Tensor(uninitialized: logits.shape)
        labels.values.withUnsafeBufferPointer { lp in
            Kernels.crossEntropyBackward(logits.data, labels: lp.baseAddress!, rows: rows, vocab: vocab, kind: kind,
                                         ignoreIndex: ignoreIndex, g.data, gl.data)
        }
        return [gl]
    }
    return out
}

/// Elementwise binary cross-entropy of logits against targets in [0, 1]. Same shapes.
public func binaryCrossEntropy(logits: Tensor, targets: Tensor) throws -> Tensor {
    guard logits.shape == targets.shape else {
        throw TensorError.shapeMismatch(op: "binaryCrossEntropy", lhs: logits.shape, rhs: targets.shape)
    }
    let out = Tensor(uninitialized: logits.shape)
    Kernels.bceWithLogitsForward(logits.data, targets: targets.data, count: logits.count, out.data)
    Tape.record(out, inputs: [logits]) { g in
        let gl = Tensor(uninitialized: logits.shape)
        Kernels.bceWithLogitsBackward(logits.data, targets: targets.data, count: logits.count, g.data, gl.data)
        return [gl]
    }
    return out
}
