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
    /// Otherwise an error saying why (`.incompatible`).
    public func sized(for cells: Int, allowChangedPositions: Bool = false) throws(ModelStoreError) -> LoadedModel {
        let c = run.model
        switch c.sizeTransfer(to: cells) {
        case .same:
            return self
        case let .impossible(reason):
            throw .incompatible(path: directory, reason: "it was trained on puzzles of \(c.seqLen) cells, these have \(cells), and \(reason)")
        case .changesPositions where !allowChangedPositions:
            throw .incompatible(path: directory, reason: "it was trained on puzzles of \(c.seqLen) cells, these have \(cells); "
                + "its positions are the reference's 1-D RoPE (positionEncoding rope), whose neighbours depend on the width, so at another size they mean other cells")
        case .changesPositions, .keepsGeometry:
            var sized = self
            do {
                sized.model = try model.resized(seqLen: cells)
            } catch {
                throw .incompatible(path: directory, reason: "\(error)")
            }
            sized.run.model.seqLen = cells
            if kind == .grid, var spec = gridSpec {
                // The shape a grid task's text must have: a square when the cells make one.
                if let side = ModelConfig.gridSide(cells) { spec.rows = side; spec.cols = side }
                sized.gridSpec = ModelConfig.gridSide(cells) == nil ? nil : spec
            }
            return sized
        }
    }
}
