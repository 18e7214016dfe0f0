// EvaluatorTests: on a hand-built model whose answers are known in advance (zero output head:
// every cell predicts token 0; the Q head's bias decides halting) the evaluator's exact and token
// accuracy, mean steps and per-step curve are exactly what they must be; both protocol paths agree;
// a dataset that does not fit the model is refused. Also: parameter counts of the paper presets.
import TRMTestSupport
import Foundation
import Testing
import TRMModels
import TRMPuzzles
import TRMTensor
@testable import TRMTraining
import TRMRuntime

@Suite("Evaluator")
struct EvaluatorTests {
    /// seqLen 4, vocab 3, hidden 8, three supervision steps; lm_head zero, q_head bias = haltBias.
    static func handBuiltModel(haltBias: Float) throws -> ReasoningModel {
        var c = ModelConfig()
        c.seqLen = 4; c.vocabSize = 3; c.hidden = 8; c.heads = 2; c.layers = 1
        c.hCycles = 1; c.lCycles = 1; c.haltMaxSteps = 3
        c.puzzleEmbeddingLength = 1; c.puzzleEmbeddingWidth = 8; c.puzzleIdentifiers = 1
        let model = try ReasoningModel(config: c, seed: 1)
        model.lmHead.weight.zero()
        try model.qHead.bias!.assign(Tensor(shape: [2], values: [haltBias, 0]))
        return model
    }

    /// Labels chosen against the all-zero prediction: rows 0 and 2 exactly right, row 1 two of three
    /// labelled cells, row 3 none. Exact 2/4; tokens 9/14.
    static func dataset() -> PuzzleDataset {
        var d = PuzzleDataset(kind: .grid, seqLen: 4, vocabSize: 3, numPuzzleIdentifiers: 1, gridRows: 2, gridCols: 2)
        let ignore = PuzzleDataset.ignoreLabel
        d.append(input: [1, 2, 1, 2], label: [0, 0, 0, 0])
        d.append(input: [2, 2, 1, 1], label: [0, 0, 1, ignore])
        d.append(input: [1, 1, 1, 1], label: [ignore, 0, 0, 0])
        d.append(input: [2, 1, 2, 1], label: [1, 1, 1, 1])
        return d
    }

    @Test("known answers: exact 2/4, tokens 9/14, constant per-step curve, halting after 1 step", arguments: [1, 3])
    func knownAnswers(batchSize: Int) throws {
        let model = try Self.handBuiltModel(haltBias: 5)  // sigmoid(5) = 0.993: confident at once
        let r = try Evaluator.evaluate(model: model, dataset: Self.dataset(), options: EvaluationOptions(batchSize: batchSize))
        let all = try #require(r.allSteps), halting = try #require(r.earlyHalting)
        #expect(r.puzzleCount == 4 && r.tokenCount == 14 && r.maxSteps == 3)
        #expect(all.exactAccuracy == 0.5 && all.tokenAccuracy == 9.0 / 14 && all.meanSteps == 3)
        #expect(halting.exactAccuracy == 0.5 && halting.tokenAccuracy == 9.0 / 14 && halting.meanSteps == 1)
        #expect(r.perStep.map(\.step) == [1, 2, 3])
        #expect(r.perStep.allSatisfy { $0.exactAccuracy == 0.5 && $0.tokenAccuracy == 9.0 / 14 })
    }

    @Test("per-puzzle outcomes (--predictions): known rows, both protocols, ratings, the answer, JSON lines",
          arguments: [1, 3])
    func puzzleOutcomes(batchSize: Int) throws {
        let model = try Self.handBuiltModel(haltBias: 5)
        var d = Self.dataset()
        d.ratings = [0, 1, 5, 6]
        var options = EvaluationOptions(batchSize: batchSize)
        #expect(try Evaluator.evaluate(model: model, dataset: d, options: options).puzzles.isEmpty, "only when asked")
        options.keepPuzzles = true
        let r = try Evaluator.evaluate(model: model, dataset: d, options: options)
        #expect(r.puzzles.map(\.index) == [0, 1, 2, 3])
        #expect(r.puzzles.map(\.rating) == [0, 1, 5, 6])
        #expect(r.puzzles.map(\.tokens) == [4, 3, 3, 4])
        #expect(r.puzzles.map(\.correct) == [4, 2, 3, 0])
        #expect(r.puzzles.map(\.exact) == [true, false, true, false])
        #expect(r.puzzles.map(\.haltingExact) == [true, false, true, false])
        #expect(r.puzzles.map(\.haltingSteps) == [1, 1, 1, 1], "confident at the first step")
        #expect(r.puzzles.allSatisfy { $0.prediction == [0, 0, 0, 0] }, "the zero head predicts token 0 everywhere")
        // The halting-only path (continuous batching) reports the same halting outcomes.
        options.evaluationProtocol = .halting
        let fast = try Evaluator.evaluate(model: model, dataset: d, options: options)
        #expect(fast.puzzles.map(\.haltingExact) == [true, false, true, false] && fast.puzzles.allSatisfy { $0.exact == nil })
        // One JSON object per line, with the fields the README names.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.puzzles[1].jsonLine.utf8)) as? [String: Any])
        #expect(object["index"] as? Int == 1 && object["rating"] as? Int == 1 && object["correct"] as? Int == 2)
        #expect(object["exact"] as? Bool == false && object["halting_steps"] as? Int == 1)
        #expect(object["prediction"] as? [Int] == [0, 0, 0, 0])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outcomes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try PuzzleOutcome.write(r.puzzles, to: folder)
        #expect(url.lastPathComponent == "predictions.jsonl")
        #expect(try String(contentsOf: url, encoding: .utf8).split(separator: "\n").count == 4)
    }

