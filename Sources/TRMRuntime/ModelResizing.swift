// A loaded model made fit for puzzles of another size (ModelConfig.sizeTransfer): what eval and
// solve do when an attention model meets a grid of another side than it was trained on.
import TRMModels

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
        var transfer: (index: Int, question: PuzzleQuestion)?
        var first: Result<PuzzleQuestion, E>?
        for (i, model) in models.enumerated() {
            let q: PuzzleQuestion
            do { q = try parse(model) } catch {
                if i == 0 { first = .failure(error) }
                continue
            }
            if i == 0 { first = .success(q) }
            guard q.kind == model.kind else { continue }
            if q.tokens.count == model.run.model.seqLen { return (i, q) }
            if transfer == nil, model.takes(cells: q.tokens.count) { transfer = (i, q) }
        }
        if let transfer { return transfer }
        return (0, try first!.get())
    }
}
