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
}