    @Test("mazes: right answers beside exact ones (any shortest path), counted in both protocols, the report and JSON")
    func mazeRightAnswers() throws {
        // Two 3x3 mazes: an open room (6 shortest paths) and a corridor (one).
        let room = try MazeGrid.parse("S       G", allowPath: false).get()
        let corridor = try MazeGrid.parse("S#  #   G", allowPath: false).get()
        let records = try [room, corridor].map { q in MazeRecord(question: q, answer: try #require(MazeSolver.solve(q))) }
        let data = PuzzleDataset.maze(records)
        var c = ModelConfig()
        c.seqLen = 9; c.vocabSize = MazeGrid.vocabSize; c.hidden = 8; c.heads = 2; c.layers = 1
        c.hCycles = 1; c.lCycles = 1; c.haltMaxSteps = 2
        c.puzzleEmbeddingLength = 1; c.puzzleEmbeddingWidth = 8; c.puzzleIdentifiers = 1
        let model = try ReasoningModel(config: c, seed: 1)
        model.lmHead.weight.zero()  // every cell predicts token 0 (pad): no answer is right
        var options = EvaluationOptions()
        options.keepPuzzles = true
        for p in [EvaluationProtocol.both, .halting] {
            options.evaluationProtocol = p
            let r = try Evaluator.evaluate(model: model, dataset: data, options: options)
            let right = try #require(r.rightAnswers)
            #expect(right.puzzlesWithSeveral == 1 && right.rule.contains("shortest"))
            #expect(right.earlyHalting == 0 && (p == .halting ? right.allSteps.isNaN : right.allSteps == 0))
            #expect(r.puzzles.map(\.right) == [false, false])
            let report = r.report(model: "m", checkpoint: nil, dataset: "mazes")
            #expect(report.rightAnswers?.puzzlesWithSeveral == 1 && report.rightAnswers?.earlyHalting == 0)
            #expect(report.markdown().contains("## Right answers besides the label") && report.markdown().contains("1 of the 2 puzzles"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(r.puzzles[0].jsonLine.utf8)) as? [String: Any])
            #expect(object["right"] as? Bool == false)
        }
        // Kinds scored against the label only have no such section.
        #expect(try Evaluator.evaluate(model: try Self.handBuiltModel(haltBias: 5), dataset: Self.dataset()).rightAnswers == nil)
    }

    @Test("accuracy by rating: rows 0 and 2 (exact) rated 0 and 5, rows 1 and 3 rated 1 and 6", arguments: [1, 3])
    func byRating(batchSize: Int) throws {
        let model = try Self.handBuiltModel(haltBias: 5)
        var d = Self.dataset()
        d.ratings = [0, 1, 5, 6]
        let r = try Evaluator.evaluate(model: model, dataset: d, options: EvaluationOptions(batchSize: batchSize))
        #expect(r.ratings.map(\.label) == ["0", "1", "4-7", "1 or more"])
        #expect(r.ratings.map(\.puzzles) == [1, 1, 2, 3])
        let exact: [Double] = r.ratings.map(\.allSteps.exactAccuracy)
        #expect(exact == [1, 0, 0.5, 1.0 / 3])
        // Tokens: row 0 4/4; row 1 2/3; rows 2 and 3 3/3 + 0/4; rows 1-3 5/10.
        let tokens: [Double] = r.ratings.map(\.allSteps.tokenAccuracy)
        let expectedTokens: [Double] = [1, 2.0 / 3, 3.0 / 7, 0.5]
        #expect(tokens == expectedTokens)
        let steps: [Double] = r.ratings.map(\.earlyHalting.meanSteps)
        #expect(steps == [1, 1, 1, 1], "halting after the first step")
        // Unrated rows (-1) are left out; no ratings at all: no table.
        d.ratings = [-1, 3, -1, 3]
        let partly = try Evaluator.evaluate(model: model, dataset: d, options: EvaluationOptions(batchSize: batchSize))
        #expect(partly.ratings.map(\.label) == ["2-3"] && partly.ratings[0].puzzles == 2)
        #expect(try Evaluator.evaluate(model: model, dataset: Self.dataset()).ratings.isEmpty)
        let md = r.report(model: "m", checkpoint: nil, dataset: "d").markdown()
        #expect(md.contains("## Accuracy by difficulty (rating)") && md.contains("| 1 or more | 3 | 33.33% |"))
    }

    @Test("Sudoku and maze CSV ratings reach the dataset; prefix keeps them aligned")
    func ratingsFromFiles() throws {
        let csv = try #require(SharedData.path("sudoku-extreme-lite/test.csv"))
        let d = try TrainingData.load(paths: [csv], limit: 50)
        let ratings = try #require(d.ratings)
        #expect(ratings.count == 50 && ratings.allSatisfy { $0 >= 0 })
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst().prefix(50)
        let fromFile: [Int] = lines.map { Int($0.split(separator: ",").last!)! }
        #expect(ratings.map { Int($0) } == fromFile)
        #expect(d.prefix(7).ratings == Array(ratings.prefix(7)))
    }

    @Test("a threshold above the halting confidence runs every step; the halting-only path agrees")
    func threshold() throws {
        let model = try Self.handBuiltModel(haltBias: 5)
        let strict = try Evaluator.evaluate(model: model, dataset: Self.dataset(), options: EvaluationOptions(threshold: 0.999))
        #expect(strict.earlyHalting?.meanSteps == 3)
        let never = try Self.handBuiltModel(haltBias: -5)
        for p in [EvaluationProtocol.both, .halting] {
            let r = try Evaluator.evaluate(model: never, dataset: Self.dataset(), options: EvaluationOptions(evaluationProtocol: p))
            #expect(r.earlyHalting?.meanSteps == 3 && r.earlyHalting?.exactAccuracy == 0.5)
            #expect((r.allSteps == nil) == (p == .halting))
        }
        let fast = try Evaluator.evaluate(model: model, dataset: Self.dataset(), options: EvaluationOptions(evaluationProtocol: .halting))
        #expect(fast.earlyHalting?.meanSteps == 1 && fast.perStep.isEmpty)
        let allOnly = try Evaluator.evaluate(model: model, dataset: Self.dataset(), options: EvaluationOptions(evaluationProtocol: .all))
        #expect(allOnly.earlyHalting == nil && allOnly.allSteps?.exactAccuracy == 0.5)
    }

    /// A random-weight model (answers and halting vary from step to step) and random puzzles.
    static func randomCase() throws -> (ReasoningModel, PuzzleDataset) {
        var c = ModelConfig()
        c.seqLen = 4; c.vocabSize = 3; c.hidden = 8; c.heads = 2; c.layers = 1
        c.hCycles = 1; c.lCycles = 1; c.haltMaxSteps = 3
        c.puzzleEmbeddingLength = 1; c.puzzleEmbeddingWidth = 8; c.puzzleIdentifiers = 1
        let model = try ReasoningModel(config: c, seed: 7)
        var d = PuzzleDataset(kind: .grid, seqLen: 4, vocabSize: 3, numPuzzleIdentifiers: 1, gridRows: 2, gridCols: 2)
        var rng = SeededRandom(seed: 3)
        for _ in 0..<24 {
            d.append(input: (0..<4).map { _ in Int32(1 + rng.next() % 2) }, label: (0..<4).map { _ in Int32(rng.next() % 3) })
        }
        return (model, d)
    }

    @Test("test-time depth: a rollout past the training limit keeps recursing (no reset), step for step as the inference session")
    func beyondTheTrainingLimit() throws {
        let (model, data) = try Self.randomCase()
        let deep = try Evaluator.evaluate(model: model, dataset: data, options: EvaluationOptions(maxSteps: 9, batchSize: 5))
        #expect(deep.maxSteps == 9 && deep.perStep.count == 9)
        let trained = try Evaluator.evaluate(model: model, dataset: data, options: EvaluationOptions(batchSize: 5))
        #expect(Array(deep.perStep.prefix(3)) == trained.perStep, "the first 3 steps are the training-limit rollout")
        // The inference session never resets: its predictions after each step score the same.
        let inputs = (0..<data.count).map { Array(data.input($0)) }
        let solved = try solvePuzzles(model: model, inputs: inputs, policy: HaltingPolicy(threshold: nil, maxSteps: 9), keepSteps: true)
        for k in 0..<9 {
            var exact = 0
            for (i, r) in solved.enumerated() {
                let sc = Evaluator.score(r.steps[k].prediction[0..<4], labels: data.label(i))
                if sc.count > 0 && sc.correct == sc.count { exact += 1 }
            }
            #expect(deep.perStep[k].exactAccuracy == Double(exact) / Double(data.count), "step \(k + 1)")
        }
    }

    @Test("--depths: each depth's scores equal a separate evaluation stopped at that depth, both protocols")
    func depthsFromOneRollout() throws {
        let (model, data) = try Self.randomCase()
        let r = try Evaluator.evaluate(model: model, dataset: data, options: EvaluationOptions(threshold: 0.5, depths: [5, 1, 2, 2], batchSize: 7))
        #expect(r.depths.map(\.depth) == [1, 2, 5] && r.maxSteps == 5)
        for d in r.depths {
            let alone = try Evaluator.evaluate(model: model, dataset: data, options: EvaluationOptions(threshold: 0.5, maxSteps: d.depth, batchSize: 7))
            #expect(d.allSteps == alone.allSteps, "all steps at depth \(d.depth)")
            #expect(d.earlyHalting == alone.earlyHalting, "early halting at depth \(d.depth)")
            let halting = try Evaluator.evaluate(model: model, dataset: data,
                                                 options: EvaluationOptions(evaluationProtocol: .halting, threshold: 0.5, maxSteps: d.depth, batchSize: 3))
            #expect(halting.earlyHalting == d.earlyHalting, "the continuous-batching path agrees at depth \(d.depth)")
        }
        let report = r.report(model: "random", checkpoint: nil, dataset: "random")
        #expect(report.markdown().contains("## Accuracy against test-time depth"))
        #expect(report.depthChart().svg().contains("early halting"))
        #expect(throws: DatasetMismatchError.self) {
            _ = try Evaluator.evaluate(model: model, dataset: data, options: EvaluationOptions(depths: [300]))
        }
    }

    @Test("the report carries both protocols; a missing protocol shows as n/a")
    func report() throws {
        let model = try Self.handBuiltModel(haltBias: 5)
        let r = try Evaluator.evaluate(model: model, dataset: Self.dataset(), options: EvaluationOptions(evaluationProtocol: .all))
        let report = r.report(model: "hand-built", checkpoint: nil, dataset: "four rows")
        #expect(report.allSteps.exactAccuracy == 0.5 && report.earlyHalting.exactAccuracy.isNaN)
        #expect(report.markdown().contains("n/a"))
        let dir = TestDirectory()
        let files = try report.write(to: dir.url)
        #expect(FileManager.default.fileExists(atPath: files.chart.path))
    }

    @Test("a dataset that does not fit the model is refused with the reason")
    func mismatch() throws {
        let model = try Self.handBuiltModel(haltBias: 0)
        var wrong = PuzzleDataset(kind: .grid, seqLen: 6, vocabSize: 3, numPuzzleIdentifiers: 1, gridRows: 2, gridCols: 3)
        wrong.append(input: [1, 1, 1, 1, 1, 1], label: [1, 1, 1, 1, 1, 1])
        #expect {
            _ = try Evaluator.evaluate(model: model, dataset: wrong, name: "wrong.csv")
        } throws: { error in
            "\(error)".contains("wrong.csv") && "\(error)".contains("6 cells")
        }
        var badId = Self.dataset()
        badId.numPuzzleIdentifiers = 5
        badId.puzzleIdentifiers[0] = 4
        #expect(throws: DatasetMismatchError.self) { _ = try Evaluator.evaluate(model: model, dataset: badId) }
    }

    @Test("paper presets have the published parameter counts (puzzle embeddings excluded)",
          arguments: [("trm-att-sudoku", 6.83e6), ("trm-mlp-sudoku", 5.03e6), ("hrm-sudoku", 27.3e6)])
    func parameterCounts(preset: String, expected: Double) throws {
        let summary = try ModelSummary(run: RunConfig.preset(preset))
        #expect(abs(Double(summary.parameters) - expected) / expected < 0.005, "\(preset): \(summary.parameters)")
        #expect(summary.lines[1].hasPrefix("parameters: \(ModelSummary.compact(summary.parameters))"))
    }

    @Test func compactCounts() {
        #expect(ModelSummary.compact(6_830_000) == "6.83M")
        #expect(ModelSummary.compact(27_270_000) == "27.3M")
        #expect(ModelSummary.compact(129_922) == "130K")
        #expect(ModelSummary.compact(512) == "512")
    }
}
