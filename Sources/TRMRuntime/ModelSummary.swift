// ModelSummary: what `trm info` prints about a configuration or a checkpoint: parameter counts
// (dense parameters, the number the papers quote, and puzzle embeddings separately), the shape
// of the network, and a checkpoint's step and files.
import Foundation
import TRMModels
import TRMNN

public struct ModelSummary: Sendable, Codable {
    public var name: String
    /// Trained by the dense optimizer; excludes puzzle embeddings (the papers' count).
    public var parameters: Int
    /// Puzzle-embedding floats (identifiers x width).
    public var puzzleEmbeddingParameters: Int
    public var family: String
    public var mixer: String
    public var hidden: Int
    public var layers: Int
    public var cycles: String
    public var positions: Int
    /// The attention mixer's position encoding (JSON "rope", "rope2d", "none"); nil for the MLP mixer.
    public var positionEncoding: PositionEncoding?
    /// The puzzle-embedding table is sized from the training data (puzzleIdentifiers 0).
    public var puzzleTableFromData: Bool = false
    /// What the puzzle identifiers mean (the ARC layout of the training data), when recorded.
    public var puzzleIdentifierLayout: PuzzleIdentifierLayout?

    public init(run: RunConfig) throws {
        // Sizes left to the data get placeholders: puzzle embeddings are counted apart anyway.
        let model = try ReasoningModel(config: run.model.withPlaceholderSizes, seed: run.training.seed)
        self.init(run: run, model: model)
    }

    public init(run: RunConfig, model: ReasoningModel) {
        let c = run.model
        name = run.name
        parameters = model.parameterCount
        puzzleEmbeddingParameters = model.puzzleEmbedding.count
        family = c.family.rawValue
        mixer = c.mixer.rawValue
        hidden = c.hidden
        layers = c.family == .hrm ? 2 * c.layers : c.layers
        cycles = "H \(c.hCycles) x L \(c.lCycles), up to \(c.haltMaxSteps) supervision steps"
        positions = c.totalLength
        positionEncoding = c.mixer == .attention ? c.positionEncoding : nil
        puzzleTableFromData = c.puzzleIdentifiers == 0
        puzzleIdentifierLayout = c.puzzleIdentifierLayout
    }

    /// "6.83M" / "27.3M" / "412K" style, three significant digits.
    public static func compact(_ n: Int) -> String {
        let v = Double(n)
        func sig(_ x: Double) -> String { x >= 100 ? String(format: "%.0f", x) : x >= 10 ? String(format: "%.1f", x) : String(format: "%.2f", x) }
        if v >= 1e6 { return sig(v / 1e6) + "M" }
        if v >= 1e3 { return sig(v / 1e3) + "K" }
        return String(n)
    }

    static func describe(_ encoding: PositionEncoding) -> String {
        switch encoding {
        case .rope2d: return "rope2d (by grid row and column, ours: the same weights run on any square side)"
        case .rope: return "rope (the reference's 1-D RoPE: the trained size only, or `trm eval --any-size`)"
        case .none: return "none (the same weights run on any length)"
        }
    }

    /// Human-readable lines.
    public var lines: [String] {
        let grouped = parameters.formatted(.number.grouping(.automatic))
        return [
            "\(name): \(family.uppercased()), \(mixer) mixer, hidden \(hidden), \(layers) blocks, \(positions) positions",
            "parameters: \(Self.compact(parameters)) (\(grouped)), excluding "
                + (puzzleTableFromData ? "the puzzle embeddings (one row per puzzle identifier of the training data)" : "\(puzzleEmbeddingParameters) puzzle-embedding values"),
            "recursion: \(cycles)",
        ] + (positionEncoding.map { ["position encoding: " + Self.describe($0)] } ?? []) + (puzzleIdentifierLayout.map { ["puzzle identifiers: the ARC layout of the training data, \($0)"] } ?? [])
    }
}
