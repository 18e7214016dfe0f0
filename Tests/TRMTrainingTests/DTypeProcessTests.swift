// --dtype through the built `trm`: golden-bf16 fixtures pass in bf16, an unknown dtype is a clear
// error, and where oneDNN has no bf16 matmul (forced with ONEDNN_MAX_CPU_ISA, which oneDNN reads
// once per process: hence a subprocess) bf16 falls back to fp32 and says so once, but check-fixture
// emulates it (inputs rounded on the fp32 kernel) so a bf16 fixture is checked in bf16.
import Foundation
import TRMTensor
import TRMTestSupport
import Testing
@testable import TRMTraining

@Suite("--dtype in the trm executable", .enabled(if: TRMExecutable.url != nil, TRMExecutable.missing))
struct DTypeProcessTests {
    static let bf16Fixture = Repository.root.deletingLastPathComponent()
        .appendingPathComponent("shared/fixtures/golden-bf16/trm-att-sudoku").path

    @Test("check-fixture --dtype bf16 passes a golden-bf16 case and names the dtype")
    func bf16FixturePasses() throws {
        let (status, output) = try TRMExecutable.run(["check-fixture", "--dtype", "bf16", "--failures-only", Self.bf16Fixture])
        #expect(status == 0, "\(output)")
        #expect(output.contains("trm-att-sudoku (bf16)") && output.contains("PASS"), "\(output)")
        #expect(output.contains("fixture files verified: the reference's golden-bf16/trm-att-sudoku"), "\(output)")
    }

    @Test("trm bench names the machine on its first line: CPU, family/model, oneDNN's ISA, the SwiGLU kernels")
    func benchNamesTheMachine() throws {
        let (status, output) = try TRMExecutable.run(["bench", "train", "--json", "--quick", "--threads", "1",
                                                      "--models", "trm-tiny-sudoku4"])
        #expect(status == 0, "\(output)")
        let first = try #require(output.split(separator: "\n").first { $0.hasPrefix("{") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        #expect(object["task"] as? String == "machine")
        #expect(object["cpu"] as? String == MachineDescription.current.cpu)
        #expect(object["kernels"] as? String == Kernels.native.rawValue && object["isa"] as? String == MachineDescription.current.isa)
        #expect((object["logical_cpus"] as? Int ?? 0) >= 1)
    }

    @Test("an unknown --dtype is a usage error naming the accepted values")
    func unknownDType() throws {
        let (status, output) = try TRMExecutable.run(["check-fixture", "--dtype", "fp16", Self.bf16Fixture])
        #expect(status != 0)
        #expect(output.contains("unknown dtype 'fp16'") && output.contains("use bf16 or fp32"), "\(output)")
    }

    @Test("every computing command rejects an unknown --dtype before doing anything",
          arguments: [["train"], ["eval"], ["solve"], ["serve"], ["mcp"], ["bench", "train"], ["check-fixture", "/tmp"]])
    func unknownDTypeEverywhere(command: [String]) throws {
        let (status, output) = try TRMExecutable.run(command + ["--dtype", "int8"])
        #expect(status != 0)
        #expect(output.contains("--dtype: unknown dtype 'int8'; use bf16 or fp32"), "\(output)")
    }

    @Test("every metrics.jsonl line names the dtype the step ran in")
    func metricsNameTheDType() throws {
        let dir = TestDirectory()
        for dtype in ["bf16", "fp32"] {
            let run = dir.file(dtype).path
            let (status, output) = try TRMExecutable.run(["train", "--preset", "trm-tiny-sudoku4", "--steps", "2", "--eval-interval", "0",
                                                          "--dtype", dtype, "--out", run, "--quiet"])
            #expect(status == 0, "\(output)")
            // Where oneDNN has no bf16 matmul the run falls back to fp32 and the lines say so.
            let ran = dtype == "bf16" && !ComputeDType.bf16Supported ? "fp32" : dtype
            let lines = try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8).split(whereSeparator: \.isNewline)
            #expect(lines.count == 2)
            #expect(lines.allSatisfy { $0.hasPrefix("{\"step\":") && $0.contains("\"dtype\":\"\(ran)\"") }, "\(lines)")
        }
    }

    @Test("the bundled model solves its Sudoku in bf16 too (fp32 checkpoint, bf16 compute)")
    func solveInBF16() throws {
        let (status, output) = try TRMExecutable.run(["solve", "--dtype", "bf16", "--json"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("\"status\":\"valid\""), "\(output)")
    }

    @Test("bf16 without a bf16 matmul (oneDNN capped at AVX2, or an AVX2 CPU): solve runs fp32 and says so once")
    func fallbackOnAVX2() throws {
        #if os(Linux)
        let (status, output) = try TRMExecutable.run(["solve", "--dtype", "bf16", "--json"],
                                                     environment: ["ONEDNN_MAX_CPU_ISA": "AVX2"])
        let warnings = output.components(separatedBy: "\n").filter { $0.contains("bf16 requested but oneDNN cannot") }
        #expect(warnings.count == 1, "\(output)")
        #expect(output.contains("ISA avx2") && output.contains("running fp32"), "\(output)")
        #expect(status == 0 && output.contains("\"status\":\"valid\""), "\(output)")
        #endif
    }

    @Test("check-fixture emulates bf16 where oneDNN has no bf16 matmul: the bf16 fixture still runs in bf16 and passes")
    func fixtureEmulatesBF16OnAVX2() throws {
        #if os(Linux)
        let (status, output) = try TRMExecutable.run(["check-fixture", "--failures-only", Self.bf16Fixture],
                                                     environment: ["ONEDNN_MAX_CPU_ISA": "AVX2"])
        let notes = output.components(separatedBy: "\n").filter { $0.contains("bf16 emulated") }
        #expect(notes.count == 1 && output.contains("ISA avx2"), "\(output)")
        #expect(!output.contains("running fp32"), "\(output)")
        #expect(output.contains("trm-att-sudoku (bf16)") && status == 0, "\(output)")
        #endif
    }
}
