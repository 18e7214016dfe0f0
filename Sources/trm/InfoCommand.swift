// `trm info`: parameter count and configuration of a preset or config file, or of a model in any
// form (checked first; the bundled model by default), with a checkpoint's metadata.
import ArgumentParser
import Foundation
import TRMModels
import TRMTraining
import TRMRuntime

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Parameter count and configuration of a preset, config file, model or checkpoint.",
        discussion: """
        Parameter counts exclude the puzzle embeddings, as the papers do.

        Examples:
          trm info --preset trm-att-sudoku    # 6.83M parameters, config JSON
          trm info --preset trm-mlp-sudoku --json > my.json  # for --config
          trm info                            # the bundled model: files checked, parameters
          trm info --model runs/sudoku4       # checkpoint: step, files, config
          trm info --list                     # every preset, parameter count
        """)

    @OptionGroup var source: RunConfigOptions

    @OptionGroup var model: ModelOptions

    @Flag(help: "List every preset with its parameter count.")
    var list = false

    @OptionGroup var output: JSONOutputOptions
    var json: Bool { output.json }

    func validate() throws {
        let given = [source.isGiven, model.model != nil, list].filter { $0 }.count
        if given > 1 { throw ValidationError("give one of --preset NAME, --config FILE, --model PATH or --list (none: the bundled model)") }
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
        if !source.isGiven {
            // A model in any form (the bundled model by default), checked before anything is shown.
            let loaded = try model.load()
            if let checkpoint = loaded.checkpointDirectory {
                try showCheckpoint(URL(fileURLWithPath: checkpoint), loaded: loaded)
                return
            }
            let s = ModelSummary(run: loaded.run, model: loaded.model)
            if json {
                let config = try JSONSerialization.jsonObject(with: loaded.run.jsonData())
                let data = try JSONSerialization.data(withJSONObject: ["model": loaded.directory, "kind": loaded.kind.rawValue,
                                                                       "verification": loaded.verification.description, "config": config],
                                                      options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            print("model: \(loaded.directory) (\(loaded.kind.rawValue) puzzles)")
            print("files: \(loaded.verification)")
            // Provenance an import or export wrote into the folder's README.
            let readme = URL(fileURLWithPath: loaded.directory).appendingPathComponent("README.md")
            if let text = try? String(contentsOf: readme, encoding: .utf8) {
                for line in text.split(separator: "\n") where line.hasPrefix("- checkpoint:") || line.hasPrefix("- configuration:") {
                    print(line.dropFirst(2))
                }
            }
            if let step = loaded.step { print("step: \(step)") }
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

    /// A checkpoint's state (step, files, data position) and its model summary.
    func showCheckpoint(_ directory: URL, loaded: LoadedModel) throws {
        let contents = try Checkpoint.readContents(directory)
        let m = contents.manifest
        if json {
            let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            let state = try JSONSerialization.jsonObject(with: enc.encode(m))
            let config = try JSONSerialization.jsonObject(with: contents.run.jsonData())
            let data = try JSONSerialization.data(withJSONObject: ["checkpoint": contents.directory.path, "state": state, "config": config,
                                                                   "verification": loaded.verification.description],
                                                  options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let s = ModelSummary(run: contents.run, model: loaded.model)
        print("checkpoint: \(contents.directory.path)")
        print("step: \(m.step) (optimizer step \(m.optimizerStep)), saved \(m.createdAt), training time \(String(format: "%.1f", m.elapsedSeconds)) s")
        print("weights: model.safetensors holds \(m.emaWeights ? "the EMA weights (trained weights in weights-raw.safetensors)" : "the trained weights (no EMA)")")
        if let stream = m.stream { print("data: stream seed \(stream.seed), position \(stream.position) samples") }
        for source in m.trainingData { print("training data: \(source)") }
        print("files: \(loaded.verification)")
        for (name, f) in m.files.sorted(by: { $0.key < $1.key }) { print("  \(name)  \(f.bytes) bytes  \(f.checksum)") }
        for line in s.lines { print(line) }
    }
}
