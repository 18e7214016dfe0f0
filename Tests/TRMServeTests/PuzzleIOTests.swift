// Puzzle I/O: user text -> model tokens for every kind, predictions -> grids, and verdicts that come
// from the exact validators (a right answer is valid, a wrong one says why). Bad input never traps.
import Foundation
import Testing
import TRMModels
import TRMNN
import TRMPuzzles
@testable import TRMRuntime
@testable import TRMServe

@Suite struct PuzzleIOTests {
    static let solution: SudokuGrid = {
        guard case .sudoku(let q) = try! PuzzleParser.sudoku(PuzzleParser.defaultSudoku) else { fatalError() }
        return SudokuSolver.solve(q, limit: 1).solution!
    }()

    @Test func sudokuFromLineGridTextAndPrettyForm() throws {
        let line = PuzzleParser.defaultSudoku
        let q = try PuzzleParser.parse(line)
        #expect(q.kind == .sudoku)
        #expect(q.tokens.count == 81 && q.tokens[0] == 1 && q.tokens[2] == 4)  // '.' -> 1, '3' -> 4
        // Rows with spaces and the boxed pretty form parse to the same puzzle.
        guard case .sudoku(let g) = q else { Issue.record("not sudoku"); return }
        #expect(try PuzzleParser.parse(g.pretty) == q)
        let rows = stride(from: 0, to: 81, by: 9).map { i in line.dropFirst(i).prefix(9).map(String.init).joined(separator: " ") }
        #expect(try PuzzleParser.parse(rows.joined(separator: "\n")) == q)
        #expect(try PuzzleParser.parse(line.replacingOccurrences(of: ".", with: "0"), kind: .sudoku) == q)
    }

    @Test func sudokuVerdictComesFromTheValidator() throws {
        let q = try PuzzleParser.parse(PuzzleParser.defaultSudoku)
        let right = Self.solution.tokens.map { $0 }  // digits d -> d + 1
        #expect(q.verdict(right).status == .valid)
        var wrong = right
        wrong[0] = right[1]  // a digit twice in row 1 (and maybe a clue broken)
        let v = q.verdict(wrong)
        #expect(v.status == .invalid && v.reason != nil)
        var blank = right
        blank[40] = 1
        #expect(q.verdict(blank).reason?.contains("blank") == true)
        #expect(q.answerRows(right)[0] == String(Self.solution.line.prefix(9)))
    }

    @Test(arguments: [
        ("", "81"), ("12", "81"), (String(repeating: "x", count: 81), "kind"),
        ("11" + String(repeating: ".", count: 79), "twice"),
    ])
    func badSudokuInputSaysWhy(_ text: String, _ expected: String) {
        do {
            _ = try PuzzleParser.parse(text, kind: text.first == "x" ? .auto : .sudoku)
            Issue.record("parsed bad input \(text)")
        } catch {
            #expect(error.reason.contains(expected), "\(error.reason)")
        }
    }

    @Test func mazeRowsParseAndAShortestPathIsValid() throws {
        let rows = ["#######", "#S    #", "# ### #", "#   # #", "### # #", "#    G#", "#######"]
        let q = try PuzzleParser.parse(rows.joined(separator: "\n"))
        guard case .maze(let m) = q else { Issue.record("not a maze"); return }
        #expect(m.side == 7 && q.tokens.count == 49)
        let solved = try #require(MazeSolver.solve(m))
        #expect(q.verdict(solved.tokens).status == .valid)
        #expect(q.verdict(m.tokens).status == .invalid)  // no path marked
        #expect(q.rows(solved.tokens).joined().contains("o"))
        // Trailing spaces stripped by an editor are restored; a path in the input is dropped.
        #expect(try PuzzleParser.maze(rows.map { $0 }.joined(separator: "\r\n")) == q)
        #expect(try PuzzleParser.parse(solved.pretty, kind: .maze) == q)
        // An answer (a data row's answer column) keeps its path: it is the answer.
        let answer = try PuzzleParser.answer(solved.pretty, kind: .maze)
        #expect(answer.tokens == solved.tokens && answer.tokens != q.tokens)
        #expect(try PuzzleParser.answer(PuzzleParser.defaultSudoku, kind: .sudoku) == PuzzleParser.parse(PuzzleParser.defaultSudoku))
        // One line with '|' between rows (a command line, the web page's URL), detected as a maze.
        #expect(try PuzzleParser.parse(rows.joined(separator: "|")) == q)
        #expect(throws: PuzzleInputError.self) { try PuzzleParser.maze("#S#|#G") }
        #expect(throws: PuzzleInputError.self) { try PuzzleParser.maze("#S#\n#G") }
        #expect(throws: PuzzleInputError.self) { try PuzzleParser.maze("####\n#SS#\n#  #\n####") }
    }

