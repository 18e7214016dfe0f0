// `trm plot`: draws a run's training charts (RunPlots) from its metrics.jsonl.
import ArgumentParser
import Foundation
import TRMReport

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw loss, accuracy, halting steps and lr of a training run as SVG (and PNG when a converter exists).",
        discussion: """
        Reads RUN_DIR/metrics.jsonl and writes loss.svg, accuracy.svg, halting_steps.svg, lr.svg and training.svg (all four as panels) next to it, and heldout.svg (the periodic evaluations' accuracy against training time) when the run evaluated on test data; a .png of each when rsvg-convert or ImageMagick works.

        Examples:
          trm plot runs/sudoku4
          trm plot runs/sudoku --smoothing 0 --no-png
        """)

    @Argument(help: "The run directory (holds metrics.jsonl).")
    var runDirectory: String

    @Option(help: "EMA smoothing of loss and accuracy lines, 0 (raw) ..< 1.")
    var smoothing: Double = 0.9

    @Flag(name: .customLong("no-png"), help: "Write SVG only.")
    var noPNG = false

    func validate() throws {
        guard (0..<1).contains(smoothing) else { throw ValidationError("--smoothing must be in 0..<1") }
        let log = URL(fileURLWithPath: runDirectory).appendingPathComponent("metrics.jsonl")
        guard FileManager.default.fileExists(atPath: log.path) else {
            throw ValidationError("\(log.path) does not exist; pass the --out directory of `trm train`")
        }
    }

    func run() throws {
        let result = try RunPlots.write(runDirectory: URL(fileURLWithPath: runDirectory), smoothing: smoothing, png: !noPNG)
        print(result.summary)
        for file in result.svgFiles + result.pngFiles { print("  \(file.path)") }
    }
}
