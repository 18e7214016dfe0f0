// Named presets: the published configurations and small ones that train in minutes on a CPU.

extension RunConfig {
    public static let presetNames = [
        "trm-mlp-sudoku", "trm-att-sudoku", "trm-att-maze", "trm-att-arc",
        "hrm-sudoku", "hrm-maze", "hrm-arc",
        "trm-mlp-sudoku-small", "trm-att-sudoku-small", "trm-att-maze-small", "trm-tiny-sudoku4", "hrm-sudoku-small",
    ]

    /// The preset called `name`, or an error listing the known ones.
    public static func preset(_ name: String) throws -> RunConfig {
        var m = ModelConfig()
        var t = TrainingConfig()
        func sudoku() { m.seqLen = 81; m.vocabSize = 11; m.puzzleIdentifiers = 1 }
        func maze() { m.seqLen = 900; m.vocabSize = 6; m.puzzleIdentifiers = 1; m.lCycles = 4 }
        func arc() {
            // One puzzle identifier per augmented task version: the table is sized from the data.
            m.seqLen = 900; m.vocabSize = 12; m.puzzleIdentifiers = 0; m.lCycles = 4
            t.puzzleEmbeddingLearningRate = 1e-2; t.weightDecay = 0.1; t.puzzleEmbeddingWeightDecay = 0.1
            t.totalSteps = 130_000
        }
        func hrm() {
            m.family = .hrm; m.layers = 4; m.hCycles = 2; m.lCycles = 2; m.puzzleEmbeddingLength = 1
            m.gradientMode = .oneStep; t.ema = false
        }
        func small(hidden: Int) {
            m.hidden = hidden; m.heads = max(1, hidden / 64); m.puzzleEmbeddingWidth = hidden
            t.batchSize = 64; t.warmupSteps = 100; t.learningRate = 1e-3; t.weightDecay = 0.1
            t.puzzleEmbeddingWeightDecay = 0.1; t.totalSteps = 3000; t.evalInterval = 500; t.checkpointInterval = 250
            t.emaRate = 0.99
        }
        switch name {
        case "trm-mlp-sudoku": sudoku(); m.mixer = .mlp
        case "trm-att-sudoku": sudoku()
        case "trm-att-maze": maze()
        case "trm-att-arc": arc()
        case "hrm-sudoku": sudoku(); hrm()
        case "hrm-maze": maze(); hrm(); m.lCycles = 2
        case "hrm-arc": arc(); hrm(); m.lCycles = 2
        case "trm-mlp-sudoku-small": sudoku(); m.mixer = .mlp; small(hidden: 128); m.hCycles = 2; m.lCycles = 3
        case "trm-att-sudoku-small": sudoku(); small(hidden: 128); m.hCycles = 2; m.lCycles = 3
        case "trm-att-maze-small": maze(); small(hidden: 128); m.hCycles = 2; m.lCycles = 2; t.batchSize = 16
        case "hrm-sudoku-small": sudoku(); hrm(); small(hidden: 128); m.layers = 2; m.puzzleEmbeddingLength = 1
        case "trm-tiny-sudoku4":
            // 4x4 Sudoku (16 cells, digits 1..4 -> tokens 2..5): about 99% exact on held-out
            // generated puzzles after 250 steps (about a minute on 2 cores). The MLP token mixer
            // learns this in a few hundred steps; the attention mixer at this size needs many more.
            m.seqLen = 16; m.vocabSize = 6; m.puzzleIdentifiers = 1; m.mixer = .mlp
            small(hidden: 64); m.heads = 1; m.puzzleEmbeddingLength = 4
            m.hCycles = 2; m.lCycles = 2; m.haltMaxSteps = 4
            t.batchSize = 64; t.warmupSteps = 20; t.learningRate = 3e-3; t.emaRate = 0.95
            t.totalSteps = 250; t.evalInterval = 50; t.checkpointInterval = 50
        default:
            throw ConfigError.unknownPreset(name, known: presetNames)
        }
        return RunConfig(name: name, model: m, training: t)
    }
}
