// `trm eval`: argument parsing for TRMTraining's Evaluator; writes report.json, report.md and the chart.
import ArgumentParser
import Foundation
import TRMInterop
import TRMModels
import TRMPuzzles
import TRMTensor
import TRMTraining
import TRMRuntime
import TRMReport

extension EvaluationProtocol: ExpressibleByArgument {}

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint or model: exact and token accuracy, all 16 steps and early halting, per-step accuracy.",
        discussion: """
        Protocols: `all` runs every supervision step for every puzzle and scores the final answer (the reference's evaluation); `halting` stops each puzzle once sigmoid(q_halt) > --threshold; `both` (default) gets both from one rollout, plus the accuracy after each supervision step. Writes report.json, report.md and step_accuracy.svg into --out.

        --model takes a training run directory or checkpoint folder (its EMA weights), a model folder (config.json + model.safetensors, as `trm export` and the bundled model), or an exported .safetensors file; without --model the bundled model of the data's kind and size is evaluated (Models/sudoku; Models/maze for 8x8 mazes, Models/maze-10x10 for 10x10, Models/maze-20x20 for 20x20, Models/maze-30x30 for 30x30, Models/maze-15x15 for other sides). Every recorded file is checked (size and checksum) before use.

        The report goes to --out; by default into <run>/eval for a training run, otherwise into a new temporary folder; the command prints where. --predictions adds predictions.jsonl there: one line per puzzle, to find which puzzles a model solves.

        Examples:
          trm eval --data test.csv          # the bundled model
          trm eval --model runs/sudoku4     # 4x4: generated held-out puzzles
          D=../shared/data/sudoku-extreme-lite
          trm eval --model runs/sudoku --data $D/test.csv --limit 1000
          trm eval --model runs/sudoku --data test.trmd --protocol halting \\
              --threshold 0.7 --json
          trm eval --data test.csv --depths 1,2,4,8,16,32,64   # test-time depth
          trm eval --data test.csv --tries 8               # retry failed answers in other versions
        """)

    @OptionGroup var model: ModelOptions

    @Option(name: .customLong("data"), parsing: .upToNextOption, help: "Test data: a .trmd file or raw puzzle files.")
    var data: [String] = []

    @Option(help: "Evaluate only the first N puzzles.")
    var limit: Int?

    @Option(name: .customLong("protocol"), help: "all, halting or both.")
    var evaluationProtocol: EvaluationProtocol = .both

    @Option(help: "Early halting: stop once sigmoid(q_halt) exceeds this (0..1).")
    var threshold: Float = 0.5

    @Option(help: "Supervision steps (default: the model's training limit); more is test-time depth, up to 256.")
    var maxSteps: Int?

    @Option(help: "Comma-separated depths (e.g. 1,2,4,8,16,32,64): one rollout to the deepest, both protocols scored at each, a table in report.md and depth_accuracy.svg.")
    var depths: String?

    @Option(help: "Puzzles per batch.")
    var batchSize: Int = 64

    @Option(help: "Versions per puzzle to predict and vote over for pass@1/pass@2: ARC test files (from `trm data build --arc-evaluation ... --test-output`; default all of the task's) and grid tasks whose header declares augment (default 8). 0: no voting.")
    var voteVersions: Int?

    @Option(help: "Sudoku and mazes: tries per puzzle. A puzzle whose answer fails its rule check (Sudoku: a complete grid keeping every clue and the rules; maze: a shortest path; the label is never read) is solved again in another version of itself (Sudoku: random training transforms; mazes: the other rotations and reflections, 8 at most) until one passes; the first passing answer counts. A section in report.md, `tries` in report.json.")
    var tries = 1

    @Option(help: "Seed of the Sudoku versions drawn for --tries.")
    var triesSeed: UInt64 = 0

    @Option(name: .outputPath, help: "Report directory (default: <run>/eval for a training run, else a new temporary folder).")
    var out: String?

    @Flag(help: "Also write predictions.jsonl into the report directory: one line per puzzle (its row in the data, rating, labelled cells right, exact under each protocol, halting step, the answer's tokens).")
    var predictions = false

    @Flag(name: .customLong("any-size"), help: "Run a model with the reference's 1-D RoPE on puzzles of another size than it was trained on (its positions then mean other cells: for measuring what that costs). Attention models with rope2d or no positions run on any square side without it.")
    var anySize = false

    @OptionGroup var output: JSONOutputOptions

    @OptionGroup var threads: ThreadOptions
    @OptionGroup var log: LogOptions

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        guard threshold >= 0 && threshold <= 1 else { throw ValidationError("--threshold must be in 0...1") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        if let maxSteps, !(1...EvaluationOptions.maximumDepth).contains(maxSteps) {
            throw ValidationError("--max-steps must be in 1...\(EvaluationOptions.maximumDepth), got \(maxSteps)")
        }
        _ = try depthList()
        if let voteVersions, voteVersions < 0 { throw ValidationError("--vote-versions must be at least 0") }
        guard (1...1000).contains(tries) else { throw ValidationError("--tries must be in 1...1000, got \(tries)") }
        for path in data where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("no such file or folder: \(path)")
        }
    }

    func run() throws {
        let logger = log.makeLogger("trm.eval")
        try threads.run {
            // The data first: without --model, the bundled model of its kind is evaluated.
            let given = data.isEmpty ? nil : try TrainingData.load(paths: data)
            var loaded = try model.load(kind: given?.kind)
            // Without --model, data of a size the default does not take goes to a bundled model of
            // its kind for other sizes (ModelChoice), as `trm solve` and the server do; with --model
            // there are none (`bundledOtherSizes`), and the model given keeps the data.
            if let given, given.seqLen != loaded.run.model.seqLen, !loaded.takes(cells: given.seqLen) {
                let kind = given.kind
                let others = try model.bundledOtherSizes(kind: kind)
                if let i = ModelChoice.index(in: others, kind: kind, cells: given.seqLen) {
                    logger.info("the default \(kind.rawValue) model '\(loaded.name)' takes \(PuzzleParser.side(loaded.run.model.seqLen)); these \(PuzzleParser.side(given.seqLen)) puzzles go to the bundled '\(others[i].name)'")
                    loaded = others[i]
                }
            }
            if let given, given.seqLen != loaded.run.model.seqLen {
                let trained = loaded.run.model.seqLen
                let transfer = loaded.run.model.sizeTransfer(to: given.seqLen)
                do {
                    loaded = try loaded.sized(for: given.seqLen, allowChangedPositions: anySize)
                } catch let ModelStoreError.incompatible(_, reason) {
                    throw DatasetMismatchError.incompatible(dataset: data.joined(separator: ", "),
                                                            reason: reason + (transfer == .changesPositions ? " (--any-size runs it anyway)" : ""))
                }
                let message = "the model was trained on \(trained) cells and runs on these \(given.seqLen)-cell puzzles with the same weights"
                if transfer == .changesPositions {
                    logger.warning("\(message); its 1-D positions now mean other cells (--any-size)")
                } else {
                    logger.info("\(message) (positionEncoding \(loaded.run.model.positionEncoding.rawValue))")
                }
            }
            let target = try EvalTarget.load(loaded)
            var dataset: PuzzleDataset
            var name: String
            if let given {
                dataset = given
                name = data.joined(separator: ", ")
            } else {
                guard TrainingData.canGenerate(for: target.run.model) else {
                    throw CommandError("--data is required (only 4x4 Sudoku models have generated test puzzles)")
                }
                dataset = TrainingData.generatedSudoku4(seed: target.run.training.seed).test
                name = "generated 4x4 Sudoku test set (seed \(target.run.training.seed))"
            }
            if let limit { dataset = dataset.prefix(limit) }
            // Where the report goes is settled (and the folder made) before the evaluation runs.
            let outDir = try OutputLocation.prepareFolder(out ?? target.defaultReportDirectory().path, for: "the report")
            logger.info("evaluating \(target.source) (step \(target.step.map(String.init) ?? "n/a")) on \(dataset.count) puzzles of \(name)")
            var options = EvaluationOptions(evaluationProtocol: evaluationProtocol, threshold: threshold, maxSteps: maxSteps,
                                            depths: try depthList(), batchSize: batchSize)
            options.keepPuzzles = predictions
            options.tries = tries
            options.triesSeed = triesSeed
            if tries > 1, dataset.answerCheckRule == nil {
                logger.warning("--tries \(tries) is ignored: \(dataset.kind.rawValue) answers have no rule check (ARC and grid tasks vote over versions: --vote-versions)")
            }
            let progress = ProgressBar(total: dataset.count, label: "eval", mode: log.quiet ? .quiet : (output.json ? .plain : .automatic))
            let result = try Evaluator.evaluate(model: target.model, dataset: dataset, name: name, options: options, progress: progress)
            progress.finish()
            var notes = ["step": target.step.map(String.init) ?? "n/a", "protocol": evaluationProtocol.rawValue,
                         "threshold": String(threshold), "threads": String(threads.count),
                         "dtype": ComputeContext.current.dtype.rawValue]
            var voting: ARCVotingResult?
            var gridVoting: GridVotingResult?
            if GridVotingEvaluator.canVote(dataset) && voteVersions != 0 {
                gridVoting = try GridVotingEvaluator.evaluate(model: target.model, dataset: dataset, name: name, versions: voteVersions ?? 8, batchSize: batchSize)
                notes["grid_vote_pass@1"] = String(gridVoting!.passAt1); notes["grid_vote_pass@2"] = String(gridVoting!.passAt2)
                notes["grid_vote_versions"] = String(gridVoting!.versions)
            }
            // Imported reference ARC data: its rows are the augmented versions already.
            let importedVersions = ARCVotingEvaluator.canVote(dataset) ? nil : ReferenceDataset.arcRowVersions(dataset)
            if (ARCVotingEvaluator.canVote(dataset) || importedVersions != nil) && voteVersions != 0 {
                let bar = ProgressBar(total: dataset.count, label: "vote", mode: log.quiet ? .quiet : (output.json ? .plain : .automatic))
                let votingOptions = ARCVotingOptions(maxVersions: voteVersions, batchSize: batchSize)
                if let importedVersions {
                    voting = try ARCVotingEvaluator.evaluate(model: target.model, dataset: dataset,
                                                             rows: importedVersions.map { $0.map { ARCRowVersion(taskID: $0.task, testIndex: $0.testIndex, version: $0.version) } },
                                                             name: name, options: votingOptions, progress: bar)
                } else {
                    voting = try ARCVotingEvaluator.evaluate(model: target.model, dataset: dataset, name: name,
                                                             options: votingOptions, progress: bar)
                }
                bar.finish()
                notes["arc_pass@1"] = String(voting!.passAt1.score); notes["arc_pass@2"] = String(voting!.passAt2.score)
                notes["arc_tasks"] = String(voting!.passAt2.tasks); notes["arc_predictions"] = String(voting!.predictions)
                notes["arc_versions_per_input"] = voteVersions.map(String.init) ?? "all"
            }
            let report = result.report(model: target.run.name, checkpoint: target.source, dataset: name, notes: notes)
            let files = try report.write(to: outDir)
            let predictionsFile = predictions ? try PuzzleOutcome.write(result.puzzles, to: outDir) : nil
            if let predictionsFile {
                let solved = result.puzzles.filter { ($0.exact ?? $0.haltingExact) == true }.count
                printError("wrote \(predictionsFile.path) (\(result.puzzles.count) puzzles, \(solved) solved)")
            }
            if output.json {
                print(String(decoding: try report.jsonData(), as: UTF8.self), terminator: "")
                printError("wrote \(files.json.path), \(files.markdown.lastPathComponent), \(files.chart.lastPathComponent)"
                           + (report.depths.isEmpty ? "" : ", \(EvalReport.depthChartFileName)"))
            } else {
                print(Trainer.summaryLine(result) + String(format: " (%.1f s)", result.elapsedSeconds))
                if !result.perStep.isEmpty {
                    print("exact accuracy after each step: " + result.perStep.map { String(format: "%.1f", $0.exactAccuracy * 100) }.joined(separator: " "))
                }
                for d in result.depths {
                    print(String(format: "depth %3d: all steps exact %.2f%% token %.2f%%; early halting exact %.2f%% in %.2f steps",
                                 d.depth, d.allSteps.exactAccuracy * 100, d.allSteps.tokenAccuracy * 100,
                                 d.earlyHalting.exactAccuracy * 100, d.earlyHalting.meanSteps))
                }
                for r in result.ratings {
                    print(String(format: "rating %@ (%d puzzle%@): all steps exact %.2f%% token %.2f%%; early halting exact %.2f%%",
                                 r.label, r.puzzles, r.puzzles == 1 ? "" : "s", r.allSteps.exactAccuracy * 100, r.allSteps.tokenAccuracy * 100,
                                 r.earlyHalting.exactAccuracy * 100))
                }
                if let right = result.rightAnswers {
                    let all = right.allSteps.isFinite ? String(format: "all steps %.2f%%", right.allSteps * 100) : "all steps not run"
                    print("right answers (\(right.rule); \(right.puzzlesWithSeveral) of \(result.puzzleCount) puzzles have several): "
                          + all + String(format: "; early halting %.2f%%", right.earlyHalting * 100))
                }
                if let tries = result.tries {
                    print(String(format: "up to %d tries (an answer must be %@): exact %.2f%% (first try %.2f%%), passed the check %.2f%%",
                                 tries.tries, tries.check, tries.exactAccuracy * 100, tries.firstTryExact * 100, tries.passedCheck * 100))
                    for r in tries.ratings {
                        print(String(format: "  rating %@ (%d puzzle%@): exact %.2f%% (first try %.2f%%)", r.label, r.puzzles,
                                     r.puzzles == 1 ? "" : "s", r.exactAccuracy * 100, r.firstTryExact * 100))
                    }
                }
                if let voting { print(voting.summary + String(format: " (%.1f s)", voting.elapsedSeconds)) }
                if let gridVoting { print(gridVoting.summary + String(format: " (%.1f s)", gridVoting.elapsedSeconds)) }
                print("wrote \(files.json.path), \(files.markdown.lastPathComponent), \(files.chart.lastPathComponent)"
                      + (report.depths.isEmpty ? "" : ", \(EvalReport.depthChartFileName)"))
            }
        }
    }
}

