// `trm data import`: a data set written by the reference's builders -> our .trmd file.
import ArgumentParser
import Foundation
import TRMInterop
import TRMPuzzles

struct DataImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a data set written by the reference's dataset builders (dataset.json + all__*.npy).",
        discussion: """
        DIR holds train/ and test/ (each dataset.json and all__{inputs,labels,puzzle_identifiers,puzzle_indices,\
        group_indices}.npy) and identifiers.json. Every example keeps its puzzle identifier, so a checkpoint imported \
        with `trm import` meets the same puzzle-embedding rows; puzzle and group boundaries and the identifier names \
        travel in the file's metadata.

        Examples:
          trm data import data/sudoku-extreme-1k-aug-1000 --split test -o sudoku-test.trmd
          trm eval --model models/trm-att-sudoku --data sudoku-test.trmd
        """)

    @Argument(help: "The reference data set folder.")
    var directory: String

    @Option(help: "Which split: train or test.")
    var split: String = "test"

    @Option(name: .outputPath, help: "The .trmd file to write.")
    var output: String

    func validate() throws {
        guard ["train", "test"].contains(split) else { throw ValidationError("--split must be train or test") }
    }

    func run() throws {
        let d = try ReferenceDataset.load(URL(fileURLWithPath: directory), split: split)
        try DatasetFile.write(d, to: output, sources: [URL(fileURLWithPath: directory).appendingPathComponent(split).path])
        let groups = (ReferenceDataset.indices(d.metadata[ReferenceDataset.groupIndicesKey])?.count ?? 1) - 1
        print("wrote \(output): \(d.count) examples of \(d.kind.rawValue) (\(d.seqLen) cells, vocab \(d.vocabSize)), "
              + "\(d.numPuzzleIdentifiers) puzzle identifier(s), \(groups) group(s)"
              + (d.metadata["reference.test_puzzles_checked"].map { "; \($0) test input(s) agree with test_puzzles.json" } ?? ""))
    }
}
