// `trm eval` of a model on mazes of another side than it was trained on, through the built
// executable: a rope2d model runs on any square side (said in the log), a 1-D RoPE model only with
// --any-size (warned), an MLP-mixer model never (the reason named).
import Foundation
import Testing
import TRMModels
import TRMNN
import TRMRuntime
import TRMTestSupport

@Suite("eval on another grid size", .serialized, .enabled(if: TRMExecutable.url != nil, TRMExecutable.missing))
struct SizeTransferCommandTests {
    /// A tiny maze network; sizes 0 are left to the data.
    static func tinyConfig(_ encoding: PositionEncoding, mixer: MixerKind = .attention, cells: Int) -> ModelConfig {
        var c = ModelConfig()
        c.seqLen = cells; c.vocabSize = cells == 0 ? 0 : 6; c.puzzleIdentifiers = cells == 0 ? 0 : 1
        c.hidden = 32; c.heads = 2; c.layers = 1; c.hCycles = 1; c.lCycles = 1; c.haltMaxSteps = 2
        c.puzzleEmbeddingWidth = 32; c.puzzleEmbeddingLength = 1
        c.positionEncoding = encoding; c.mixer = mixer
        return c
    }

    /// `count` generated mazes of `side` in a CSV file in `dir`.
    static func mazes(side: Int, count: Int, seed: Int, in dir: TestDirectory) throws -> String {
        let path = dir.file("m\(side)-\(seed).csv").path
        let (status, text) = try TRMExecutable.run(["data", "generate", "maze", "--count", "\(count)", "--side", "\(side)",
                                                    "--seed", "\(seed)", "-o", path])
        #expect(status == 0, "\(text)")
        return path
    }

    /// A tiny untrained maze model for 6x6 grids, saved as a model folder.
    static func model(_ encoding: PositionEncoding, mixer: MixerKind = .attention, in dir: TestDirectory) throws -> String {
        let c = tinyConfig(encoding, mixer: mixer, cells: 36)
        let path = dir.file("maze6-\(encoding.rawValue)-\(mixer.rawValue)").path
        try ModelStore.save(try ReasoningModel(config: c, seed: 1), run: RunConfig(name: "maze6", model: c, training: TrainingConfig()), to: path)
        return path
    }

    @Test("rope2d runs on 8x8 mazes; 1-D RoPE needs --any-size; an MLP mixer cannot")
    func evalOnAnotherSide() throws {
        let dir = TestDirectory()
        let mazes = try Self.mazes(side: 8, count: 4, seed: 5, in: dir)

        let grid = try Self.model(.rope2d, in: dir)
        let (s1, t1) = try TRMExecutable.run(["eval", "--model", grid, "--data", mazes, "--depths", "1,2", "--out", dir.file("r1").path])
        #expect(s1 == 0, "\(t1)")
        #expect(t1.contains("trained on 36 cells and runs on these 64-cell puzzles") && t1.contains("rope2d"), "\(t1)")
        #expect(t1.contains("right answers"), "\(t1)")  // scored as mazes
        #expect(FileManager.default.fileExists(atPath: dir.file("r1/report.json").path))

        let (si, info) = try TRMExecutable.run(["info", "--model", grid])
        #expect(si == 0 && info.contains("position encoding: rope2d (by grid row and column"), "\(info)")

        let flat = try Self.model(.rope, in: dir)
        let (s2, t2) = try TRMExecutable.run(["eval", "--model", flat, "--data", mazes, "--out", dir.file("r2").path])
        #expect(s2 != 0 && t2.contains("puzzles have 64 cells, the model expects 36: its positions are the reference's 1-D RoPE")
                && t2.contains("--any-size runs it anyway"), "\(t2)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("r2/report.json").path))
        let (s3, t3) = try TRMExecutable.run(["eval", "--model", flat, "--data", mazes, "--any-size", "--out", dir.file("r3").path])
        #expect(s3 == 0 && t3.contains("its 1-D positions now mean other cells"), "\(t3)")

        let (sf, flatInfo) = try TRMExecutable.run(["info", "--model", flat])
        #expect(sf == 0 && flatInfo.contains("position encoding: rope (the reference's 1-D RoPE"), "\(flatInfo)")

        let mlp = try Self.model(.none, mixer: .mlp, in: dir)
        let (s4, t4) = try TRMExecutable.run(["eval", "--model", mlp, "--data", mazes, "--any-size", "--out", dir.file("r4").path])
        #expect(s4 != 0 && t4.contains("puzzles have 64 cells, the model expects 36: its MLP token mixer has weights for 37 positions"), "\(t4)")
    }

