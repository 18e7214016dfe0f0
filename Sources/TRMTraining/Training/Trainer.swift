// Trainer: the training loop. Every step draws a batch from the deterministic sample stream, runs
// one supervision step for every row (TrainingState.trainStep: halted rows take their new sample),
// appends the step's metrics to <run>/metrics.jsonl, updates the progress bar, evaluates the EMA
// weights on the test set every `evalInterval` steps and saves a checkpoint every
// `checkpointInterval` steps. A stop request (Ctrl-C) ends the loop after the current step with a
// checkpoint; a non-finite loss stops it without one, so the last good checkpoint stays.
import Foundation
import TRMFiles
import Logging
import TRMModels
import TRMNN
import TRMPuzzles
import TRMTensor
import TRMReport

public struct TrainerOptions: Sendable {
    /// Where metrics.jsonl, config.json, checkpoint/ and eval/ go.
    public var runDirectory: URL
    /// Continue from this checkpoint (a run directory or checkpoint folder).
    public var resumeFrom: URL?
    /// Test puzzles used by the periodic evaluation (nil: all).
    public var evalLimit: Int? = 1000
    public var evaluation = EvaluationOptions()
    public var progressMode: ProgressBar.Mode = .automatic
    /// Also print every metrics record as a JSON line on standard output.
    public var jsonLines = false
    /// Threads that fill batches (the results do not depend on it).
    public var dataThreads = 1
    /// Where the training data came from (stored in checkpoints).
    public var dataSources: [String] = []
    /// The data files with sizes and checksums (stored in checkpoints: what --resume continues on).
    public var inputs: RunInputs?
    /// Write the training charts (RunPlots) at the end.
    public var writePlots = true
    /// Start a fresh run from these weights (e.g. an imported model) instead of the seeded
    /// initialisation; the optimizer state starts fresh. `initialWeightsSource` names them in logs.
    public var initialWeights: [String: Tensor]?
    public var initialWeightsSource = ""

    public init(runDirectory: URL, resumeFrom: URL? = nil) {
        self.runDirectory = runDirectory
        self.resumeFrom = resumeFrom
    }
}

/// How a training run ended.
public struct TrainingSummary: Sendable {
    public var firstStep: Int
    public var lastStep: Int
    /// True when a stop request ended the run before `totalSteps`.
    public var interrupted: Bool
    public var checkpoint: URL?
    /// The last evaluation of the EMA weights, if any ran.
    public var lastEvaluation: EvaluationResult?
    /// The run's training time in all: earlier segments (recorded in the checkpoint) and this one.
    public var elapsedSeconds: Double
    /// The wall time of this segment alone (since this process started or resumed the run).
    public var segmentSeconds: Double
    /// Samples per second over this segment.
    public var samplesPerSecond: Double
}

public enum TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    case diverged(step: Int, loss: Float)
    case invalidOption(String)

    public var description: String {
        switch self {
        case let .diverged(step, loss):
            return "training diverged at step \(step) (loss \(loss)); stopped without saving, the last checkpoint is kept. "
                + "Lower the learning rate or resume from the last checkpoint."
        case let .invalidOption(why): return why
        }
    }
}

public final class Trainer {
    public let run: RunConfig
    public let state: TrainingState
    public let options: TrainerOptions
    public let trainingSet: PuzzleDataset
    public let testSet: PuzzleDataset?
    public private(set) var stream: SampleStream
    let logger: Logger
    /// Training seconds accumulated by earlier segments of a resumed run.
    let priorElapsedSeconds: Double
    /// Same architecture as the trained model, holding the weights evaluation uses (EMA).
    private var evaluationModel: ReasoningModel?

