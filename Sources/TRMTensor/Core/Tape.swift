// Tape: reverse-mode autodiff. While a tape is active, every op whose inputs need gradients
// appends one entry (output, inputs, backward closure); `backward` walks the entries in reverse.
// Outside a tape, or inside `Tape.noGrad`, nothing is recorded and no activations are kept.

public final class Tape: @unchecked Sendable {
    /// Maps the gradient of an op's output to the gradients of its inputs (nil = no gradient).
    public typealias Backward = (Tensor) throws -> [Tensor?]

    struct Entry {
        let output: Tensor
        let inputs: [Tensor]
        let backward: Backward
    }

    private(set) var entries: [Entry] = []

    public init() {}

    /// Number of recorded operations.
    public var count: Int { entries.count }

    @TaskLocal static var active: Tape?

    /// The tape operations are recorded on now (nil inside `noGrad` or outside `record`).
    public static var current: Tape? { active }

    /// Runs `body` recording every differentiable op on this tape.
    public func record<R>(_ body: () throws -> R) rethrows -> R {
        try Tape.$active.withValue(self, operation: body)
    }

    /// Runs `body` with recording switched off: no entries, no saved activations.
    public static func noGrad<R>(_ body: () throws -> R) rethrows -> R {
        try Tape.$active.withValue(nil, operation: body)
    }

    /// Records `output = op(inputs)` when a tape is active and any input needs a gradient.
    @inline(__always)
    static func record(_ output: Tensor, inputs: [Tensor], backward: @escaping Backward) {
        guard let tape = active else { return }
        var needed = false
        for t in inputs where t.requiresGrad || t.isRecorded { needed = true; break }
        guard needed else { return }
        output.isRecorded = true
        tape.entries.append(Entry(output: output, inputs: inputs, backward: backward))
    }

    /// Back-propagates from `output` (seeded with ones, or `seed`) and accumulates into the
    /// `grad` of every leaf with `requiresGrad`. Clears the tape afterwards.
    public func backward(_ output: Tensor, seed: Tensor? = nil) throws {
        guard output.isRecorded || output.requiresGrad else {
            throw TensorError.noGradient(reason: "the output was not recorded on this tape (no input requires a gradient?)")
        }
        var grads: [ObjectIdentifier: Tensor] = [:]
        var owned: Set<ObjectIdentifier> = []
        let start = seed ?? Tensor(repeating: 1, shape: output.shape)
        grads[ObjectIdentifier(output)] = start

        func accumulate(_ t: Tensor, _ g: Tensor) throws {
            if t.requiresGrad && !t.isRecorded {
                if let existing = t.grad {
                    Kernels.addInPlace(existing.data, g.data, count: existing.count)
                } else {
                    t.grad = g.detached()
                }
                return
            }
            let id = ObjectIdentifier(t)
            if let existing = grads[id] {
                if owned.contains(id) {
                    Kernels.addInPlace(existing.data, g.data, count: existing.count)
                } else {
                    let sum = existing.detached()
                    Kernels.addInPlace(sum.data, g.data, count: sum.count)
                    grads[id] = sum
                    owned.insert(id)
                }
            } else {
                grads[id] = g
            }
        }

        if output.requiresGrad && !output.isRecorded { try accumulate(output, start) }
        for entry in entries.reversed() {
            guard let g = grads.removeValue(forKey: ObjectIdentifier(entry.output)) else { continue }
            let inputGrads = try entry.backward(g)
            for (input, ig) in zip(entry.inputs, inputGrads) {
                guard let ig, input.requiresGrad || input.isRecorded else { continue }
                try accumulate(input, ig)
            }
        }
        entries.removeAll(keepingCapacity: true)
    }

    /// Drops every entry and the activations they hold.
    public func reset() { entries.removeAll(keepingCapacity: true) }
}
