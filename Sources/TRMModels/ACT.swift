// Deep supervision with adaptive halting (ACT): the per-row carry, one supervision step with
// reset-on-halt, exploration and the halting rule, and the loss of a step.
import Foundation
import TRMTensor

/// A batch of puzzles: tokens and labels [B, S] (labels use -100 for cells not to predict),
/// one puzzle identifier per row.
public struct PuzzleBatch: Sendable {
    public var tokens: IntTensor
    public var labels: IntTensor
    public var puzzleIdentifiers: [Int32]

    public init(tokens: IntTensor, labels: IntTensor, puzzleIdentifiers: [Int32]) throws {
        guard tokens.shape.count == 2, tokens.shape == labels.shape, puzzleIdentifiers.count == tokens.shape[0] else {
            throw ModelError.batchShape(reason: "tokens \(tokens.shape), labels \(labels.shape), \(puzzleIdentifiers.count) identifiers")
        }
        self.tokens = tokens; self.labels = labels; self.puzzleIdentifiers = puzzleIdentifiers
    }

    public var size: Int { tokens.shape[0] }
    public var seqLen: Int { tokens.shape[1] }

    /// Copies row `src` of `other` into row `dst`.
    mutating func replaceRow(_ dst: Int, from other: PuzzleBatch, row src: Int) {
        let s = seqLen
        for j in 0..<s {
            tokens.values[dst * s + j] = other.tokens.values[src * s + j]
            labels.values[dst * s + j] = other.labels.values[src * s + j]
        }
        puzzleIdentifiers[dst] = other.puzzleIdentifiers[src]
    }
}

/// What each row carries between supervision steps.
public struct Carry: @unchecked Sendable {
    /// Answer state y and latent z: [B, L, D], detached.
    public var y: Tensor
    public var z: Tensor
    public var steps: [Int]
    public var halted: [Bool]
    public var batch: PuzzleBatch
}

/// The outputs of one supervision step.
public struct StepOutput {
    /// [B, S, V], recorded on the tape in training.
    public var logits: Tensor
    /// [B] halt / continue logits.
    public var qHalt: Tensor
    public var qContinue: Tensor
    /// The puzzle-embedding rows used ([B, W]); their gradient drives sign-SGD.
    public var puzzleRows: Tensor
    /// argmax of the logits [B, S].
    public var predictions: IntTensor
    /// HRM: sigmoid target for q_continue from one extra forward (nil for TRM or in evaluation).
    public var targetQContinue: [Float]?
    /// The batch the step was computed on (after resets).
    public var batch: PuzzleBatch
}

extension ReasoningModel {
    /// A carry with every row marked halted, so the first step resets each row onto `batch`.
    public func initialCarry(for batch: PuzzleBatch) -> Carry {
        let shape = [batch.size, config.totalLength, config.hidden]
        return Carry(y: Tensor(zeros: shape), z: Tensor(zeros: shape), steps: [Int](repeating: 0, count: batch.size),
                     halted: [Bool](repeating: true, count: batch.size), batch: batch)
    }

    /// Resets halted rows: fresh y and z, steps 0, and the row of `newBatch`.
    func resetHalted(_ carry: inout Carry, newBatch: PuzzleBatch) {
        let l = config.totalLength, d = config.hidden
        let y = carry.y.detached(), z = carry.z.detached()
        for b in 0..<carry.steps.count where carry.halted[b] {
            for p in 0..<l {
                (y.data + (b * l + p) * d).update(from: initialY.data, count: d)
                (z.data + (b * l + p) * d).update(from: initialZ.data, count: d)
            }
            carry.steps[b] = 0
            carry.batch.replaceRow(b, from: newBatch, row: b)
        }
        carry.y = y; carry.z = z
    }

