// InferenceSession: slot-based recursive inference without gradients. Puzzles enter free slots,
// every `step()` runs one supervision step for all occupied slots as one batch, and a slot whose
// halting confidence crosses the threshold (or that reaches its step limit) is reported finished,
// so a new puzzle can take its place at the next step (continuous batching).
import Foundation
import TRMModels
import TRMTensor

public struct HaltingPolicy: Sendable, Codable, Equatable {
    /// A row stops once sigmoid(q_halt) > threshold; nil runs every row to `maxSteps` (the
    /// reference's evaluation protocol).
    public var threshold: Float?
    public var maxSteps: Int

    public init(threshold: Float? = 0.5, maxSteps: Int) {
        self.threshold = threshold; self.maxSteps = maxSteps
    }
}

/// One supervision step of one puzzle.
public struct SolveStep: Sendable, Codable, Equatable {
    public var step: Int
    /// Predicted tokens for every cell.
    public var prediction: [Int32]
    /// sigmoid(q_halt): the model's confidence that the answer is already right.
    public var haltProbability: Float
    /// Cells whose prediction changed since the previous step.
    public var changedCells: [Int]

    public init(step: Int, prediction: [Int32], haltProbability: Float, changedCells: [Int]) {
        self.step = step; self.prediction = prediction; self.haltProbability = haltProbability; self.changedCells = changedCells
    }
}

public final class InferenceSession: @unchecked Sendable {
    public let model: ReasoningModel
    public let capacity: Int

    struct Slot {
        var tokens: [Int32]
        var puzzleIdentifier: Int32
        var policy: HaltingPolicy
        var y: [Float]
        var z: [Float]
        var steps: Int = 0
        var last: [Int32]? = nil
    }
    private var slots: [Slot?]

    public init(model: ReasoningModel, capacity: Int) {
        self.model = model
        self.capacity = max(1, capacity)
        slots = Array(repeating: nil, count: self.capacity)
    }

