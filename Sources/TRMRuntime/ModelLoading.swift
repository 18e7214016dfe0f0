// ModelLoading: the models a server, MCP server, `trm solve` or benchmark runs: model directories (or the bundled
// model), or a random-weight model of a preset for trying the plumbing without a trained model.
import Foundation
import TRMModels

public enum ModelLoading {
    /// Loads `directories` (every bundled model when empty), each checked unless `verify` is false,
    /// or a random-weight `randomPreset`.
    public static func models(directories: [String], randomPreset: String?, verify: Bool = true) throws -> [LoadedModel] {
        if let preset = randomPreset {
            guard directories.isEmpty else { throw ModelStoreError.conflictingOptions("give either --model or --random-preset, not both") }
            return [try random(preset: preset)]
        }
        if directories.isEmpty {
            // Every bundled model (the default of each kind, then other sizes), or a clear error when none is found.
            let bundled = ModelStore.bundledDirectories()
            if bundled.isEmpty { return [try ModelStore.load(directory: ModelStore.resolve(nil), verify: verify)] }
            return try bundled.map { try ModelStore.load(directory: $0, verify: verify) }
        }
        var out: [LoadedModel] = []
        for d in directories {
            let m = try ModelStore.load(directory: d, verify: verify)
            // Several models of a kind serve its different sizes (ModelChoice); two of one size would
            // leave one unused.
            if let clash = out.first(where: { $0.kind == m.kind && $0.run.model.seqLen == m.run.model.seqLen }) {
                throw ModelStoreError.incompatible(path: d, reason: "\(clash.name) already serves \(m.kind.rawValue) puzzles of \(PuzzleParser.side(m.run.model.seqLen)); one model per kind and size")
            }
            out.append(m)
        }
        return out
    }

    /// A model of `preset` with random weights (seed 0), named "<preset>-random". Sizes the preset
    /// leaves to the training data (the ARC presets' puzzle-embedding table) get placeholders: one
    /// puzzle identifier, the only one a solve request uses.
    public static func random(preset: String, seed: UInt64 = 0) throws -> LoadedModel {
        var run = try RunConfig.preset(preset)
        run.model = run.model.withPlaceholderSizes
        let model = try ReasoningModel(config: run.model, seed: seed)
        return LoadedModel(name: "\(preset)-random", directory: "", run: run, model: model,
                           kind: LoadedModel.kind(of: run.model))
    }
}
