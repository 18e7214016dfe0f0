// `trm eval --tries`: versions of a puzzle and the way back, the rule check that never reads the
// label, and the evaluator retrying failed answers with the bundled Sudoku model.
import Foundation
import TRMModels
import TRMPuzzles
import TRMReport
import TRMRuntime
import TRMTestSupport
import Testing
@testable import TRMTraining

@Suite("tries: versions, rule checks, retrying")
struct TriesTests {
    static func sudokuData(_ count: Int) throws -> PuzzleDataset {
        var rng = DeterministicRandom(seed: 8)
        return .sudoku(try (0..<count).map { _ in
            let g = try SudokuGenerator.generate(SudokuGeneratorOptions(clues: 30), using: &rng)
            return SudokuRecord(puzzle: g.puzzle, solution: g.solution, rating: g.backtracks)
        })
    }

    static func mazeData(_ count: Int) throws -> PuzzleDataset {
        var rng = DeterministicRandom(seed: 9)
        return .maze(try (0..<count).map { _ in try MazeGenerator.generate(MazeGeneratorOptions(side: 8, minPathCells: 12), using: &rng) })
    }

    @Test func versionsMapBackAndKeepTheirAnswersRight() throws {
        for data in [try Self.sudokuData(6), try Self.mazeData(6)] {
            let transforms = try #require(data.versionTransforms(tries: 8, seed: 1))
            #expect(transforms.count == 7 && Set(transforms.map(\.gather)).count == 7, "seven different versions")
            for t in transforms {
                let version = data.versions(of: Array(0..<data.count), transform: t)
                for i in 0..<data.count {
                    #expect(t.invert(version.input(i)) == Array(data.input(i)))
                    #expect(t.invert(version.label(i)) == Array(data.label(i)))
                    // A version's own answer passes the version's check; mapped back, the original's.
                    #expect(version.passesAnswerCheck(i, prediction: version.label(i)) == true)
                    #expect(data.passesAnswerCheck(i, prediction: t.invert(version.label(i))[...]) == true)
                }
            }
        }
        #expect(try Self.mazeData(1).versionTransforms(tries: 20, seed: 0)?.count == 7, "a maze has 8 versions")
        #expect(try Self.sudokuData(1).versionTransforms(tries: 1, seed: 0)?.isEmpty == true)
        var grid = PuzzleDataset(kind: .grid, seqLen: 4, vocabSize: 3, numPuzzleIdentifiers: 1, gridRows: 2, gridCols: 2)
        grid.append(input: [1, 2, 1, 2], label: [1, 1, 1, 1])
        #expect(grid.versionTransforms(tries: 4, seed: 0) == nil && grid.passesAnswerCheck(0, prediction: [1, 1, 1, 1]) == nil)
    }

    @Test func theCheckReadsTheQuestionNotTheLabel() throws {
        var data = try Self.sudokuData(5)
        let answers = (0..<data.count).map { Array(data.label($0)) }
        data.labels = data.labels.map { $0 == 10 ? 2 : $0 + 1 }  // every label wrong
        for (i, a) in answers.enumerated() {
            #expect(data.passesAnswerCheck(i, prediction: a[...]) == true)
            var wrong = a
            let blank = data.input(i).firstIndex(of: 1)! - i * 81   // a cell the model fills in
            wrong[blank] = wrong[blank] == 10 ? 2 : wrong[blank] + 1
            #expect(data.passesAnswerCheck(i, prediction: wrong[...]) == false)
            var clueChanged = a
            let clue = data.input(i).firstIndex(where: { $0 > 1 })! - i * 81
            clueChanged[clue] = clueChanged[clue] == 10 ? 2 : clueChanged[clue] + 1
            #expect(data.passesAnswerCheck(i, prediction: clueChanged[...]) == false)
        }
        let mazes = try Self.mazeData(3)
        for i in 0..<mazes.count {
            #expect(mazes.passesAnswerCheck(i, prediction: mazes.label(i)) == true)
            #expect(mazes.passesAnswerCheck(i, prediction: mazes.input(i)) == false, "the question marks no path")
        }
    }

