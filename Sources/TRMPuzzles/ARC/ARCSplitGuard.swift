// Refusing train/evaluation leakage: training tasks must not include any evaluation task, matched by
// task id or by content (the hash of its test inputs). ARC-AGI-2's training set contains 376
// ARC-AGI-1 evaluation tasks, so training on it while reporting ARC-AGI-1 evaluation is refused.
// (ARC-AGI-1 itself has one such pair: training 40853293 is identical to evaluation 070dd51e.
// `ARCBuildOptions.dropOverlappingTrainingTasks` drops the offending training tasks instead.)

public enum ARCSplitGuard {
    /// Ids of training tasks that match an evaluation task, sorted.
    public static func overlap(training: [ARCTask], evaluation: [ARCTask]) -> [String] {
        let ids = Set(evaluation.map(\.id))
        let hashes = Set(evaluation.map(\.contentHash))
        return training.filter { ids.contains($0.id) || hashes.contains($0.contentHash) }.map(\.id).sorted()
    }

    /// - Throws: `DataError.trainEvaluationOverlap` when any training task is an evaluation task.
    public static func check(training: [ARCTask], evaluation: [ARCTask]) throws(DataError) {
        let shared = overlap(training: training, evaluation: evaluation)
        if !shared.isEmpty { throw .trainEvaluationOverlap(count: shared.count, examples: Array(shared.prefix(10))) }
    }
}
