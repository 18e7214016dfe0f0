// Running a model on puzzles of another size than it was trained on. An attention model has no
// weight whose shape depends on the number of cells: only its RoPE tables do, and they are
// computed, not learned. With `rope2d` the tables for a 10x10 grid give the cell above the same
// rotation as in an 8x8 one, so a model can be tried (or fine-tuned) on any square side. With
// `rope` (the reference's 1-D positions) the weights still fit, but "8 positions back" stops
// meaning "the cell above": allowed only when asked for, to measure exactly that.
import Foundation

/// What running a model at another sequence length means for its positions.
public enum SizeTransfer: Equatable, Sendable {
    /// The same length: nothing to do.
    case same
    /// Positions keep their grid meaning (rope2d on another square, or no positions at all).
    case keepsGeometry
    /// The weights fit but the 1-D positions mean something else at the new length (rope).
    case changesPositions
    /// The weights do not fit: the reason.
    case impossible(String)

    /// Why the model should not run at the new length as it is, or nil when it can.
    public var problem: String? {
        switch self {
        case .same, .keepsGeometry: return nil
        case .changesPositions:
            return "its positions are the reference's 1-D RoPE (positionEncoding rope), whose neighbours depend on the width, so at another size they mean other cells"
        case let .impossible(reason): return reason
        }
    }
}

extension ModelConfig {
    /// What running this model on puzzles of `seqLen` cells means (see `SizeTransfer`).
    public func sizeTransfer(to seqLen: Int) -> SizeTransfer {
        if seqLen == self.seqLen { return .same }
        guard seqLen > 0 else { return .impossible("puzzles need at least one cell") }
        if mixer == .mlp {
            return .impossible("its MLP token mixer has weights for \(totalLength) positions (\(puzzleEmbeddingLength) prefix + \(self.seqLen) cells)")
        }
        switch positionEncoding {
        case .none: return .keepsGeometry
        case .rope: return .changesPositions
        case .rope2d:
            guard ModelConfig.gridSide(seqLen) != nil else {
                return .impossible("its positions are rows and columns of a square grid (rope2d), and \(seqLen) cells are not a square")
            }
            return .keepsGeometry
        }
    }
}

extension ReasoningModel {
    /// The same weights in a model built for `seqLen` cells (fresh RoPE tables for that length).
    /// Throws when `config.sizeTransfer(to:)` is `.impossible`.
    public func resized(seqLen: Int) throws -> ReasoningModel {
        if case let .impossible(reason) = config.sizeTransfer(to: seqLen) {
            throw ModelError.otherSize(cells: seqLen, reason: reason)
        }
        if seqLen == config.seqLen { return self }
        var sized = config
        sized.seqLen = seqLen
        let model = try ReasoningModel(config: sized, seed: 0)
        try model.load(Dictionary(uniqueKeysWithValues: state), source: "the model at \(config.seqLen) cells")
        return model
    }
}