    @Test func arcTaskTestPairWithExpectedOutput() throws {
        let task = #"{"train": [{"input": [[1, 2]], "output": [[2, 1]]}], "test": [{"input": [[3, 4], [5, 6]], "output": [[4, 3], [6, 5]]}]}"#
        let q = try PuzzleParser.parse(task)
        guard case .arc(let input, let expected) = q else { Issue.record("not arc"); return }
        #expect(input.rows == 2 && expected?.cols == 2 && q.tokens.count == 900)
        let right = ARCCanvas.encode(expected!)
        #expect(q.verdict(right).status == .valid)
        #expect(q.verdict(q.tokens).status == .invalid)
        #expect(q.answerRows(right) == ["43", "65"])
        // Judged as the reference's evaluator crops a prediction: a stray colour past the end
        // marker of the first row does not spoil the right answer; no colour in the corner is the
        // empty grid.
        var stray = right
        stray[2] = 5   // the first row's end marker becomes a colour
        #expect(ARCCanvas.crop(stray).map { $0 != expected } ?? true, "the strict crop of data does not read the answer")
        #expect(q.verdict(stray).status == .valid && q.answerRows(stray) == ["43", "65"])
        let blank = [Int32](repeating: 0, count: 900)
        #expect(q.verdict(blank).status == .invalid && q.verdict(blank).reason?.contains("empty grid") == true)
        #expect(q.answerRows(blank) == [])
        #expect(throws: PuzzleInputError.self) { try PuzzleParser.parse(task, kind: .arc, index: 3) }
        #expect(throws: PuzzleInputError.self) { try PuzzleParser.parse(#"{"train": 5}"#, kind: .arc) }
    }

