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