    /// A fresh run of `run`, or a continuation of `options.resumeFrom` (then `run` must be
    /// compatible with the checkpoint's configuration; only step counts and intervals may change).
    /// Sizes the configuration leaves to the data (0) are taken from `trainingSet` and `testSet`.
    public init(run: RunConfig, trainingSet: PuzzleDataset, testSet: PuzzleDataset? = nil, options: TrainerOptions,
                logger: Logger = Logger(label: "trm.train")) throws {
        try run.model.validate()
        guard trainingSet.count > 0 else { throw DatasetMismatchError.empty(dataset: "training set") }
        let run = try run.sized(for: trainingSet, test: testSet)
        guard run.training.batchSize >= 1, run.training.totalSteps >= 0 else {
            throw TrainingError.invalidOption("batch size must be at least 1 and total steps non-negative")
        }
        guard trainingSet.count > 0 else { throw DatasetMismatchError.empty(dataset: "training set") }
        if let p = trainingSet.problem(for: run.model) { throw DatasetMismatchError.incompatible(dataset: "training set", reason: p) }
        if let testSet, let p = testSet.problem(for: Trainer.evaluationConfig(run.model, testSet: testSet)) {
            throw DatasetMismatchError.incompatible(dataset: "test set", reason: p)
        }
        self.run = run
        self.options = options
        self.trainingSet = trainingSet
        self.testSet = testSet
        self.logger = logger
        if run.training.augment == false { logger.info("augmentation: none (the rows as they are, shuffled each epoch)") }
        if let from = options.resumeFrom {
            let (state, contents) = try Checkpoint.loadTrainingState(from, run: run)
            self.state = state
            priorElapsedSeconds = contents.manifest.elapsedSeconds
            stream = SampleStream(dataset: trainingSet,
                                  state: contents.manifest.stream ?? SampleStreamState(seed: run.training.seed),
                                  options: .forDataset(trainingSet, augment: run.training.augment), threads: options.dataThreads)
            logger.info("resuming \(contents.directory.path) at step \(state.step)")
        } else {
            if (try? Checkpoint.resolve(options.runDirectory)) != nil {
                throw TrainingError.invalidOption("\(options.runDirectory.path) already holds a training run; continue it with --resume \(options.runDirectory.path), or choose another --out")
            }
            let model = try ReasoningModel(config: run.model, seed: run.training.seed)
            if let initial = options.initialWeights {
                try model.load(initial, source: options.initialWeightsSource)
                logger.info("initialised from \(options.initialWeightsSource): fresh optimizer state (Adam moments zero, step 0)")
            }
            state = TrainingState(run: run, model: model)
            priorElapsedSeconds = 0
            stream = SampleStream(dataset: trainingSet, seed: run.training.seed, options: .forDataset(trainingSet, augment: run.training.augment),
                                  threads: options.dataThreads)
        }
        if let testSet, testSet.seqLen != run.model.seqLen {
            logger.info("the test set's puzzles have \(testSet.seqLen) cells, the training set's \(run.model.seqLen): evaluated with the same weights (positionEncoding \(run.model.positionEncoding.rawValue))")
        }
        if let rule = stream.mazeLabelRule {
            logger.info("maze labels follow the tie-break '\(rule)': each rotated or mirrored copy is relabelled by it")
        }
    }

    /// The weights evaluation and serving use: EMA parameters when EMA is on, plus buffers.
    public func evaluationWeights() -> [String: Tensor] {
        var w = Dictionary(uniqueKeysWithValues: state.model.state)
        if let ema = state.ema { for (k, v) in ema.shadow { w[k] = v } }
        return w
    }

    /// Evaluates the current evaluation weights on up to `limit` test puzzles.
    public func evaluate(limit: Int? = nil, progress: ProgressBar? = nil) throws -> EvaluationResult? {
        guard let testSet else { return nil }
        let model = try evaluationModel ?? ReasoningModel(config: Trainer.evaluationConfig(run.model, testSet: testSet), seed: run.training.seed)
        evaluationModel = model
        try model.load(evaluationWeights(), source: "training state")
        let data = limit.map { testSet.prefix($0) } ?? testSet
        return try Evaluator.evaluate(model: model, dataset: data, name: "test set", options: options.evaluation, progress: progress)
    }