extension EvalCommand {
    /// --depths as numbers, each in 1...256.
    func depthList() throws -> [Int] {
        guard let depths else { return [] }
        let parts = depths.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap(Int.init)
        guard values.count == parts.count, !values.isEmpty,
              values.allSatisfy({ (1...EvaluationOptions.maximumDepth).contains($0) }) else {
            throw ValidationError("--depths takes comma-separated step counts in 1...\(EvaluationOptions.maximumDepth), e.g. 1,2,4,8,16,32,64; got '\(depths)'")
        }
        return values
    }
}

/// What `trm eval` evaluates: a model as the one loader returns it (checked), with the training
/// step and run directory when it came from a checkpoint.
struct EvalTarget {
    var model: ReasoningModel
    var run: RunConfig
    var source: String
    var step: Int?
    /// The run directory for a checkpoint (its report goes to <run>/eval); nil otherwise.
    var runDirectory: URL?

    static func load(_ loaded: LoadedModel) throws -> EvalTarget {
        var runDirectory: URL?
        if let checkpoint = loaded.checkpointDirectory.map({ URL(fileURLWithPath: $0) }) {
            runDirectory = [Checkpoint.directoryName, Checkpoint.previousDirectoryName].contains(checkpoint.lastPathComponent)
                ? checkpoint.deletingLastPathComponent() : checkpoint
        }
        return EvalTarget(model: loaded.model, run: loaded.run, source: loaded.checkpointDirectory ?? loaded.directory,
                          step: loaded.step, runDirectory: runDirectory)
    }

    /// <run>/eval for a training run; otherwise a new temporary folder (never the current folder,
    /// and never inside a model folder, whose manifest lists what it holds).
    func defaultReportDirectory() throws -> URL {
        if let runDirectory { return runDirectory.appendingPathComponent("eval") }
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let name = "trm-eval-\(run.name.filter { $0.isLetter || $0.isNumber || $0 == "-" })-\(stamp)-\(UInt16.random(in: 0...UInt16.max))"
        return FileManager.default.temporaryDirectory.appendingPathComponent(name)
    }
}