    /// The bundled Sudoku model on 16 Sudoku-Extreme test puzzles, the first 4 that need no guessing
    /// and the first 12 that need 2-7 backtracks (where retries rescue most: on the first 2,000,
    /// 77.5% -> 91% and 12.75% -> 27.45% with 8 tries; the first 16 of any rating held no rescue for
    /// session 27's model, so the test could not tell): the first try is the plain evaluation, later
    /// tries only add puzzles, passing never needs the label, and the counts add up. Measured with
    /// 3 tries at 8 steps (first passing answer at try 1, 2, 3): session 19's model 7, 2, 1; session
    /// 27's 8, 2, 0.
    @Test(.enabled(if: SharedData.exists("sudoku-extreme-lite/test.csv"), "../shared/data is not here"))
    func retryingWithTheBundledModel() throws {
        let model = try ModelStore.load(directory: Repository.root.appendingPathComponent("Models/sudoku").path).model
        let lines = try String(contentsOfFile: #require(SharedData.path("sudoku-extreme-lite/test.csv")), encoding: .utf8)
            .split(whereSeparator: \.isNewline)  // CR LF is one Character
        try #require(lines.first?.hasSuffix("rating") == true, "the rating column comes last: \(lines.first ?? "")")
        func rated(_ range: ClosedRange<Int>) -> [Substring] {
            lines.dropFirst().filter { line in line.split(separator: ",").last.flatMap { Int($0) }.map(range.contains) ?? false }
        }
        let middling = rated(0...0).prefix(4) + rated(2...7).prefix(12)
        try #require(middling.count == 16)
        let dir = TestDirectory()
        let file = try dir.file("middling.csv", lines: [lines[0]] + middling)
        let data = try PuzzleLoader.load(paths: [file.path], options: LoadOptions()).dataset
        try #require(data.count == 16)
        // 8 supervision steps (of 16) for time: on the first 1,000 test puzzles 47.5% against 48.0%.
        let plain = try Evaluator.evaluate(model: model, dataset: data, options: EvaluationOptions(maxSteps: 8, batchSize: 16))
        #expect(plain.tries == nil)
        var options = EvaluationOptions(maxSteps: 8, batchSize: 16)
        options.tries = 3
        let r = try Evaluator.evaluate(model: model, dataset: data, options: options)
        let tries = try #require(r.tries)
        #expect(r.puzzles.isEmpty, "answers only when asked for")
        #expect(r.allSteps == plain.allSteps && r.perStep == plain.perStep, "the first try is the plain evaluation")
        #expect(tries.tries == 3 && tries.firstTryExact == plain.allSteps?.exactAccuracy)
        #expect(tries.exactAccuracy >= tries.firstTryExact && tries.exactAccuracy == tries.passedCheck)
        #expect(tries.passedNotLabel == 0, "Sudoku-Extreme puzzles have one solution")
        #expect(tries.firstPassed.count == 3 && Double(tries.firstPassed.reduce(0, +)) == tries.passedCheck * 16)
        #expect(tries.firstPassed[1...].reduce(0, +) > 0, "later tries solve some puzzle the first did not")
        #expect(tries.ratings.last?.label == "1 or more")
        // Wrong labels: the same answers pass the check (it reads the question), none is exact.
        var wrongLabels = data
        wrongLabels.labels = data.labels.map { $0 == 10 ? 2 : $0 + 1 }
        let blind = try #require(try Evaluator.evaluate(model: model, dataset: wrongLabels, options: options).tries)
        #expect(blind.firstPassed == tries.firstPassed && blind.exactAccuracy == 0)
        // The report: a section in report.md, `tries` in report.json.
        let report = r.report(model: "m", checkpoint: nil, dataset: "extreme")
        #expect(report.markdown().contains("## Up to 3 tries"))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tries-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try report.jsonData().write(to: url)
        #expect(try EvalReport.read(from: url).tries == tries)
        options.tries = 0
        #expect(throws: DatasetMismatchError.invalidTries(0)) { try Evaluator.evaluate(model: model, dataset: data, options: options) }
    }

    /// `trm solve --tries`: row 48 of Sudoku-Extreme's test set (rating 2, 17 clues), which the bundled model gets
    /// wrong as given (all 16 steps) and right in the first other version; read back, the answer is
    /// the one given with the puzzle. In fp32, named: the default dtype is the CPU's (bf16 with AMX),
    /// and a puzzle on the edge like this one flips with the rounding (in bf16 since session 32's
    /// engine changes no try of three solves it); in fp32 it behaves alike with oneDNN's AMX,
    /// AVX-512 and AVX2 kernels and with the Swift kernels (checked by hand with `ONEDNN_MAX_CPU_ISA`
    /// and `TRM_KERNELS`).
    @Test(.enabled(if: SharedData.exists("sudoku-extreme-lite/test.csv") && TRMExecutable.url != nil, "no shared data or trm executable"))
    func solveTriesAnotherVersion() throws {
        let csv = try #require(SharedData.path("sudoku-extreme-lite/test.csv"))
        let row = ["solve", csv, "--index", "48", "--no-halt", "--dtype", "fp32"]
        func solve(_ extra: [String]) throws -> [String: Any] {
            let (status, text) = try TRMExecutable.run(row + ["--json"] + extra)
            #expect(status == 0, "\(text)")
            let line = try #require(text.split(separator: "\n").last(where: { $0.hasPrefix("{") }))
            return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        let once = try solve([])
        #expect((once["verdict"] as? [String: Any])?["status"] as? String == "invalid" && once["tries"] == nil)
        let retried = try solve(["--tries", "3"])
        #expect((retried["verdict"] as? [String: Any])?["status"] as? String == "valid", "\(retried)")
        #expect(retried["tries"] as? Int == 2)
        let (text, plain) = try TRMExecutable.run(row + ["--tries", "3", "--no-color"])
        #expect(text == 0 && plain.contains("try 2 of 3") && plain.contains("the model's answer is the same"), "\(plain)")
        let (bad, message) = try TRMExecutable.run(["solve", csv, "--tries", "0"])
        #expect(bad != 0 && message.contains("--tries must be in 1...64"), "\(message)")
    }

    @Test func aVersionsStepsReadBackInThePuzzlesFrame() throws {
        let data = try Self.sudokuData(1)
        let t = try #require(data.versionTransforms(tries: 2, seed: 3)?.first)
        let version = t.apply(data.label(0))
        let step = SolveStep(step: 1, prediction: version, haltProbability: 0.9, changedCells: [0, 40, 80])
        let back = SolveResult(prediction: version, stepsUsed: 1, haltProbability: 0.9, steps: [step]).mappedBack(by: t)
        #expect(back.prediction == Array(data.label(0)) && back.steps[0].prediction == Array(data.label(0)))
        #expect(back.steps[0].changedCells == [t.gather[0], t.gather[40], t.gather[80]].sorted())
    }
}