    /// The model configuration evaluation runs: the training one, at the test set's length (another
    /// square side for a rope2d model; `RunConfig.sized` refused any other difference).
    static func evaluationConfig(_ model: ModelConfig, testSet: PuzzleDataset) -> ModelConfig {
        var c = model
        c.seqLen = testSet.seqLen
        return c
    }

    /// Builds the next training batch from the stream. -> tokens, labels [B, S]
    func nextBatch() throws -> PuzzleBatch {
        let b = run.training.batchSize, s = trainingSet.seqLen
        var inputs = [Int32](), labels = [Int32](), ids = [Int32]()
        stream.nextBatch(batchSize: b, inputs: &inputs, labels: &labels, puzzleIdentifiers: &ids)
        return try PuzzleBatch(tokens: IntTensor(shape: [b, s], values: inputs),
                               labels: IntTensor(shape: [b, s], values: labels), puzzleIdentifiers: ids)
    }

    /// Saves a checkpoint of the current state into the run directory.
    @discardableResult
    public func saveCheckpoint(elapsedSeconds: Double) throws -> URL {
        try Checkpoint.save(state, stream: stream.state, elapsedSeconds: elapsedSeconds,
                            trainingData: options.dataSources, inputs: options.inputs, runDirectory: options.runDirectory)
    }

