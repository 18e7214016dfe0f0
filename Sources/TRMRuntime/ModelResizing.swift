// A loaded model made fit for puzzles of another size (ModelConfig.sizeTransfer): what eval and
// solve do when an attention model meets a grid of another side than it was trained on.
import TRMModels
import TRMPuzzles

extension LoadedModel {
    /// Whether `trm solve`, the server and MCP take a puzzle of `cells` cells for this model: its
    /// own size, or for a maze model whose positions keep their meaning on any square side
    /// (rope2d) another square (a Sudoku of another size is another puzzle, not another size).
    public func takes(cells: Int) -> Bool {
        cells == run.model.seqLen || (kind == .maze && run.model.sizeTransfer(to: cells) == .keepsGeometry)
    }

    /// This model for puzzles of `cells` cells: itself when it was built for them; the same weights
    /// with RoPE tables for the new length when its positions keep their grid meaning (rope2d on
    /// another square, no positions) or, with `allowChangedPositions`, when they do not (1-D rope).
    /// Otherwise `.incompatible`, its reason "puzzles have N cells, the model expects M: why".
    public func sized(for cells: Int, allowChangedPositions: Bool = false) throws(ModelStoreError) -> LoadedModel {
        let c = run.model
        let transfer = c.sizeTransfer(to: cells)
        if transfer == .same { return self }
        if let problem = transfer.problem, !(transfer == .changesPositions && allowChangedPositions) {
            throw .incompatible(path: directory, reason: "puzzles have \(cells) cells, the model expects \(c.seqLen): \(problem)")
        }
        var sized = self
        do {
            sized.model = try model.resized(seqLen: cells)
        } catch {
            throw .incompatible(path: directory, reason: "\(error)")
        }
        sized.run.model.seqLen = cells
        if kind == .grid {
            // The shape a grid task's text must have: the new square (none when the cells make none).
            sized.gridSpec = ModelConfig.gridSide(cells).flatMap { side in
                gridSpec.map { spec in var s = spec; s.rows = side; s.cols = side; return s }
            }
        }
        return sized
    }
}

/// Which of several models of one kind a puzzle goes to (a server or `trm solve` with the 8x8 maze
/// model and a rope2d maze model of another size, or 4x4 and 9x9 Sudoku models).
public enum ModelChoice {
    /// The index in `models` (in order of preference) of the model for a puzzle, and the puzzle as
    /// that model reads it (`parse`): the first model built for its kind and size; else the first
    /// that takes its size with the same weights (``LoadedModel/takes(cells:)``); else the first
    /// model, whose fit check then says what to do (or `parse`'s error for it when it cannot read
    /// the puzzle, though a later one could not fit it either).
    public static func pick<E: Error>(_ models: [LoadedModel],
                                      parse: (LoadedModel) throws(E) -> PuzzleQuestion) throws(E) -> (index: Int, question: PuzzleQuestion) {
        precondition(!models.isEmpty, "ModelChoice.pick needs a model")
        var read: [(index: Int, question: PuzzleQuestion)] = []
        var first: Result<PuzzleQuestion, E>?
        for (i, model) in models.enumerated() {
            do {
                let q = try parse(model)
                read.append((i, q))
                if i == 0 { first = .success(q) }
            } catch {
                if i == 0 { first = .failure(error) }
            }
        }
        // Each model judged on the puzzle as it reads it.
        let puzzles = read.map { (kind: $0.question.kind, cells: $0.question.tokens.count) }
        if let j = index(in: read.map { models[$0.index] }, puzzles: puzzles) { return read[j] }
        return (0, try first!.get())
    }

    /// The index of the model for puzzles of `kind` with `cells` cells among `models`: the first
    /// built for that kind and size, else the first that takes the size (nil when none does).
    public static func index(in models: [LoadedModel], kind: PuzzleKind, cells: Int) -> Int? {
        index(in: models, puzzles: models.map { _ in (kind, cells) })
    }

    /// The rule, each model with the puzzle as it reads it (`puzzles[i]` for `models[i]`).
    static func index(in models: [LoadedModel], puzzles: [(kind: PuzzleKind, cells: Int)]) -> Int? {
        let pairs = Array(zip(models, puzzles))
        return pairs.firstIndex { m, p in m.kind == p.kind && m.run.model.seqLen == p.cells }
            ?? pairs.firstIndex { m, p in m.kind == p.kind && m.takes(cells: p.cells) }
    }
}