    public var occupied: Int { slots.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
    public var hasFreeSlot: Bool { slots.contains { $0 == nil } }

    /// Places a puzzle (tokens [S]) in a free slot; nil when full.
    public func admit(tokens: [Int32], puzzleIdentifier: Int32 = 0, policy: HaltingPolicy) throws -> Int? {
        let c = model.config
        guard tokens.count == c.seqLen else {
            throw ModelError.batchShape(reason: "expected \(c.seqLen) tokens, got \(tokens.count)")
        }
        if let bad = tokens.first(where: { $0 < 0 || Int($0) >= c.vocabSize }) {
            throw ModelError.batchShape(reason: "token \(bad) is outside the vocabulary 0..<\(c.vocabSize)")
        }
        guard puzzleIdentifier >= 0, Int(puzzleIdentifier) < c.puzzleIdentifiers else {
            throw ModelError.puzzleIdentifierOutOfRange(id: Int(puzzleIdentifier), count: c.puzzleIdentifiers)
        }
        guard let i = slots.firstIndex(where: { $0 == nil }) else { return nil }
        let l = c.totalLength, d = c.hidden
        var y = [Float](repeating: 0, count: l * d), z = y
        let iy = model.initialY.scalars, iz = model.initialZ.scalars
        for p in 0..<l {
            for j in 0..<d { y[p * d + j] = iy[j]; z[p * d + j] = iz[j] }
        }
        slots[i] = Slot(tokens: tokens, puzzleIdentifier: puzzleIdentifier, policy: policy, y: y, z: z)
        return i
    }

    /// Frees a slot (finished or cancelled).
    public func release(_ slot: Int) { slots[slot] = nil }

    /// What one step produced for one slot.
    public struct Update: Sendable {
        public var slot: Int
        public var step: SolveStep
        /// True when the slot should stop (halting threshold crossed or step limit reached).
        public var finished: Bool
    }

    /// Runs one supervision step for every occupied slot.
    public func step() throws -> [Update] {
        let active = slots.indices.filter { slots[$0] != nil }
        guard !active.isEmpty else { return [] }
        let c = model.config
        let n = active.count, l = c.totalLength, d = c.hidden, s = c.seqLen
        let y = Tensor(uninitialized: [n, l, d]), z = Tensor(uninitialized: [n, l, d])
        var tokens = [Int32](), ids = [Int32]()
        tokens.reserveCapacity(n * s)
        for (b, i) in active.enumerated() {
            let slot = slots[i]!
            slot.y.withUnsafeBufferPointer { (y.data + b * l * d).update(from: $0.baseAddress!, count: l * d) }
            slot.z.withUnsafeBufferPointer { (z.data + b * l * d).update(from: $0.baseAddress!, count: l * d) }
            tokens += slot.tokens
            ids.append(slot.puzzleIdentifier)
        }
        let r = try BF16WeightCache.scope { try Tape.noGrad { () throws -> ReasoningModel.Recursion in
            let rows = try model.gatherPuzzleRows(ids, trainable: false)
            let x = try model.embed(tokens: IntTensor(shape: [n, s], values: tokens), puzzleRows: rows)
            return try model.recurse(y: y, z: z, x: x)
        } }
        let preds = argmax(r.logits).values
        let qh = r.qHalt.scalars
        var updates: [Update] = []
        for (b, i) in active.enumerated() {
            var slot = slots[i]!
            slot.y = Array(UnsafeBufferPointer(start: r.y.data + b * l * d, count: l * d))
            slot.z = Array(UnsafeBufferPointer(start: r.z.data + b * l * d, count: l * d))
            slot.steps += 1
            let pred = Array(preds[(b * s)..<((b + 1) * s)])
            let changed = slot.last.map { last in (0..<s).filter { last[$0] != pred[$0] } } ?? Array(0..<s)
            slot.last = pred
            let p = Float(1 / (1 + Foundation.exp(-Double(qh[b]))))
            let done = slot.steps >= slot.policy.maxSteps || (slot.policy.threshold.map { p > $0 } ?? false)
            slots[i] = slot
            updates.append(Update(slot: i, step: SolveStep(step: slot.steps, prediction: pred, haltProbability: p,
                                                           changedCells: changed), finished: done))
        }
        return updates
    }
}

/// The result of solving one puzzle.
public struct SolveResult: Sendable, Codable, Equatable {
    public var prediction: [Int32]
    public var stepsUsed: Int
    public var haltProbability: Float
    /// Every step when requested (else only the last).
    public var steps: [SolveStep]

    public init(prediction: [Int32], stepsUsed: Int, haltProbability: Float, steps: [SolveStep]) {
        self.prediction = prediction; self.stepsUsed = stepsUsed; self.haltProbability = haltProbability; self.steps = steps
    }
}

/// Solves puzzles in batches of up to `batchSize`, refilling slots as rows halt.
public func solvePuzzles(model: ReasoningModel, inputs: [[Int32]], puzzleIdentifiers: [Int32]? = nil,
                         policy: HaltingPolicy, batchSize: Int = 64, keepSteps: Bool = false,
                         onStep: ((Int, SolveStep) -> Void)? = nil) throws -> [SolveResult] {
    let session = InferenceSession(model: model, capacity: min(batchSize, max(inputs.count, 1)))
    var results = [SolveResult?](repeating: nil, count: inputs.count)
    var history = [[SolveStep]](repeating: [], count: inputs.count)
    var owner: [Int: Int] = [:]
    var next = 0
    while results.contains(where: { $0 == nil }) {
        while next < inputs.count, session.hasFreeSlot {
            let slot = try session.admit(tokens: inputs[next], puzzleIdentifier: puzzleIdentifiers?[next] ?? 0, policy: policy)!
            owner[slot] = next
            next += 1
        }
        for u in try session.step() {
            let i = owner[u.slot]!
            onStep?(i, u.step)
            if keepSteps { history[i].append(u.step) }
            if u.finished {
                results[i] = SolveResult(prediction: u.step.prediction, stepsUsed: u.step.step,
                                         haltProbability: u.step.haltProbability,
                                         steps: keepSteps ? history[i] : [u.step])
                session.release(u.slot)
                owner[u.slot] = nil
            }
        }
    }
    return results.map { $0! }
}
