// `trm check-fixture`: runs a golden fixture folder through TRMTraining's GoldenFixture and prints
// every comparison; exits non-zero when an output is beyond its tolerance.
import ArgumentParser
import Foundation
import TRMParity
import TRMTraining

struct CheckFixtureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-fixture",
        abstract: "Check reference parity on a golden fixture folder (config.json + tensors.safetensors).",
        discussion: """
        Reruns what the fixture records (three training supervision steps with losses, gradients and optimizer updates, and the 16-step evaluation rollout) and prints, for every output, the max absolute error, the relative error max|ours - ref| / max|ref| and its tolerance. Outputs with a null tolerance (chaotic at float32 in the reference itself) are reported, not judged. Exit status 1 when any judged output is beyond its tolerance.

        Three float32-noise rules apply unless --strict is given, each named in the output where it acts: a predicted token may differ where the reference's own top-two logit margin is within its float32 noise; an element of a parameter after Adam-atan2's first (sign-like) step may have stepped the other way where the reference gradient is within float32 noise of zero; and a step's loss is reported, not judged, when the fixture marks that step's logits chaotic.

        Examples:
          trm check-fixture ../shared/fixtures/golden/trm-att-sudoku
          trm check-fixture ../shared/fixtures/golden/hrm-att-sudoku --failures-only
          trm check-fixture ../shared/fixtures/golden/trm-mlp-sudoku --json
          trm check-fixture ../shared/fixtures/golden/trm-mlp-sudoku --strict --failures-only
          trm check-fixture --dtype bf16 ../shared/fixtures/golden-bf16/trm-att-sudoku

        The fixture's two files are first checked against the sizes and checksums of the fixtures as distributed (../shared/fixtures/golden and golden-bf16): a changed or unknown file is refused, since a small change to a reference output could still pass; --no-verify checks such a fixture anyway.

        The dtype defaults to the fixture's own (config.json's forward_dtype: golden-bf16/ runs in bf16). Where oneDNN has no bf16 matmul (AVX2 CPUs) bf16 is emulated, with a note: inputs rounded to bf16 on the fp32 kernel, the same numbers (other commands run fp32 there instead).
        """)

    @Argument(help: "The fixture folder.")
    var directory: String

    @Flag(help: "Print only the outputs beyond tolerance (and the summary).")
    var failuresOnly = false

    @Flag(help: "Judge every output by the fixture's tolerances literally: no float32-noise rules (ties, sign-like first steps, losses of chaotic steps).")
    var strict = false

    @Flag(help: "Check a fixture whose files are not the reference's as distributed (a changed or new fixture); by default its sizes and checksums must match a known fixture.")
    var noVerify = false

    @OptionGroup var output: JSONOutputOptions
    var json: Bool { output.json }

    @OptionGroup var threads: ThreadOptions

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(directory) is not a folder")
        }
        for name in ["config.json", "tensors.safetensors"] where !FileManager.default.fileExists(atPath: directory + "/" + name) {
            throw ValidationError("\(directory) is not a golden fixture folder: it has no \(name) (layout: ../shared/fixtures/README.md)")
        }
    }

    func run() throws {
        // A fixture runs in the dtype it was made in unless --dtype says otherwise; bf16 is emulated
        // where oneDNN has no bf16 matmul (AVX2): a check of bf16 numbers must compute them.
        let url = URL(fileURLWithPath: directory)
        let report = try threads.run(defaultDType: GoldenFixture.fixtureDType(directory: url), emulateBF16: true) {
            try GoldenFixture.check(directory: url, strict: strict, verify: !noVerify)
        }
        let judged = report.comparisons.filter { $0.tolerance != nil }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            print(String(decoding: try enc.encode(report), as: UTF8.self))
        } else {
            print(report.verifiedAs.map { "fixture files verified: the reference's \($0) (sizes and checksums)" }
                ?? "fixture files not verified (--no-verify)")
            let width = max(20, (report.comparisons.map(\.name.count).max() ?? 20))
            print("\("output".padding(toLength: width, withPad: " ", startingAt: 0))  max abs err   rel err     tolerance   result")
            for c in report.comparisons where !failuresOnly || !c.passed {
                let tol = c.tolerance.map { String(format: "%.1e", $0) } ?? "none"
                let result = c.tolerance == nil ? "report-only" : (c.passed ? "pass" : "FAIL")
                var line = c.name.padding(toLength: width, withPad: " ", startingAt: 0)
                line += "  " + String(format: "%-11.3e %-11.3e", c.maxAbsoluteError, c.error) + " " + tol.padding(toLength: 11, withPad: " ", startingAt: 0) + " " + result
                if let note = c.note { line += "  (\(note))" }
                print(line)
            }
            let failures = report.failures.count
            print("\(report.caseName) (\(report.dtype)): \(judged.count - failures)/\(judged.count) judged outputs pass, \(report.comparisons.count - judged.count) report-only: \(report.passed ? "PASS" : "FAIL")")
        }
        if !report.passed { throw ExitCode(1) }
    }
}