    /// Trains until `run.training.totalSteps` or a stop request.
    public func train(stop: StopRequest = StopRequest()) throws -> TrainingSummary {
        let t = run.training
        let dir = options.runDirectory
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try AtomicFile.write(run.jsonData(), to: dir.appendingPathComponent("config.json"))
        let metrics = try MetricsLog(runDirectory: dir)
        defer { metrics.close() }
        let firstStep = state.step
        let segmentStart = Date()
        func elapsed() -> Double { priorElapsedSeconds + Date().timeIntervalSince(segmentStart) }
        logger.info("training \(run.name): \(state.model.parameterCount) parameters, \(trainingSet.count) training puzzles, batch \(t.batchSize), steps \(firstStep)..<\(t.totalSteps), run directory \(dir.path)")
        let progress = ProgressBar(total: max(0, t.totalSteps - firstStep), label: "train", mode: options.progressMode)
        var lastEvaluation: EvaluationResult?
        var evaluatedAtStep = -1
        var lastCheckpoint: URL?
        var savedAtStep = -1
        var samples = 0
        while state.step < t.totalSteps && !stop.isRequested {
            let batch = try nextBatch()
            let stepStart = Date()
            let report = try state.trainStep(batch)
            let seconds = Date().timeIntervalSince(stepStart)
            samples += batch.size
            guard report.loss.isFinite else {
                progress.finish()
                throw TrainingError.diverged(step: report.step, loss: report.loss)
            }
            var record = MetricsRecord(
                step: report.step, loss: Double(report.loss), lmLoss: Double(report.lmLoss), qHaltLoss: Double(report.qHaltLoss),
                tokenAccuracy: report.tokenAccuracy.map(Double.init), exactAccuracy: report.exactAccuracy.map(Double.init),
                meanSteps: report.meanHaltSteps.map(Double.init), lr: Double(report.learningRate),
                samplesPerSecond: seconds > 0 ? Double(batch.size) / seconds : nil, elapsedSeconds: elapsed(),
                extra: ["exact_accuracy_all_rows": Double(report.exactAccuracyAllRows), "halted_rows": Double(report.haltedRows)],
                dtype: ComputeContext.current.dtype.rawValue)
            if run.model.family == .hrm { record.extra["q_continue_loss"] = Double(report.qContinueLoss) }
            // Every evalInterval steps, and after the last step whatever the interval (0: only
            // then), so the final evaluation lands in metrics.jsonl with its step like the others.
            let evaluateNow = report.step == t.totalSteps || (t.evalInterval > 0 && report.step % t.evalInterval == 0)
            if evaluateNow, testSet != nil {
                if let e = try evaluate(limit: options.evalLimit) {
                    lastEvaluation = e
                    evaluatedAtStep = report.step
                    record.extra.merge(Self.metrics(of: e)) { $1 }
                    logger.info("step \(report.step): \(Self.summaryLine(e))")
                }
            }
            try metrics.append(record)
            if options.jsonLines { FileHandle.standardOutput.write(Data((record.jsonLine() + "\n").utf8)) }
            var shown: KeyValuePairs<String, Double> = ["loss": Double(report.loss)]
            if let acc = report.exactAccuracy { shown = ["loss": Double(report.loss), "exact": Double(acc)] }
            progress.update(done: report.step - firstStep, shown)
            if t.checkpointInterval > 0 && report.step % t.checkpointInterval == 0 {
                lastCheckpoint = try saveCheckpoint(elapsedSeconds: elapsed())
                savedAtStep = report.step
                metrics.sync()
                logger.debug("step \(report.step): checkpoint \(lastCheckpoint!.path)")
            }
        }
        progress.finish()
        let interrupted = state.step < t.totalSteps
        if interrupted { logger.notice("\(stop.requestReason ?? "stop requested"): stopped after step \(state.step)") }
        if savedAtStep != state.step {
            lastCheckpoint = try saveCheckpoint(elapsedSeconds: elapsed())
        }
        metrics.sync()
        logger.info("checkpoint at step \(state.step): \(lastCheckpoint?.path ?? "-")")
        if !interrupted, testSet != nil, evaluatedAtStep != state.step {
            // No step ran in this segment (resumed at its last step): evaluate the weights as they are.
            lastEvaluation = try evaluate(limit: options.evalLimit)
            if let e = lastEvaluation { logger.info("final: \(Self.summaryLine(e))") }
        }
        if let e = lastEvaluation {
            let reportDir = dir.appendingPathComponent("eval")
            try FileManager.default.createDirectory(at: reportDir, withIntermediateDirectories: true)
            try e.report(model: run.name, checkpoint: lastCheckpoint?.path, dataset: "test set (\(e.puzzleCount) puzzles)",
                         notes: ["step": String(state.step)]).write(to: reportDir)
        }
        if options.writePlots {
            do { _ = try RunPlots.write(runDirectory: dir, png: false) } catch {
                logger.warning("could not write training charts: \(error)")
            }
        }
        let total = elapsed()
        let segment = Date().timeIntervalSince(segmentStart)
        return TrainingSummary(firstStep: firstStep, lastStep: state.step, interrupted: interrupted, checkpoint: lastCheckpoint,
                               lastEvaluation: lastEvaluation, elapsedSeconds: total, segmentSeconds: segment,
                               samplesPerSecond: segment > 0 ? Double(samples) / segment : 0)
    }

    /// Evaluation numbers as metrics fields.
    static func metrics(of e: EvaluationResult) -> [String: Double] {
        var m: [String: Double] = [:]
        if let a = e.allSteps {
            m["eval_exact_accuracy"] = a.exactAccuracy; m["eval_token_accuracy"] = a.tokenAccuracy
        }
        if let h = e.earlyHalting {
            m["eval_halting_exact_accuracy"] = h.exactAccuracy; m["eval_halting_mean_steps"] = h.meanSteps
        }
        return m
    }

    /// "eval exact 97.50% token 99.60% (all 4 steps); halting exact 97.00% in 2.10 steps"
    public static func summaryLine(_ e: EvaluationResult) -> String {
        var parts: [String] = []
        if let a = e.allSteps {
            parts.append(String(format: "eval exact %.2f%% token %.2f%% (all %d steps)", a.exactAccuracy * 100, a.tokenAccuracy * 100, e.maxSteps))
        }
        if let h = e.earlyHalting {
            parts.append(String(format: "halting exact %.2f%% in %.2f steps", h.exactAccuracy * 100, h.meanSteps))
        }
        return parts.joined(separator: "; ") + " on \(e.puzzleCount) puzzles"
    }
}
