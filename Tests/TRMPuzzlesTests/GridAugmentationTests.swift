// Augmentation declared in a grid JSONL header: parsed and checked against the grid, applied by
// the sample stream to input and target alike, and undone exactly.
import Foundation
import Testing
@testable import TRMPuzzles

@Suite struct GridAugmentationTests {
    static let header = #"{"format": "trm-grid", "alphabet": ".abc", "rows": 2, "cols": 2, "augment": {"symmetries": ["all"], "permute": ["abc"]}}"#

    static func parse(_ text: String) throws(DataError) -> PuzzleDataset {
        var report = SkipReport()
        return try GridTaskReader.parse(Data(text.utf8), file: "task.jsonl", skipInvalid: false, report: &report)
    }

    @Test func headerDeclaresSymmetriesAndPermutations() throws {
        let d = try Self.parse(Self.header + "\n" + #"{"input": "a.b.", "target": "abcb", "mask": "1101"}"#)
        let augment = try #require(GridAugmentation.of(d))
        #expect(augment.symmetries == Dihedral.allCases)
        #expect(augment.permute == ["abc"])
        // No augment: none declared, the stream copies rows.
        let plain = try Self.parse(#"{"format": "trm-grid", "alphabet": ".abc", "rows": 2, "cols": 2}"# + "\n" + #"{"input": "a.b.", "target": "abcb"}"#)
        #expect(GridAugmentation.of(plain) == nil)
    }

    @Test func badAugmentationsAreErrorsNamingTheProblem() {
        let bad: [(String, String)] = [
            (#""augment": {"symmetries": ["rotate45"]}"#, "unknown symmetry \"rotate45\""),
            (#""augment": {"symmetries": []}"#, "symmetries is empty"),
            (#""augment": {"permute": ["ax"]}"#, "'x' is not in the alphabet"),
            (#""augment": {"permute": ["ab", "bc"]}"#, "more than one group"),
        ]
        for (augment, reason) in bad {
            let text = #"{"format": "trm-grid", "alphabet": ".abc", "rows": 2, "cols": 2, "# + augment + "}\n" + #"{"input": "a.b.", "target": "abcb"}"#
            #expect { try Self.parse(text) } throws: { e in
                let d = (e as? DataError)?.description ?? ""
                return d.contains(reason) && d.contains("task.jsonl:1")
            }
        }
        // Transposing symmetries on a non-square grid.
        let wide = #"{"format": "trm-grid", "alphabet": ".a", "rows": 1, "cols": 3, "augment": {"symmetries": ["rotate90"]}}"# + "\n" + #"{"input": "a..", "target": "aaa"}"#
        #expect { try Self.parse(wide) } throws: { ($0 as? DataError)?.description.contains("not square") == true }
    }

    @Test func streamAugmentsInputAndTargetTogetherAndUndoRestores() throws {
        let d = try Self.parse(Self.header + "\n" + #"{"input": "a.b.", "target": "abcb", "mask": "1101"}"#)
        var s = SampleStream(dataset: d, seed: 4)
        var inputs: [Int32] = [], labels: [Int32] = [], ids: [Int32] = []
        s.nextBatch(batchSize: 200, inputs: &inputs, labels: &labels, puzzleIdentifiers: &ids)
        let input = Array(d.input(0)), label = Array(d.label(0))
        var seen = Set<[Int32]>()
        for i in 0..<200 {
            let x = Array(inputs[(i * 4)..<(i * 4 + 4)]), y = Array(labels[(i * 4)..<(i * 4 + 4)])
            seen.insert(x)
            // Some version maps (input, label) to (x, y): the pair moved together.
            let aug = try #require(GridAugmentation.of(d))
            var found = false
            for v in 0..<400 {
                let t = aug.version(v, row: i, seed: 99, vocabSize: d.vocabSize, alphabet: ".abc")
                if t.apply(input, rows: 2, cols: 2) == x && t.apply(label, rows: 2, cols: 2) == y {
                    #expect(t.undo(x, rows: 2, cols: 2) == input && t.undo(y, rows: 2, cols: 2) == label)
                    found = true; break
                }
            }
            #expect(found)
            #expect(y.filter { $0 == PuzzleDataset.ignoreLabel }.count == 1)  // the masked cell moves, stays masked
            #expect(x.filter { $0 == 1 }.count == 2)  // '.' (token 1) is in no group: never relabelled
        }
        #expect(seen.count > 10)
    }
}
