// Reference parity: every golden fixture under ../shared/fixtures/golden passes.
import Foundation
import Testing
@testable import TRMTraining

/// <repo>/../shared, found from this file's path.
let sharedDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("shared")

let goldenCases: [String] = {
    let dir = sharedDirectory.appendingPathComponent("fixtures/golden")
    return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
}()

@Suite("Golden fixtures from the reference implementation")
struct FixtureTests {
    @Test("fixture matches the reference", arguments: goldenCases)
    func fixtureMatches(name: String) throws {
        let report = try GoldenFixture.check(directory: sharedDirectory.appendingPathComponent("fixtures/golden/\(name)"))
        for c in report.comparisons where !c.passed {
            Issue.record("\(name): \(c.name) error \(c.error) > tolerance \(c.tolerance ?? .nan)")
        }
        #expect(report.comparisons.count > 40, "the fixture should yield many comparisons")
        #expect(report.passed)
    }
}
