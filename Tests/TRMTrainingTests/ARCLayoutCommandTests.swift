// ARC through the built executable, continued: a random-weight ARC preset solves an ARC task (its
// puzzle-embedding table, sized from data in training, gets a placeholder).
import Foundation
import TRMTestSupport
import Testing
@testable import TRMTraining
import TRMModels

@Suite("trm ARC layouts", .enabled(if: TRMExecutable.url != nil, "no built trm executable found (set TRM_EXECUTABLE or run `swift build` first)"))
struct ARCLayoutCommandTests {
    @Test(arguments: ["trm-att-arc", "hrm-arc"])
    func randomARCPresetSolvesAnARCTask(preset: String) throws {
        let dir = TestDirectory()
        let folder = try ARCCommandTests.tasks(1, in: dir, name: "tasks")
        let (status, out) = try TRMExecutable.run(["solve", folder + "/task000.json", "--random-preset", preset,
                                                   "--max-steps", "1", "--no-color", "--json"])
        #expect(status == 0, "\(out)")
        #expect(!out.contains("no data has sized this model"), "\(out)")
        let json = try #require(out.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any], "\(out)")
        #expect(json["kind"] as? String == "arc", "\(json)")
    }
}