    @Test func gridTaskWithHeaderTargetAndMask() throws {
        let text = """
            {"format": "trm-grid", "alphabet": ".123", "rows": 2, "cols": 3}
            {"input": ["1.3", "..2"], "target": ["123", "312"], "mask": ["010", "110"]}
            """
        let q = try PuzzleParser.parse(text)
        guard case .grid(let spec, let input, let target) = q else { Issue.record("not grid"); return }
        #expect(spec.rows == 2 && input == [2, 1, 4, 1, 1, 3])
        #expect(target?.filter { $0 == -100 }.count == 3)
        #expect(q.verdict([2, 3, 4, 4, 2, 3]).status == .valid)       // masked cells ignored
        #expect(q.verdict([2, 2, 4, 4, 2, 3]).status == .invalid)
        // Without a target: unchecked; the header may come from the model.
        let bare = try PuzzleParser.parse(#"{"input": "1.3..2"}"#, kind: .grid, gridSpec: spec)
        #expect(bare.verdict(bare.tokens).status == .unchecked)
        #expect(bare.rows([2, 3, 4, 4, 2, 3]) == ["123", "312"])
        #expect(throws: PuzzleInputError.self) { try PuzzleParser.parse(#"{"input": "1.3..2"}"#, kind: .grid) }
        #expect(throws: PuzzleInputError.self) { try PuzzleParser.parse(#"{"input": "1x3..2"}"#, kind: .grid, gridSpec: spec) }
    }

    @Test func randomBytesNeverTrap() {
        var rng = DeterministicRandom(seed: 11)
        let alphabet = Array("0123456789.#SGo {}[]\":,\n\r|+-xyz\u{0}\u{7F}é")
        for kind in PuzzleInputKind.allCases {
            for _ in 0..<300 {
                let n = rng.below(120)
                let text = String((0..<n).map { _ in alphabet[rng.below(alphabet.count)] })
                if let q = try? PuzzleParser.parse(text, kind: kind) {
                    _ = q.verdict(q.tokens); _ = q.rows(q.tokens)
                }
            }
        }
    }

    @Test func modelStoreRoundTripsAModelDirectory() throws {
        let run = try RunConfig.preset("trm-att-sudoku-small")
        let model = try ReasoningModel(config: run.model, seed: 3)
        let dir = NSTemporaryDirectory() + "trm-modelstore-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ModelStore.save(model, run: run, to: dir)
        let loaded = try ModelStore.load(directory: dir)
        #expect(loaded.kind == .sudoku && loaded.run == run)
        #expect(loaded.model.lmHead.weight.scalars == model.lmHead.weight.scalars)
        #expect(throws: ModelStoreError.self) { try ModelStore.load(directory: dir + "/missing") }
        // A training run directory (weights in checkpoint/) and an exported single file also load.
        let runDir = dir + "/run"
        try ModelStore.save(model, run: run, to: runDir + "/checkpoint")
        let fromRun = try ModelStore.load(directory: runDir)
        #expect(fromRun.name == "run" && fromRun.model.lmHead.weight.scalars == model.lmHead.weight.scalars)
        let exported = dir + "/sudoku.safetensors"
        try SafeTensorsFile(tensors: model.state, metadata: ["config": String(decoding: try run.jsonData(), as: UTF8.self)])
            .write(to: URL(fileURLWithPath: exported))
        let fromFile = try ModelStore.load(directory: exported)
        #expect(fromFile.name == "sudoku" && fromFile.model.initialY.scalars == model.initialY.scalars)
        // ... also when that file is the model.safetensors of a folder without config.json.
        let folder = dir + "/bundled"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: exported, toPath: folder + "/model.safetensors")
        #expect(try ModelStore.load(directory: folder).name == "bundled")
        try Data("{}".utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
        #expect(throws: ModelStoreError.self) { try ModelStore.load(directory: dir) }
    }

    @Test("bundled models are found by the kind they solve: Models/sudoku, Models/maze, first root first")
    func bundledModelsByKind() throws {
        let root = NSTemporaryDirectory() + "trm-bundled-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (a, b) = (root + "/a", root + "/b")
        let sudoku = try RunConfig.preset("trm-att-sudoku-small")
        var maze = try RunConfig.preset("trm-att-maze-small")
        maze.model.seqLen = 64
        try ModelStore.save(ReasoningModel(config: sudoku.model, seed: 1), run: sudoku, to: a + "/Models/sudoku")
        try ModelStore.save(ReasoningModel(config: maze.model, seed: 1), run: maze, to: b + "/Models/maze")
        #expect(ModelStore.bundledDirectory(for: .sudoku, roots: [a, b]) == a + "/Models/sudoku")
        #expect(ModelStore.bundledDirectory(for: .maze, roots: [a, b]) == b + "/Models/maze")
        #expect(ModelStore.bundledDirectory(for: .maze, roots: [a]) == nil, "no maze model under a")
        #expect(ModelStore.bundledDirectory(for: .arc, roots: [a, b]) == nil, "no ARC model is bundled")
        #expect(try ModelStore.load(directory: b + "/Models/maze").kind == .maze)
        // A later root's model of the same kind does not shadow an earlier one.
        try ModelStore.save(ReasoningModel(config: maze.model, seed: 2), run: maze, to: a + "/Models/maze")
        #expect(ModelStore.bundledDirectory(for: .maze, roots: [a, b]) == a + "/Models/maze")
        // resolve: the model of the kind, else the Sudoku one (the caller reports the mismatch), else
        // an error naming the folder of the kind asked for (it named Models/sudoku for a maze).
        #expect(try ModelStore.resolve(nil, kind: .maze, environment: nil, roots: [b]) == b + "/Models/maze")
        #expect(try ModelStore.resolve(nil, kind: .arc, environment: nil, roots: [a]) == a + "/Models/sudoku")
        #expect(try ModelStore.resolve("given", kind: .maze, environment: nil, roots: []) == "given")
        for (kind, folder) in [(PuzzleKind.maze, "Models/maze"), (.sudoku, "Models/sudoku"), (.arc, "Models/sudoku")] {
            do {
                _ = try ModelStore.resolve(nil, kind: kind, environment: nil, roots: [root + "/empty"])
                Issue.record("no model anywhere must be an error")
            } catch {
                #expect(error.description.contains(folder) && !error.description.contains(folder == "Models/maze" ? "Models/sudoku" : "Models/maze"),
                        "\(error.description)")
                // Run from another folder (an installed `trm`): the message names the way to point at the models.
                #expect(error.description.contains("set TRM_MODEL_DIR to the repository's Models folder"), "\(error.description)")
            }
        }
    }

