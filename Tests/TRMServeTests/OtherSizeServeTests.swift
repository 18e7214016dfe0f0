// The server and MCP core (SolverService) with a rope2d maze model: mazes of other square sides
// run with the same weights on a worker made for that side, a few sides at most; a model with the
// reference's 1-D RoPE takes only its own size.
import Foundation
import Testing
import TRMRuntime
@testable import TRMServe

@Suite struct OtherSizeServeTests {
    /// An open side x side room, S in one corner and G in the other.
    static func room(_ side: Int) -> [String] {
        (0..<side).map { r in
            String((0..<side).map { c in r == 0 && c == 0 ? "S" : r == side - 1 && c == side - 1 ? "G" : " " })
        }
    }

    @Test func aRope2dMazeModelIsServedOnOtherSquareSides() async throws {
        let service = SolverService(models: [try Fixtures.maze4(.rope2d)])
        let own = try await service.solve(SolveRequest(kind: "maze", grid: Self.room(4), maxSteps: 1))
        #expect(own.answer.count == 4)
        let five = try await service.solve(SolveRequest(kind: "maze", puzzle: Fixtures.maze5, maxSteps: 2, returnSteps: true))
        #expect(five.answer.count == 5 && five.answer.allSatisfy { $0.count == 5 } && five.stepsUsed == 2)
        #expect(five.steps?.count == 2 && five.steps?.first?.grid.count == 5)
        // The same side again uses the worker made for it; other sides get their own, up to the limit.
        _ = try await service.solve(SolveRequest(kind: "maze", puzzle: Fixtures.maze5, maxSteps: 1))
        #expect(service.models[0].otherSizes.all.count == 1)
        for side in 6..<(5 + SizedWorkers.limit) {
            let r = try await service.solve(SolveRequest(kind: "maze", grid: Self.room(side), maxSteps: 1))
            #expect(r.answer.count == side)
        }
        #expect(service.models[0].otherSizes.all.count == SizedWorkers.limit)
        await #expect { try await service.solve(SolveRequest(kind: "maze", grid: Self.room(20), maxSteps: 1)) } throws: {
            "\($0)".contains("already runs at \(SizedWorkers.limit) other sizes")
        }
        // A side it already runs still works after the limit is reached.
        let again = try await service.solve(SolveRequest(kind: "maze", grid: Self.room(6), maxSteps: 1))
        #expect(again.answer.count == 6)
        await service.shutdown()
    }

    @Test func aOneDimensionalRopeMazeModelTakesOnlyItsOwnSize() async throws {
        let service = SolverService(models: [try Fixtures.maze4(.rope)])
        await #expect { try await service.solve(SolveRequest(kind: "maze", puzzle: Fixtures.maze5, maxSteps: 1)) } throws: {
            "\($0)".contains("takes 16 cells (e.g. 4x4), this puzzle has 25")
        }
        #expect(service.models[0].otherSizes.all.isEmpty)
        await service.shutdown()
    }

    @Test func severalMazeModelsEachTakeThePuzzlesOfTheirSize() async throws {
        // The 1-D 4x4 model first (a default), a rope2d 6x6 one for other sizes, as bundled.
        let service = SolverService(models: [try Fixtures.maze(side: 4, .rope), try Fixtures.maze(side: 6, .rope2d)])
        #expect(try await service.solve(SolveRequest(kind: "maze", grid: Self.room(4), maxSteps: 1)).model == "maze4")
        #expect(try await service.solve(SolveRequest(kind: "maze", grid: Self.room(6), maxSteps: 1)).model == "maze6")
        // A side neither was built for goes to the one that takes it with the same weights.
        let five = try await service.solve(SolveRequest(kind: "maze", puzzle: Fixtures.maze5, maxSteps: 1))
        #expect(five.model == "maze6" && five.answer.count == 5)
        #expect(service.models[1].otherSizes.all.count == 1 && service.models[0].otherSizes.all.isEmpty)
        await service.shutdown()
        // The model built for a size wins even when listed after one that would take it.
        let reversed = SolverService(models: [try Fixtures.maze(side: 6, .rope2d), try Fixtures.maze(side: 4, .rope)])
        #expect(try await reversed.solve(SolveRequest(kind: "maze", grid: Self.room(4), maxSteps: 1)).model == "maze4")
        #expect(reversed.models[0].otherSizes.all.isEmpty)
        await reversed.shutdown()
    }

    @Test func aSizeNoServedModelTakesIsRefusedWithTheFirstModelsReason() async throws {
        let service = SolverService(models: [try Fixtures.maze(side: 4, .rope), try Fixtures.maze(side: 6, .rope)])
        await #expect { try await service.solve(SolveRequest(kind: "maze", puzzle: Fixtures.maze5, maxSteps: 1)) } throws: {
            "\($0)".contains("takes 16 cells (e.g. 4x4), this puzzle has 25")
        }
        await service.shutdown()
    }

    @Test func modelsOfOneKindLoadTogetherWhenTheirSizesDiffer() throws {
        let root = NSTemporaryDirectory() + "trm-sizes-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        // (A 16-cell, 6-token model reads as a 4x4 Sudoku model when loaded from disk: 5x5 and 6x6 here.)
        for (name, side) in [("a", 5), ("b", 6), ("c", 5)] {
            let m = try Fixtures.maze(side: side, .rope2d)
            try ModelStore.save(m.model, run: m.run, to: root + "/" + name)
        }
        let two = try ModelLoading.models(directories: [root + "/a", root + "/b"], randomPreset: nil)
        #expect(two.map(\.run.model.seqLen) == [25, 36] && two.allSatisfy { $0.kind == .maze })
        #expect { try ModelLoading.models(directories: [root + "/a", root + "/c"], randomPreset: nil) } throws: {
            "\($0)".contains("already serves maze puzzles of 5x5; one model per kind and size")
        }
    }
}
