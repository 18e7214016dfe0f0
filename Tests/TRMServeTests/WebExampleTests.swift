// The web page's Example list: served as written in Swift, and every example named "held-out" is
// solved by the bundled model that its kind and size go to (the claim the page makes to a user).
import Foundation
import Testing
import TRMRuntime
@testable import TRMServe

@Suite struct WebExampleTests {
    @Test("the examples reach the page's script, and each held-out one is solved by the bundled model of its kind and size")
    func heldOutExamplesAreSolved() throws {
        #expect(WebPage.html.contains("const EXAMPLE_LIST = " + WebPage.examplesJSON + ";"))
        #expect(!WebPage.html.contains("/*EXAMPLE_LIST*/"))
        let read = try JSONDecoder().decode([WebPage.Example].self, from: Data(WebPage.examplesJSON.utf8))
        #expect(read.map(\.name) == WebPage.examples.map(\.name) && read.map(\.puzzle) == WebPage.examples.map(\.puzzle))
        #expect(WebPage.examples.allSatisfy { $0.name.contains("held-out") == $0.heldOutSolved }, "the name says held-out exactly when it is checked here")
        // The page starts a Sudoku model of each size with the first example of that size.
        #expect(WebPage.examples.first { $0.kind == "sudoku" && $0.cells == 81 }?.puzzle == PuzzleParser.defaultSudoku)
        #expect(WebPage.examples.first { $0.kind == "sudoku" && $0.cells == 16 }?.puzzle == PuzzleParser.defaultMiniSudoku)
        let models = try ModelLoading.models(directories: [], randomPreset: nil)
        var sizes: [String: String] = [:]
        for e in WebPage.examples where e.heldOutSolved {
            let kind = try #require(PuzzleInputKind(rawValue: e.kind))
            let ofKind = models.filter { $0.kind.rawValue == e.kind }
            try #require(!ofKind.isEmpty, "no bundled \(e.kind) model")
            // As the page asks: halting at the default threshold, within the model's own step limit.
            let r = try ConsoleSolve.run(.init(text: e.puzzle, kind: kind, threshold: 0.5, maxSteps: nil, json: true, style: .plain),
                                         model: ofKind[0], others: Array(ofKind.dropFirst())) { _ in }
            #expect(r.verdict.status == .valid, "\(e.name): \(r.verdict)")
            sizes[e.name] = r.model
        }
        // Each maze example goes to the model built for its side.
        #expect(sizes["8x8 maze (held-out; the bundled maze model's size)"] == "maze")
        #expect(sizes["10x10 maze (held-out; Models/maze-10x10)"] == "maze-10x10")
        #expect(sizes["15x15 maze (held-out; Models/maze-15x15)"] == "maze-15x15")
        #expect(sizes["hard maze (30x30; held-out; Models/maze-30x30)"] == "maze-30x30")
    }
}
