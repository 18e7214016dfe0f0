// `trm train`: argument parsing for TRMTraining's Trainer (fresh runs and --resume).
import ArgumentParser
import Foundation
import TRMModels
import TRMPuzzles
import TRMRuntime
import TRMTensor
import TRMTraining

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a TRM or HRM model with deep supervision; resumable, Ctrl-C saves a checkpoint.",
        discussion: """
        Writes <out>/metrics.jsonl (one line per step), <out>/checkpoint/ (latest; the one before is kept as checkpoint.previous/), <out>/eval/report.md and the training charts (*.svg). Ctrl-C finishes the current step, saves a checkpoint and exits 0 (twice: quit at once).

        Examples:
          # 4x4 Sudoku, puzzles generated in code, about a minute on 2 cores:
          trm train --preset trm-tiny-sudoku4 --out runs/sudoku4
          # Sudoku-Extreme, small CPU model, 1000 training puzzles:
          D=../shared/data/sudoku-extreme-lite
          trm train --preset trm-att-sudoku-small --data $D/train.csv \\
              --test-data $D/test.csv --train-limit 1000 --out runs/sudoku
          # continue a run (to 6000 steps in total):
          trm train --resume runs/sudoku --steps 6000
          # your own configuration:
          trm info --preset trm-att-sudoku-small --json > my.json
          trm train --config my.json --data train.trmd
        """)

    @OptionGroup var model: RunConfigOptions

    @Option(name: .customLong("data"), parsing: .upToNextOption,
            help: "Training data: a .trmd file or raw CSV/JSONL/ARC files (4x4 Sudoku models: generated when omitted).")
    var data: [String] = []

    @Option(name: .customLong("test-data"), parsing: .upToNextOption, help: "Test data for the periodic evaluation.")
    var testData: [String] = []

    @Option(name: .outputPath, help: "Run directory (default: runs/<config name>).")
    var out: String?

    @Option(help: "Continue the run (or checkpoint folder) at this path; writes into it unless --out is given.")
    var resume: String?

    @Option(name: .customLong("init"),
            help: "Start from this model's weights (a model folder from `trm import`, a run or an exported file): fresh optimizer state; its config unless --preset/--config is given.")
    var initFrom: String?

    @Flag(help: "With --init: load the model even when a file differs from its recorded size or checksum (not recommended).")
    var noVerify = false

    @Option(help: "Total optimizer steps of the run (a resumed run continues up to this).")
    var steps: Int?

    @Option(help: "Batch size (rows, each with its own ACT carry).")
    var batchSize: Int?

    @Option(help: "Learning rate after warm-up.")
    var lr: Float?

    @Option(help: "Seed for weights, data order and exploration.")
    var seed: UInt64?

    @Option(help: "Evaluate the EMA weights on the test data every N steps (0: only at the end).")
    var evalInterval: Int?

    @Option(help: "Save a checkpoint every N steps (0: only at the end).")
    var checkpointInterval: Int?

    @Option(help: "Test puzzles per periodic evaluation (default: 1000; on --resume the run's own).")
    var evalLimit: Int?

    @Flag(name: .customLong("no-augment"),
          help: "Train on the rows as they are (shuffled each epoch): no Sudoku relabelling or permutations, no maze rotations or mirrors, no ARC versions. Kept in the run's configuration, so --resume keeps it.")
    var noAugment = false

    @Option(help: "Use only the first N training puzzles.")
    var trainLimit: Int?

    /// --json: every step's metrics as a JSON line on standard output (progress as plain lines).
    @OptionGroup var output: JSONOutputOptions
    var json: Bool { output.json }

    @OptionGroup var threads: ThreadOptions
    @OptionGroup var log: LogOptions

    func validate() throws {
        if resume != nil && (batchSize != nil || seed != nil || lr != nil) {
            throw ValidationError("--batch-size, --lr and --seed cannot change on --resume (the saved optimizer state and carry depend on them)")
        }
        if resume != nil && noAugment {
            throw ValidationError("--no-augment cannot change on --resume (the sample stream continues as it was saved); the run keeps its own setting")
        }
        if resume != nil && initFrom != nil { throw ValidationError("--init starts a new run; it cannot be combined with --resume") }
        if noVerify && initFrom == nil { throw ValidationError("--no-verify applies to --init MODEL only (a resumed checkpoint is always checked)") }
        if resume == nil && initFrom == nil && !model.isGiven { throw ValidationError("give --preset NAME or --config FILE (or --resume DIR, or --init MODEL)") }
        if let steps, steps < 0 { throw ValidationError("--steps must be at least 0") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number") }
        if let evalInterval, evalInterval < 0 { throw ValidationError("--eval-interval must be at least 0") }
        if let checkpointInterval, checkpointInterval < 0 { throw ValidationError("--checkpoint-interval must be at least 0") }
        if let evalLimit, evalLimit < 1 { throw ValidationError("--eval-limit must be at least 1") }
        if let trainLimit, trainLimit < 1 { throw ValidationError("--train-limit must be at least 1") }
        for path in data + testData where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("no such file or folder: \(path)")
        }
    }

    func run() throws {
        let logger = log.makeLogger("trm.train")
        try threads.run {
            var run: RunConfig
            var resumeFrom: URL?
            var runDirectory: URL
            var initial: LoadedModel?
            var data = data, testData = testData, trainLimit = trainLimit, evalLimit = evalLimit ?? RunInputs.defaultEvalLimit
            var recordedData: [String] = []
            if let resume {
                let contents = try Checkpoint.readContents(URL(fileURLWithPath: resume))
                run = try model.load() ?? contents.run
                resumeFrom = contents.directory
                // The run's own data unless given again (recorded with sizes and checksums).
                let resumed = try RunInputs.resume(recorded: contents.manifest.inputs, legacyTraining: contents.manifest.trainingData,
                                                   data: data, testData: testData, trainLimit: trainLimit, evalLimit: self.evalLimit)
                (data, testData, trainLimit, evalLimit) = (resumed.training, resumed.test, resumed.trainLimit, resumed.evalLimit)
                recordedData = contents.manifest.trainingData
                for line in resumed.notices { logger.info("\(line)") }
                for line in resumed.warnings { logger.warning("\(line)") }
                if let steps, steps != contents.run.training.totalSteps {
                    logger.notice("the schedule now ends at step \(steps) (the run's configuration said \(contents.run.training.totalSteps)): from step \(contents.manifest.step) the learning rate follows a \(steps)-step run's")
                }
                let parent = contents.directory.deletingLastPathComponent()
                let isRunChild = [Checkpoint.directoryName, Checkpoint.previousDirectoryName].contains(contents.directory.lastPathComponent)
                runDirectory = URL(fileURLWithPath: out ?? (isRunChild ? parent.path : contents.directory.path + "-resumed"))
            } else if let initFrom {
                initial = try ModelStore.load(directory: initFrom, verify: !noVerify)
                run = try model.load() ?? initial!.run
                runDirectory = URL(fileURLWithPath: out ?? "runs/\(run.name)")
            } else {
                run = try model.load()!
                runDirectory = URL(fileURLWithPath: out ?? "runs/\(run.name)")
            }
            // A run directory that cannot be written is refused before any data is read or step taken.
            try OutputLocation.checkFolder(out ?? runDirectory.path, for: "the run")
            logger.info("compute: \(ComputeContext.current.dtype), \(ComputeContext.current.threads) thread(s), matrix products on \(BLAS.name)")
            if let steps { run.training.totalSteps = steps }
            if let batchSize { run.training.batchSize = batchSize }
            if let lr { run.training.learningRate = lr }
            if let seed { run.training.seed = seed }
            if let evalInterval { run.training.evalInterval = evalInterval }
            if let checkpointInterval { run.training.checkpointInterval = checkpointInterval }
            if noAugment { run.training.augment = false }

            var trainSet: PuzzleDataset, testSet: PuzzleDataset?
            var sources = data
            if data.isEmpty {
                guard TrainingData.canGenerate(for: run.model) else {
                    let named = recordedData.isEmpty ? "" : "; the checkpoint names \(recordedData.joined(separator: ", ")), not found from here"
                    throw CommandError("--data is required for \(run.name) (only 4x4 Sudoku models can generate their puzzles)\(named)")
                }
                let generated = TrainingData.generatedSudoku4(seed: run.training.seed)
                trainSet = generated.train
                testSet = generated.test
                sources = ["generated 4x4 Sudoku (seed \(run.training.seed)): \(generated.train.count) train, \(generated.test.count) test"]
                logger.info("\(sources[0])")
            } else {
                trainSet = try TrainingData.load(paths: data, limit: trainLimit)
            }
            if let trainLimit { trainSet = trainSet.prefix(trainLimit) }
            if !testData.isEmpty { testSet = try TrainingData.load(paths: testData) }

            var options = TrainerOptions(runDirectory: runDirectory, resumeFrom: resumeFrom)
            options.evalLimit = evalLimit
            if !data.isEmpty {
                options.inputs = try RunInputs.reading(training: data, test: testData, trainLimit: trainLimit, evalLimit: evalLimit)
            }
            options.progressMode = log.quiet ? .quiet : (json ? .plain : .automatic)
            options.jsonLines = json
            options.dataSources = sources
            if let initial {
                options.initialWeights = Dictionary(uniqueKeysWithValues: initial.model.state)
                options.initialWeightsSource = initial.directory
            }
            let trainer = try Trainer(run: run, trainingSet: trainSet, testSet: testSet, options: options, logger: logger)
            let stop = StopRequest()
            stop.installSignalHandlers { name in
                logger.notice("\(name): finishing the current step and saving a checkpoint (press Ctrl-C again to quit now)")
            }
            defer { stop.removeSignalHandlers() }
            let summary = try trainer.train(stop: stop)
            // This segment's time; a resumed run also says its time in all (it read "steps 1965..3700
            // in 11233.8 s", the run's total beside this segment's steps).
            var line = String(format: "%@ steps %d..%d in %.1f s (%.1f samples/s)", summary.interrupted ? "stopped:" : "done:",
                              summary.firstStep, summary.lastStep, summary.segmentSeconds, summary.samplesPerSecond)
            if summary.elapsedSeconds > summary.segmentSeconds + 0.5 {
                line += String(format: ", %.1f s of training in all", summary.elapsedSeconds)
            }
            if let e = summary.lastEvaluation { line += "; " + Trainer.summaryLine(e) }
            line += "; checkpoint \(summary.checkpoint?.path ?? "-")"
            if json {
                var object: [String: Any] = ["event": "done", "first_step": summary.firstStep, "last_step": summary.lastStep,
                                             "interrupted": summary.interrupted, "elapsed_seconds": summary.elapsedSeconds,
                                             "segment_seconds": summary.segmentSeconds,
                                             "samples_per_second": summary.samplesPerSecond,
                                             "checkpoint": summary.checkpoint?.path ?? NSNull()]
                if let a = summary.lastEvaluation?.allSteps { object["eval_exact_accuracy"] = a.exactAccuracy; object["eval_token_accuracy"] = a.tokenAccuracy }
                if let h = summary.lastEvaluation?.earlyHalting { object["eval_halting_exact_accuracy"] = h.exactAccuracy; object["eval_halting_mean_steps"] = h.meanSteps }
                print(jsonLine(object))
            } else if !log.quiet {
                print(line)
            }
        }
    }
}