    @Test("TRM_MODEL_DIR: a folder of models by kind, or one model for its own kind; the bundled ones fill the other kinds")
    func environmentModels() throws {
        let root = NSTemporaryDirectory() + "trm-env-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bundled = root + "/repo"
        let sudoku = try RunConfig.preset("trm-att-sudoku-small")
        var maze = try RunConfig.preset("trm-att-maze-small")
        maze.model.seqLen = 64
        try ModelStore.save(ReasoningModel(config: sudoku.model, seed: 1), run: sudoku, to: bundled + "/Models/sudoku")
        try ModelStore.save(ReasoningModel(config: maze.model, seed: 1), run: maze, to: bundled + "/Models/maze")
        // One maze model: it serves mazes; Sudoku still comes from Models/.
        let single = root + "/my-maze"
        try ModelStore.save(ReasoningModel(config: maze.model, seed: 2), run: maze, to: single)
        #expect(ModelStore.bundledDirectory(for: .maze, environment: single, roots: [bundled]) == single)
        #expect(ModelStore.bundledDirectory(for: .sudoku, environment: single, roots: [bundled]) == bundled + "/Models/sudoku")
        #expect(ModelStore.bundledDirectories(environment: single, roots: [bundled]) == [bundled + "/Models/sudoku", single])
        // A folder of models by kind, laid out like Models/.
        let shelf = root + "/shelf"
        try ModelStore.save(ReasoningModel(config: sudoku.model, seed: 3), run: sudoku, to: shelf + "/sudoku")
        #expect(ModelStore.bundledDirectory(for: .sudoku, environment: shelf, roots: [bundled]) == shelf + "/sudoku")
        #expect(ModelStore.bundledDirectory(for: .maze, environment: shelf, roots: [bundled]) == bundled + "/Models/maze")
        // A path that does not exist is kept, so that loading it names it.
        #expect(ModelStore.bundledDirectories(environment: root + "/typo", roots: [bundled]) == [root + "/typo"])
        // The bundled maze model for other sizes joins the default of its kind, unless the
        // environment gives the kind's model (which then has the kind to itself).
        let other = try #require(ModelStore.bundledOtherSizes[.maze]?.first)
        maze.model.seqLen = 225; maze.model.positionEncoding = .rope2d
        try ModelStore.save(ReasoningModel(config: maze.model, seed: 4), run: maze, to: bundled + "/" + other)
        #expect(ModelStore.bundledDirectories(environment: nil, roots: [bundled])
                == [bundled + "/Models/sudoku", bundled + "/Models/maze", bundled + "/" + other])
        #expect(ModelStore.bundledDirectories(environment: single, roots: [bundled]) == [bundled + "/Models/sudoku", single])
        #expect(ModelStore.bundledOtherSizeDirectories(for: .maze, environment: shelf, roots: [bundled]) == [bundled + "/" + other])
        #expect(ModelStore.bundledOtherSizeDirectories(for: .sudoku, environment: nil, roots: [bundled]).isEmpty)
    }

    @Test("without --model, serve and mcp load every bundled model: the Sudoku one, the maze one and the maze ones for other sizes")
    func bundledModelsLoadTogether() throws {
        let loaded = try ModelLoading.models(directories: [], randomPreset: nil)
        let others = try #require(ModelStore.bundledOtherSizes[.maze])
        #expect(others.count >= 4)
        #expect(loaded.map(\.kind) == [.sudoku, .maze] + others.map { _ in .maze })
        #expect(loaded.map(\.name) == ["sudoku", "maze"] + others.map { URL(fileURLWithPath: $0).lastPathComponent })
        // Each maze side goes to the bundled model built for it: 8x8, 10x10, 15x15, 20x20 and 30x30 to
        // five different models, a side none is built for (12x12) to the first that takes it.
        let mazes = Array(loaded.dropFirst())
        let sides = [8, 10, 15, 20, 30].map { side in ModelChoice.index(in: mazes, kind: .maze, cells: side * side) }
        #expect(sides.map { $0.map { mazes[$0].run.model.seqLen } } == [64, 100, 225, 400, 900])
        #expect(ModelChoice.index(in: mazes, kind: .maze, cells: 144).map { mazes[$0].name } == URL(fileURLWithPath: others[0]).lastPathComponent)
    }

    @Test func stepRendererMarksChangedCells() throws {
        let q = try PuzzleParser.parse(PuzzleParser.defaultSudoku)
        let plain = StepRenderer.grid(q, prediction: Self.solution.tokens, changed: [0, 80], style: .plain)
        #expect(plain.components(separatedBy: "*").count - 1 == 2)
        let ansi = StepRenderer.grid(q, prediction: Self.solution.tokens, changed: [0], style: .ansi)
        #expect(ansi.contains("\u{1B}[30;43m"))
        #expect(StepRenderer.status(step: 2, maxSteps: 16, haltProbability: 0.5, threshold: 0.5, changed: 3).contains("0.500"))
    }
}

