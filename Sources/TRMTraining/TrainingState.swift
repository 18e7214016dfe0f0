// Training state and one optimizer step: one supervision step for every row of the batch
// (carry persists across steps; halted rows take new samples), loss / B, backward, Adam-atan2 on
// dense weights, sign-SGD on the puzzle-embedding rows used, EMA.
import Foundation
import TRMModels
import TRMNN
import TRMTensor

public final class TrainingState {
    public let run: RunConfig
    public let model: ReasoningModel
    public let optimizer: AdamOptimizer
    public let sparseOptimizer: SignSGD
    public let ema: WeightEMA?
    public var rng: SeededRandom
    /// Optimizer steps taken.
    public var step: Int = 0
    public var carry: Carry?

    public init(run: RunConfig, model: ReasoningModel) {
        self.run = run
        self.model = model
        let t = run.training
        optimizer = AdamOptimizer(kind: t.optimizer, beta1: t.beta1, beta2: t.beta2, weightDecay: t.weightDecay)
        sparseOptimizer = SignSGD(weightDecay: t.puzzleEmbeddingWeightDecay)
        ema = t.ema ? WeightEMA(rate: t.emaRate) : nil
        rng = SeededRandom(seed: t.seed &+ 0x5EED)
        ema?.update(model.parameters)
    }

    /// What one optimizer step measured.
    public struct StepReport: Sendable {
        public var step: Int
        public var loss: Float
        public var lmLoss: Float
        public var qHaltLoss: Float
        public var qContinueLoss: Float
        /// Over rows that halted at this step (the reference's metric), nil when none halted.
        public var exactAccuracy: Float?
        public var tokenAccuracy: Float?
        /// Mean supervision steps of the rows that halted.
        public var meanHaltSteps: Float?
        /// Over all rows at this step.
        public var exactAccuracyAllRows: Float
        public var learningRate: Float
        public var haltedRows: Int
    }

    /// Forward and backward of one supervision step on `batch` (rows that halted last step take
    /// their row of `batch`). Gradients are left in the parameters; call `applyUpdate` next.
    public func forwardBackward(_ batch: PuzzleBatch) throws -> (output: StepOutput, loss: StepLoss) {
        var carry = self.carry ?? model.initialCarry(for: batch)
        let tape = Tape()
        let b = Float(batch.size)
        // The weights stay fixed until applyUpdate: in bf16 each is converted once for the step.
        let (out, loss) = try BF16WeightCache.scope { () throws -> (StepOutput, StepLoss) in
            let (out, loss, objective) = try tape.record { () throws -> (StepOutput, StepLoss, Tensor) in
                let out = try model.step(&carry, newBatch: batch, training: true, rng: &rng)
                let loss = try supervisionLoss(out, kind: run.training.loss, qWeight: run.training.qLossWeight)
                return (out, loss, scale(loss.total, by: 1 / b))
            }
            try tape.backward(objective)
            return (out, loss)
        }
        self.carry = carry
        return (out, loss)
    }

    /// Applies the optimizers to the gradients of the last `forwardBackward`, then clears them.
    public func applyUpdate(_ output: StepOutput) {
        let lr = run.training.learningRate(atStep: step)
        optimizer.update(model.parameters, lr: lr)
        if let g = output.puzzleRows.grad {
            let peLR = run.training.puzzleEmbeddingLearningRate * (lr / max(run.training.learningRate, .leastNonzeroMagnitude))
            sparseOptimizer.update(table: model.puzzleEmbedding, ids: output.batch.puzzleIdentifiers, rowGradients: g, lr: peLR)
        }
        ema?.update(model.parameters)
        model.zeroGradients()
        step += 1
    }

    /// One optimizer step with its metrics.
    @discardableResult
    public func trainStep(_ batch: PuzzleBatch) throws -> StepReport {
        let lr = run.training.learningRate(atStep: step)
        let (out, loss) = try forwardBackward(batch)
        applyUpdate(out)
        let carry = self.carry!
        var haltedRows = 0, exact = 0, correctCells = 0, cells = 0, stepsSum = 0
        for r in 0..<batch.size where carry.halted[r] {
            haltedRows += 1
            if loss.rowCorrect[r] { exact += 1 }
            correctCells += loss.correctCells[r]; cells += loss.labelledCells[r]
            stepsSum += carry.steps[r]
        }
        let n = Float(batch.size)
        return StepReport(step: step, loss: loss.total.item / n, lmLoss: loss.lm / n, qHaltLoss: loss.qHalt / n,
                          qContinueLoss: loss.qContinue / n,
                          exactAccuracy: haltedRows > 0 ? Float(exact) / Float(haltedRows) : nil,
                          tokenAccuracy: cells > 0 ? Float(correctCells) / Float(cells) : nil,
                          meanHaltSteps: haltedRows > 0 ? Float(stepsSum) / Float(haltedRows) : nil,
                          exactAccuracyAllRows: Float(loss.rowCorrect.filter { $0 }.count) / n,
                          learningRate: lr, haltedRows: haltedRows)
    }
}
