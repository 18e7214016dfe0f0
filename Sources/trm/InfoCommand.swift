// `trm info`: parameter count and configuration of a preset or config file, or a checkpoint's metadata.
import ArgumentParser
import Foundation
import TRMModels
import TRMTraining

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Parameter count and configuration of a preset, config file or checkpoint.",
        discussion: """
        Parameter counts exclude the puzzle embeddings, as the papers do.

        Examples:
          trm info --preset trm-att-sudoku    # 6.83M parameters, config JSON
          trm info --preset trm-mlp-sudoku --json > my.json  # for --config
          trm info --model runs/sudoku4       # checkpoint: step, files, config
          trm info --list                     # every preset, parameter count
        """)

    @OptionGroup var source: RunConfigOptions

    @Option(help: "A run directory or checkpoint folder.")
    var model: String?

    @Flag(help: "List every preset with its parameter count.")
    var list = false

    @Flag(help: "Print JSON: the run configuration (usable with --config), or the checkpoint's state.json and config.")
    var json = false

    func validate() throws {
        let given = [source.isGiven, model != nil, list].filter { $0 }.count
        if given != 1 { throw ValidationError("give exactly one of --preset NAME, --config FILE, --model DIR or --list") }
    }

    func run() throws {
        if list {
            for name in RunConfig.presetNames {
                let s = try ModelSummary(run: RunConfig.preset(name))
                let count = ModelSummary.compact(s.parameters)
                print(name.padding(toLength: 22, withPad: " ", startingAt: 0) + String(repeating: " ", count: max(0, 7 - count.count))
                      + count + "  \(s.family.uppercased()) \(s.mixer), hidden \(s.hidden)")
            }
            return
        }
        if let model {
            if (try? Checkpoint.readContents(URL(fileURLWithPath: model))) == nil, let folder = try? ModelStore.load(directory: model) {
                try printModelFolder(folder)  // a model folder (trm import, the bundled model), not a checkpoint
                return
            }
            let contents = try Checkpoint.readContents(URL(fileURLWithPath: model))
            let m = contents.manifest
            if json {
                let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                let state = try JSONSerialization.jsonObject(with: enc.encode(m))
                let config = try JSONSerialization.jsonObject(with: contents.run.jsonData())
                let data = try JSONSerialization.data(withJSONObject: ["checkpoint": contents.directory.path, "state": state, "config": config],
                                                      options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            let (loaded, _) = try Checkpoint.loadModel(contents.directory)
            let s = ModelSummary(run: contents.run, model: loaded)
            print("checkpoint: \(contents.directory.path)")
            print("step: \(m.step) (optimizer step \(m.optimizerStep)), saved \(m.createdAt), training time \(String(format: "%.1f", m.elapsedSeconds)) s")
            print("weights: model.safetensors holds \(m.emaWeights ? "the EMA weights (trained weights in weights-raw.safetensors)" : "the trained weights (no EMA)")")
            if let stream = m.stream { print("data: stream seed \(stream.seed), position \(stream.position) samples") }
            for source in m.trainingData { print("training data: \(source)") }
            for (name, f) in m.files.sorted(by: { $0.key < $1.key }) { print("  \(name)  \(f.bytes) bytes  \(f.checksum)") }
            for line in s.lines { print(line) }
            return
        }
        let run = try source.load()!
        if json {
            print(String(decoding: try run.jsonData(), as: UTF8.self))
            return
        }
        for line in try ModelSummary(run: run).lines { print(line) }
        print(String(decoding: try run.jsonData(), as: UTF8.self))
    }

    /// A model folder: its summary, its README's provenance lines, and with --json its config.
    func printModelFolder(_ folder: LoadedModel) throws {
        if json { print(String(decoding: try folder.run.jsonData(), as: UTF8.self)); return }
        print("model folder: \(folder.directory) (\(folder.kind.rawValue))")
        let readme = URL(fileURLWithPath: folder.directory).appendingPathComponent("README.md")
        if let text = try? String(contentsOf: readme, encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("- checkpoint:") || line.hasPrefix("- configuration:") {
                print(line.dropFirst(2))
            }
        }
        for line in ModelSummary(run: folder.run, model: folder.model).lines { print(line) }
    }
}
