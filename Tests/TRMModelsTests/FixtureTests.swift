// Reference parity: every golden fixture under ../shared/fixtures/golden passes.
import Foundation
import Testing
@testable import TRMParity
import TRMTensor

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
    @Test("every fixture as distributed matches its recorded sizes and checksums",
          arguments: goldenCases.map { "golden/\($0)" } + goldenBF16Cases.map { "golden-bf16/\($0)" })
    func fixtureFilesVerify(name: String) throws {
        let known = try FixtureIntegrity.verify(directory: sharedDirectory.appendingPathComponent("fixtures/\(name)"))
        #expect(known.name == name)
    }

    @Test("every shipped fixture has a record", arguments: ["golden", "golden-bf16"])
    func everyFixtureIsRecorded(set: String) throws {
        let cases = set == "golden" ? goldenCases : goldenBF16Cases
        for c in cases { #expect(FixtureIntegrity.known.contains { $0.name == "\(set)/\(c)" }, "\(set)/\(c) has no record") }
    }

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

let goldenBF16Cases: [String] = {
    let dir = sharedDirectory.appendingPathComponent("fixtures/golden-bf16")
    return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !$0.hasSuffix(".md") }.sorted()
}()

@Suite("Golden fixtures from the reference's bfloat16 forward")
struct BF16FixtureTests {
    @Test("the bf16 compute dtype stays within the reference's own bf16 noise", arguments: goldenBF16Cases)
    func fixtureMatches(name: String) throws {
        let dir = sharedDirectory.appendingPathComponent("fixtures/golden-bf16/\(name)")
        #expect(GoldenFixture.fixtureDType(directory: dir) == .bf16, "config.json says forward_dtype bfloat16")
        let report = try ComputeContext.withDType(.bf16) { try GoldenFixture.check(directory: dir) }
        for c in report.comparisons where !c.passed {
            Issue.record("\(name) bf16: \(c.name) error \(c.error) > tolerance \(c.tolerance ?? .nan)")
        }
        #expect(report.dtype == "bf16")
        #expect(report.comparisons.filter { $0.tolerance != nil }.count > 30, "many judged comparisons")
        #expect(report.passed)
    }
}

@Suite("The fixture checker's float32-noise rules stay narrow")
struct FixtureRuleTests {
    /// Fixtures the fixture README does not call chaotic must pass with no rule at all.
    @Test("non-chaotic fixtures pass with --strict", arguments: goldenCases.filter { !$0.contains("mlp") })
    func strictPasses(name: String) throws {
        let report = try GoldenFixture.check(directory: sharedDirectory.appendingPathComponent("fixtures/golden/\(name)"),
                                             strict: true)
        for c in report.comparisons where !c.passed {
            Issue.record("\(name) (strict): \(c.name) error \(c.error) > tolerance \(c.tolerance ?? .nan)")
        }
        #expect(report.passed)
        #expect(report.comparisons.allSatisfy { $0.note == nil }, "strict mode applies no rule")
    }

    /// In the chaotic MLP-mixer fixture the rules may excuse only a handful of elements or cells,
    /// and a step's loss only where the fixture marks that step's logits chaotic.
    @Test("rules excuse few elements, each named")
    func rulesAreNarrow() throws {
        guard let name = goldenCases.first(where: { $0.contains("mlp") }) else { return }
        let report = try GoldenFixture.check(directory: sharedDirectory.appendingPathComponent("fixtures/golden/\(name)"))
        for c in report.comparisons {
            guard let note = c.note else { continue }
            if let count = Int(note.prefix { $0.isNumber }) {
                #expect(count <= 32, "\(c.name): \(note)")
            } else {
                #expect(c.name.hasPrefix("loss") && c.tolerance == nil, "\(c.name): \(note)")
            }
        }
    }
}