/// 4x4 Sudoku models (trm-tiny-sudoku4: 16 cells, digits 1...4 -> tokens 2...5) are Sudoku models too.
@Suite struct MiniSudokuTests {
    @Test func theDefault4x4PuzzleHasOneSolutionAndTheValidatorJudgesIt() throws {
        let q = try PuzzleParser.parse(PuzzleParser.defaultMiniSudoku)
        guard case .miniSudoku(let cells) = q else { Issue.record("not a 4x4 Sudoku"); return }
        #expect(TinySudoku.countSolutions(cells, limit: 3) == 1)
        #expect(q.kind == .sudoku && q.tokens.count == 16 && q.shape == (4, 4) as (Int, Int))
        let solution: [Int32] = [1, 2, 3, 4, 3, 4, 1, 2, 2, 1, 4, 3, 4, 3, 2, 1].map { $0 + 1 }
        #expect(q.verdict(solution).status == .valid)
        #expect(TinySudoku.isSolution(solution, of: q.tokens))
        var wrong = solution
        wrong.swapAt(0, 1)
        #expect(q.verdict(wrong).status == .invalid)
        #expect(q.rows(solution) == ["1234", "3412", "2143", "4321"])
        #expect(throws: PuzzleInputError.self) { try PuzzleParser.parse("11..............", kind: .sudoku) }
        #expect(throws: PuzzleInputError.self) { try PuzzleParser.parse("5...............", kind: .sudoku) }
        let drawn = StepRenderer.grid(q, prediction: solution, changed: [], style: .plain)
        #expect(drawn.split(separator: "\n").first == "+-----+-----+")
    }

    @Test func aTiny4x4ModelIsServedAsASudokuModel() async throws {
        let tiny = try ModelLoading.random(preset: "trm-tiny-sudoku4")
        #expect(tiny.kind == .sudoku)
        #expect(PuzzleParser.defaultPuzzle(for: tiny) == PuzzleParser.defaultMiniSudoku)
        #expect(PuzzleParser.defaultPuzzle(for: try ModelLoading.random(preset: "trm-att-arc")) == nil, "no ARC example")
        #expect(try PuzzleParser.maze(PuzzleParser.defaultMaze).tokens.count == 64)
        let service = SolverService(models: [tiny])
        let r = try await service.solve(SolveRequest(kind: "sudoku", puzzle: PuzzleParser.defaultMiniSudoku, maxSteps: 2))
        #expect(r.answer.count == 4 && r.stepsUsed == 2 && r.verdict.validator.contains("4x4"))
        await #expect(throws: ServeError.self) { try await service.solve(SolveRequest(kind: "sudoku", puzzle: PuzzleParser.defaultSudoku)) }
        await service.shutdown()
    }
}