    /// One supervision step: reset halted rows, recurse once, decide halting.
    /// In training, rows halt when q says so (TRM: q_halt > 0; HRM: q_halt > q_continue), subject
    /// to exploration; otherwise (evaluation) only at `haltMaxSteps`, as in the reference.
    public func step(_ carry: inout Carry, newBatch: PuzzleBatch, training: Bool,
                     rng: inout SeededRandom) throws -> StepOutput {
        guard newBatch.size == carry.steps.count, newBatch.seqLen == config.seqLen else {
            throw ModelError.batchShape(reason: "expected [\(carry.steps.count), \(config.seqLen)] tokens, got \(newBatch.tokens.shape)")
        }
        resetHalted(&carry, newBatch: newBatch)
        let rows = try gatherPuzzleRows(carry.batch.puzzleIdentifiers, trainable: training && Tape.current != nil)
        let x = try embed(tokens: carry.batch.tokens, puzzleRows: rows)
        let r = try recurse(y: carry.y, z: carry.z, x: x)
        carry.y = r.y.detached()
        carry.z = r.z.detached()
        let preds = argmax(r.logits)
        let qh = r.qHalt.scalars, qc = r.qContinue.scalars
        let maxSteps = config.haltMaxSteps
        var target: [Float]? = nil
        for b in 0..<carry.steps.count {
            carry.steps[b] += 1
            var halt = carry.steps[b] >= maxSteps
            if training && maxSteps > 1 {
                halt = halt || (config.family == .trm ? qh[b] > 0 : qh[b] > qc[b])
                // Exploration: sometimes require a random minimum number of steps first.
                let explore = rng.uniform() < config.haltExplorationProbability
                let minSteps = 2 + Int(rng.next() % UInt64(maxSteps - 1))
                if explore && carry.steps[b] < minSteps { halt = false }
            }
            carry.halted[b] = halt
        }
        if training && config.family == .hrm {
            // Q-learning target for "continue": the next step's best value, from one extra forward.
            let next = try Tape.noGrad { try recurse(y: carry.y, z: carry.z, x: x) }
            let nh = next.qHalt.scalars, nc = next.qContinue.scalars
            target = (0..<carry.steps.count).map { b in
                let v = carry.steps[b] >= maxSteps ? nh[b] : max(nh[b], nc[b])
                return Float(1 / (1 + Foundation.exp(-Double(v))))
            }
        }
        return StepOutput(logits: r.logits, qHalt: r.qHalt, qContinue: r.qContinue, puzzleRows: rows,
                          predictions: preds, targetQContinue: target, batch: carry.batch)
    }
}

extension ReasoningModel {
    /// `steps` evaluation steps on `batch` without gradients, returning the last one's output (nil
    /// when `steps` is 0). The weights are fixed throughout: in bf16 each is converted once.
    public func rollout(_ carry: inout Carry, batch: PuzzleBatch, steps: Int,
                        rng: inout SeededRandom) throws -> StepOutput? {
        var last: StepOutput?
        try BF16WeightCache.scope {
            try Tape.noGrad {
                for _ in 0..<steps { last = try step(&carry, newBatch: batch, training: false, rng: &rng) }
            }
        }
        return last
    }
}

/// The loss of one supervision step and the counts behind the metrics.
public struct StepLoss {
    /// lm + w * (q_halt + q_continue), summed over rows (differentiate total / B).
    public var total: Tensor
    public var lm: Float
    public var qHalt: Float
    public var qContinue: Float
    /// Per row: every labelled cell right.
    public var rowCorrect: [Bool]
    /// Per row: labelled cells right / labelled cells.
    public var correctCells: [Int]
    public var labelledCells: [Int]
}

/// lm = sum over rows of the mean cross-entropy over the row's labelled cells;
/// q_halt = sum BCE(q_halt, row exactly right); HRM adds sum BCE(q_continue, target).
public func supervisionLoss(_ out: StepOutput, kind: CrossEntropyKind, qWeight: Float = 0.5,
                            ignoreIndex: Int32 = -100) throws -> StepLoss {
    let labels = out.batch.labels
    let (b, s) = (labels.shape[0], labels.shape[1])
    var counts = [Int](repeating: 0, count: b), correct = counts
    var weights = [Float](repeating: 0, count: b * s)
    for r in 0..<b {
        for j in 0..<s where labels.values[r * s + j] != ignoreIndex {
            counts[r] += 1
            if out.predictions.values[r * s + j] == labels.values[r * s + j] { correct[r] += 1 }
        }
        let w = 1 / Float(max(counts[r], 1))
        for j in 0..<s where labels.values[r * s + j] != ignoreIndex { weights[r * s + j] = w }
    }
    let rowCorrect = (0..<b).map { counts[$0] > 0 && correct[$0] == counts[$0] }
    let ce = try crossEntropy(logits: out.logits, labels: labels, kind: kind, ignoreIndex: ignoreIndex)
    let lm = try sum(ce * Tensor(shape: [b, s], values: weights))
    let qTargets = try Tensor(shape: [b], values: rowCorrect.map { $0 ? 1 : 0 })
    let qHaltLoss = try sum(binaryCrossEntropy(logits: out.qHalt, targets: qTargets))
    var qSum = qHaltLoss
    var qContinueValue: Float = 0
    if let target = out.targetQContinue {
        let qc = try sum(binaryCrossEntropy(logits: out.qContinue, targets: Tensor(shape: [b], values: target)))
        qContinueValue = qc.item
        qSum = try qSum + qc
    }
    let total = try lm + scale(qSum, by: qWeight)
    return StepLoss(total: total, lm: lm.item, qHalt: qHaltLoss.item, qContinue: qContinueValue,
                    rowCorrect: rowCorrect, correctCells: correct, labelledCells: counts)
}