    @Test("training on 6x6 mazes validates a rope2d model on 8x8 ones; a 1-D RoPE model is refused with the reason")
    func trainingValidatesOnAnotherSide() throws {
        let dir = TestDirectory()
        let m6 = try Self.mazes(side: 6, count: 8, seed: 7, in: dir), m8 = try Self.mazes(side: 8, count: 8, seed: 8, in: dir)
        func config(_ encoding: PositionEncoding) throws -> String {
            let c = Self.tinyConfig(encoding, cells: 0)
            var t = TrainingConfig()
            t.batchSize = 4; t.totalSteps = 2; t.evalInterval = 2; t.warmupSteps = 1
            let path = dir.file("\(encoding.rawValue).json").path
            try RunConfig(name: "maze-\(encoding.rawValue)", model: c, training: t).jsonData().write(to: URL(fileURLWithPath: path))
            return path
        }
        let run = dir.file("run2d").path
        let (s1, t1) = try TRMExecutable.run(["train", "--config", try config(.rope2d), "--data", m6, "--test-data", m8,
                                              "--out", run, "--threads", "1"])
        #expect(s1 == 0, "\(t1)")
        #expect(t1.contains("the test set's puzzles have 64 cells, the training set's 36: evaluated with the same weights (positionEncoding rope2d)"), "\(t1)")
        let metrics = try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8)
        #expect(metrics.contains("\"eval_exact_accuracy\""), "an evaluation on the 8x8 set was logged: \(metrics.suffix(600))")
        let (s2, t2) = try TRMExecutable.run(["train", "--config", try config(.rope), "--data", m6, "--test-data", m8,
                                              "--out", dir.file("run1d").path, "--threads", "1"])
        #expect(s2 != 0 && t2.contains("the training data has 36 cells per puzzle, the test data 64: its positions are the reference's 1-D RoPE")
                && t2.contains("a model with positionEncoding rope2d is validated on any square side"), "\(t2)")
    }

    @Test("trm solve runs the shipped rope2d model (trained on 8x8) on a 10x10 maze")
    func shippedRope2dModelSolvesAnotherSide() throws {
        let dir = TestDirectory()
        let m10 = try Self.mazes(side: 10, count: 1, seed: 4, in: dir)
        let (s, text) = try TRMExecutable.run(["solve", m10, "--model", "Models/maze-rope2d", "--no-color"], currentDirectory: Repository.root)
        #expect(s == 0, "\(text)")
        #expect(text.contains("trained on 8x8, run on 10x10 with rope2d positions"), "\(text)")
        #expect(text.contains("verdict: VALID") || text.contains("verdict: INVALID"), "\(text)")
    }

    @Test("without --model, an 8x8 maze goes to Models/maze, a 10x10 one to Models/maze-10x10, a 20x20 one to Models/maze-20x20 and a 12x12 one to the bundled rope2d model for other sizes")
    func bundledModelForOtherSizes() throws {
        let other = try #require(ModelStore.bundledOtherSizes[.maze]?.first)
        let name = URL(fileURLWithPath: other).lastPathComponent
        let dir = TestDirectory()
        let m8 = try Self.mazes(side: 8, count: 1, seed: 4, in: dir), m12 = try Self.mazes(side: 12, count: 1, seed: 4, in: dir)
        let (s8, t8) = try TRMExecutable.run(["solve", m8, "--no-color"], currentDirectory: Repository.root)
        #expect(s8 == 0 && t8.contains("model 'maze' ("), "\(t8)")
        let (s12, t12) = try TRMExecutable.run(["solve", m12, "--no-color"], currentDirectory: Repository.root)
        #expect(s12 == 0 && t12.contains("model '\(name)' (") && t12.contains("run on 12x12 with rope2d positions"), "\(t12)")
        // A 10x10 maze goes to the bundled model built for 10x10, not the first for other sizes.
        let m10 = try Self.mazes(side: 10, count: 1, seed: 4, in: dir)
        let (s10, t10) = try TRMExecutable.run(["solve", m10, "--no-color"], currentDirectory: Repository.root)
        #expect(s10 == 0 && t10.contains("model 'maze-10x10' (") && !t10.contains("rope2d positions"), "\(t10)")
        // So does a 20x20 one, to the bundled model built for 20x20.
        let m20 = try Self.mazes(side: 20, count: 1, seed: 4, in: dir)
        let (s20, t20) = try TRMExecutable.run(["solve", m20, "--no-color"], currentDirectory: Repository.root)
        #expect(s20 == 0 && t20.contains("model 'maze-20x20' (") && !t20.contains("rope2d positions"), "\(t20)")
        // The row's answer is shown with its path (it was shown without, and never matched).
        let label = try #require(try String(contentsOfFile: m10, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst().first)
            .split(separator: ",", omittingEmptySubsequences: false)[2]
        let (sj, tj) = try TRMExecutable.run(["solve", m10, "--json"], currentDirectory: Repository.root)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(tj.utf8)) as? [String: Any], "\(tj)")
        let expected = try #require(object["expected"] as? [String], "\(tj)"), answer = try #require(object["answer"] as? [String])
        #expect(sj == 0 && expected.joined() == String(label), "\(expected) vs \(label)")
        #expect(object["expected_matches"] as? Bool == (answer == expected), "\(tj)")
        // trm eval too: the data's side picks the bundled model.
        let (se, te) = try TRMExecutable.run(["eval", "--data", m12, "--depths", "1", "--out", dir.file("e12").path], currentDirectory: Repository.root)
        #expect(se == 0 && te.contains("these 12x12 puzzles go to the bundled '\(name)'"), "\(te)")
        // --model keeps the model given: the 8x8 one does not take 12x12 and says how to get one.
        let (sm, tm) = try TRMExecutable.run(["solve", m12, "--model", "Models/maze", "--no-color"], currentDirectory: Repository.root)
        #expect(sm != 0 && tm.contains("does not fit the model"), "\(tm)")
    }
}
