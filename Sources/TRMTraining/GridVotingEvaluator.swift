// Voting for user grid tasks whose header declares `augment` (GridAugmentation): each test puzzle
// is predicted in `versions` versions (version 0 the puzzle itself, the others drawn from
// (seed, row, version)), all supervision steps each; every prediction is mapped back through its
// version's inverse and counts as a vote; candidates rank by votes, ties by mean sigmoid(q_halt),
// as ARC's voting does. A puzzle counts for pass@k when one of its top k candidates matches its
// target on every labelled cell.
import Foundation
import TRMReport
import TRMModels
import TRMPuzzles
import TRMTensor

public struct GridVotingResult: Sendable {
    public var passAt1: Double
    public var passAt2: Double
    public var puzzles: Int
    public var versions: Int
    public var elapsedSeconds: Double

    public var summary: String {
        String(format: "grid voting over %d versions: pass@1 %.2f%%, pass@2 %.2f%% of %d puzzles", versions, passAt1 * 100, passAt2 * 100, puzzles)
    }
}

public enum GridVotingEvaluator {
    public static func canVote(_ dataset: PuzzleDataset) -> Bool { GridAugmentation.of(dataset) != nil }

    public static func evaluate(model: ReasoningModel, dataset: PuzzleDataset, name: String = "test set", versions: Int = 8,
                                batchSize: Int = 64, seed: UInt64 = 0, progress: ProgressBar? = nil) throws -> GridVotingResult {
        guard let augmentation = GridAugmentation.of(dataset) else {
            throw DatasetMismatchError.incompatible(dataset: name, reason: "its grid header declares no augment, so there is nothing to vote over")
        }
        if let p = dataset.problem(for: model.config) { throw DatasetMismatchError.incompatible(dataset: name, reason: p) }
        let start = Date()
        let s = dataset.seqLen, rows = dataset.gridRows, cols = dataset.gridCols
        let alphabet = dataset.metadata["grid.alphabet"] ?? ""
        let k = max(1, versions)
        var rng = SeededRandom(seed: 0)
        var solved1 = 0, solved2 = 0
        let perBatch = max(1, batchSize / k)
        var first = 0
        while first < dataset.count {
            let puzzleRows = first..<min(dataset.count, first + perBatch)
            var inputs: [Int32] = [], ids: [Int32] = [], transforms: [GridTransform] = []
            for r in puzzleRows {
                for v in 0..<k {
                    let t = augmentation.version(v, row: r, seed: seed, vocabSize: dataset.vocabSize, alphabet: alphabet)
                    inputs += t.apply(Array(dataset.input(r)), rows: rows, cols: cols)
                    ids.append(dataset.puzzleIdentifiers[r])
                    transforms.append(t)
                }
            }
            let b = ids.count
            let tokens = try IntTensor(shape: [b, s], values: inputs)
            let batch = try PuzzleBatch(tokens: tokens, labels: IntTensor(shape: [b, s], values: [Int32](repeating: PuzzleDataset.ignoreLabel, count: b * s)),
                                        puzzleIdentifiers: ids)
            var carry = model.initialCarry(for: batch)
            let last = try model.rollout(&carry, batch: batch, steps: model.config.haltMaxSteps, rng: &rng)
            let preds = last!.predictions.values, q = last!.qHalt.scalars
            for (i, r) in puzzleRows.enumerated() {
                var tally: [[Int32]: (votes: Int, confidence: Double, first: Int)] = [:]
                for v in 0..<k {
                    let j = i * k + v
                    let back = transforms[j].undo(Array(preds[(j * s)..<((j + 1) * s)]), rows: rows, cols: cols)
                    let c = 1 / (1 + Foundation.exp(-Double(q[j])))
                    let old = tally[back] ?? (0, 0, j)
                    tally[back] = (old.votes + 1, old.confidence + c, old.first)
                }
                let ranked = tally.sorted { a, b in
                    if a.value.votes != b.value.votes { return a.value.votes > b.value.votes }
                    let ma = a.value.confidence / Double(a.value.votes), mb = b.value.confidence / Double(b.value.votes)
                    return ma != mb ? ma > mb : a.value.first < b.value.first
                }.map(\.key)
                let label = dataset.label(r)
                func right(_ p: [Int32]) -> Bool { zip(p, label).allSatisfy { $1 == PuzzleDataset.ignoreLabel || $0 == $1 } }
                if ranked.prefix(1).contains(where: right) { solved1 += 1 }
                if ranked.prefix(2).contains(where: right) { solved2 += 1 }
            }
            progress?.advance(by: puzzleRows.count)
            first = puzzleRows.upperBound
        }
        let n = Double(max(dataset.count, 1))
        return GridVotingResult(passAt1: Double(solved1) / n, passAt2: Double(solved2) / n, puzzles: dataset.count, versions: k,
                                elapsedSeconds: Date().timeIntervalSince(start))
    }
}
