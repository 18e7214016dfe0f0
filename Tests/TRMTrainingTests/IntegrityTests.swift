// Every entry point verifies what it reads: a byte flipped in any file of a checkpoint or of a
// model folder (or in an exported file) makes eval, solve, info, export, serve and mcp refuse the
// model with a message naming the file and what to do, through the built executable; --no-verify
// loads it anyway; the bundled model carries a manifest and verifies.
import Foundation
import Testing
import TRMRuntime
import TRMTestSupport

@Suite("Integrity on every load path", .serialized, .enabled(if: TRMExecutable.url != nil, TRMExecutable.missing))
struct IntegrityTests {
    static let puzzle4 = "12..3.....4....1"

    /// A short training run of the 4x4 preset, exported as a folder and as a file.
    static func makeRun(in dir: TestDirectory) throws -> (run: URL, folder: URL, file: URL) {
        let run = dir.file("run"), folder = dir.file("model"), file = dir.file("model.safetensors")
        let (s1, t1) = try TRMExecutable.run(["train", "--preset", "trm-tiny-sudoku4", "--steps", "4", "--batch-size", "16",
                                              "--eval-limit", "8", "--out", run.path, "--quiet"])
        #expect(s1 == 0, "\(t1)")
        let (s2, t2) = try TRMExecutable.run(["export", "--model", run.path, "--out", folder.path])
        #expect(s2 == 0, "\(t2)")
        let (s3, t3) = try TRMExecutable.run(["export", "--model", run.path, "--out", file.path])
        #expect(s3 == 0, "\(t3)")
        return (run, folder, file)
    }

    /// Flips one bit of `url` near `fraction` of its length (past any header for big files).
    static func flip(_ url: URL, at fraction: Double = 0.75) throws {
        var bytes = [UInt8](try Data(contentsOf: url))
        let i = min(bytes.count - 1, Int(Double(bytes.count) * fraction))
        bytes[i] ^= 0x04
        try Data(bytes).write(to: url)
    }

    /// Every command that loads weights, on `model`; each must fail naming `damaged`.
    static func expectEveryCommandRefuses(_ model: String, damaged: String, checkpoint: Bool) throws {
        var commands: [[String]] = [
            ["eval", "--model", model, "--quiet"],
            ["solve", "--model", model, puzzle4],
            ["info", "--model", model],
            ["serve", "--model", model, "--port", "0"],
            ["mcp", "--model", model],
        ]
        if checkpoint {
            commands.append(["export", "--model", model, "--out", model + "-export.safetensors"])
            commands.append(["train", "--resume", model, "--steps", "6", "--quiet"])
        }
        commands.append(["export", "--format", "torch", "--model", model, "--out", model + "-torch"])
        commands.append(["train", "--init", model, "--steps", "1", "--out", model + "-init", "--quiet"])
        commands.append(["bench", "serve", "--model", model, "--concurrency", "1", "--requests", "1", "--steps", "1"])
        for command in commands {
            let (status, text) = try TRMExecutable.run(command, timeoutSeconds: 60)
            #expect(status != 0 && status != 15, "\(command.joined(separator: " ")) must refuse the damaged \(damaged): \(status) \(text)")
            #expect(text.contains(damaged), "\(command[0]) names the file: \(text)")
            #expect(text.contains("checksum") || text.contains("truncated") || text.contains("corrupt"), "\(command[0]) says what is wrong: \(text)")
        }
    }

    @Test("a flipped byte in any file of a checkpoint is refused by every command")
    func damagedCheckpointFiles() throws {
        let dir = TestDirectory()
        let (run, _, _) = try Self.makeRun(in: dir)
        let checkpoint = run.appendingPathComponent("checkpoint")
        struct State: Decodable { var files: [String: FileRecord] }
        let state = try JSONDecoder().decode(State.self, from: Data(contentsOf: checkpoint.appendingPathComponent("state.json")))
        #expect(state.files.count >= 5, "weights, EMA, optimizer, carry, config: \(state.files.keys)")
        for name in state.files.keys.sorted() {
            let copy = dir.file("run-\(name)")
            try FileManager.default.copyItem(at: run, to: copy)
            try Self.flip(copy.appendingPathComponent("checkpoint/\(name)"))
            try Self.expectEveryCommandRefuses(copy.path, damaged: "checkpoint/\(name)", checkpoint: true)
        }
    }

    @Test("a flipped byte in a model folder or an exported file is refused; --no-verify loads it anyway")
    func damagedModelFolderAndFile() throws {
        let dir = TestDirectory()
        let (_, folder, file) = try Self.makeRun(in: dir)
        let (ok, good) = try TRMExecutable.run(["info", "--model", folder.path])
        #expect(ok == 0 && good.contains("verified (2 files"), "\(good)")
        for name in ["config.json", "model.safetensors"] {
            let copy = dir.file("model-\(name)")
            try FileManager.default.copyItem(at: folder, to: copy)
            try Self.flip(copy.appendingPathComponent(name), at: name == "config.json" ? 0.5 : 0.99)
            try Self.expectEveryCommandRefuses(copy.path, damaged: "model-\(name)/\(name)", checkpoint: false)
            if name == "model.safetensors" {
                let (status, text) = try TRMExecutable.run(["solve", "--model", copy.path, "--no-verify", Self.puzzle4])
                #expect(status == 0, "--no-verify loads the damaged weights: \(text)")
            }
        }
        // A damaged manifest: a recorded checksum no longer matches.
        let manifestCopy = dir.file("model-manifest")
        try FileManager.default.copyItem(at: folder, to: manifestCopy)
        let manifestURL = manifestCopy.appendingPathComponent("manifest.json")
        let text = try String(contentsOf: manifestURL, encoding: .utf8)
        let hex = try #require(text.range(of: "fnv1a64w:"))
        var chars = Array(text)
        let at = text.distance(from: text.startIndex, to: hex.upperBound) + 3
        chars[at] = chars[at] == "0" ? "1" : "0"
        try String(chars).write(to: manifestURL, atomically: true, encoding: .utf8)
        try Self.expectEveryCommandRefuses(manifestCopy.path, damaged: "model-manifest/", checkpoint: false)
        // The exported file carries its own checksum.
        try Self.flip(file, at: 0.99)
        try Self.expectEveryCommandRefuses(file.path, damaged: "model.safetensors", checkpoint: false)
    }

    /// Every folder under Models/ that holds a model's weights (found on disk, so a new folder is
    /// checked without being listed here).
    static let bundledModelFolders: [String] = {
        let models = Repository.root.appendingPathComponent("Models")
        let found = FileManager.default.enumerator(atPath: models.path)?.compactMap { $0 as? String } ?? []
        return found.filter { $0.hasSuffix("model.safetensors") }
            .map { "Models/" + ($0 as NSString).deletingLastPathComponent }
            .sorted()
    }()

    @Test("the folders found under Models/ include the ones the commands load by default")
    func bundledModelsFound() {
        for name in ["Models/sudoku", "Models/maze", "Models/sudoku-easy"] {
            #expect(Self.bundledModelFolders.contains(name), "\(Self.bundledModelFolders)")
        }
    }

    @Test("every bundled model has a manifest and verifies", arguments: bundledModelFolders)
    func bundledModelVerifies(_ relative: String) throws {
        let loaded = try ModelStore.load(directory: Repository.root.appendingPathComponent(relative).path)
        #expect(loaded.verification == .verified(files: 2))
    }

    @Test("a damaged bundled model says to restore it with git, not to export it")
    func damagedBundledModel() throws {
        let dir = TestDirectory()
        let copy = dir.file("repo/Models/sudoku")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Repository.root.appendingPathComponent("Models/sudoku"), to: copy)
        try Self.flip(copy.appendingPathComponent("model.safetensors"), at: 0.99)
        let (status, text) = try TRMExecutable.run(["solve", "--model", copy.path], timeoutSeconds: 60)
        #expect(status != 0)
        #expect(text.contains("model.safetensors: checksum") && text.contains("Restore the bundled model with `git checkout -- Models/sudoku`"), "\(text)")
        #expect(!text.contains("trm export"), "\(text)")
    }

    @Test("one wording for damage from every loader; checkpoint.previous is named only when it exists")
    func oneDamageWording() throws {
        let dir = TestDirectory()
        let (run, _, _) = try Self.makeRun(in: dir)
        let hasPrevious = FileManager.default.fileExists(atPath: run.appendingPathComponent("checkpoint.previous").path)
        try? FileManager.default.removeItem(at: run.appendingPathComponent("checkpoint.previous"))
        try Self.flip(run.appendingPathComponent("checkpoint/model.safetensors"), at: 0.99)
        let damaged = run.appendingPathComponent("checkpoint/model.safetensors").path
        // ModelStore (eval), the checkpoint reader (export, resume): the same sentence.
        for command in [["eval", "--model", run.path, "--quiet"], ["export", "--model", run.path, "--out", dir.file("x.safetensors").path],
                        ["train", "--resume", run.path, "--steps", "6", "--quiet"]] {
            let (status, text) = try TRMExecutable.run(command, timeoutSeconds: 60)
            #expect(status != 0, "\(command[0]): \(text)")
            #expect(text.contains("\(damaged): checksum fnv1a64w:") && text.contains("so the file is damaged. Copy the run again or retrain it"),
                    "\(command[0]): \(text)")
            #expect(!text.contains("checkpoint.previous") && !text.contains("is corrupt"), "no previous checkpoint exists: \(text)")
            #expect(text.contains("--no-verify") == (command[0] != "train"), "--no-verify offered where the command has it: \(text)")
        }
        _ = hasPrevious
        // A damaged state.json is one sentence, not a DecodingError dump.
        try "{\"format\": \"trm-checkpoint\"".write(to: run.appendingPathComponent("checkpoint/state.json"), atomically: true, encoding: .utf8)
        for command in [["export", "--model", run.path, "--out", dir.file("y.safetensors").path], ["eval", "--model", run.path, "--quiet"]] {
            let (status, text) = try TRMExecutable.run(command, timeoutSeconds: 60)
            #expect(status != 0)
            #expect(text.contains("state.json: corrupt checkpoint file: not a checkpoint manifest: it is not valid JSON. Copy the run again"),
                    "\(command[0]): \(text)")
            #expect(!text.contains("DecodingError") && !text.contains("codingPath"), "\(text)")
        }
    }

    @Test("--no-verify on export and train --init loads a damaged model when asked")
    func noVerifyOnExportAndInit() throws {
        let dir = TestDirectory()
        let (run, folder, _) = try Self.makeRun(in: dir)
        try Self.flip(run.appendingPathComponent("checkpoint/optimizer.safetensors"), at: 0.99)
        let out = dir.file("export.safetensors")
        let (s1, t1) = try TRMExecutable.run(["export", "--model", run.path, "--out", out.path, "--no-verify"], timeoutSeconds: 60)
        #expect(s1 == 0 && FileManager.default.fileExists(atPath: out.path), "\(t1)")
        try Self.flip(folder.appendingPathComponent("model.safetensors"), at: 0.99)
        let (s2, t2) = try TRMExecutable.run(["train", "--init", folder.path, "--steps", "1", "--out", dir.file("init").path, "--quiet"], timeoutSeconds: 60)
        #expect(s2 != 0 && t2.contains("or pass --no-verify to load it anyway"), "\(t2)")
        let (s3, t3) = try TRMExecutable.run(["train", "--init", folder.path, "--steps", "1", "--out", dir.file("init").path, "--quiet", "--no-verify"],
                                             timeoutSeconds: 120)
        #expect(s3 == 0, "\(t3)")
    }

    @Test("check-fixture refuses a changed fixture file and a fixture it does not know; --no-verify checks it anyway")
    func fixtureVerification() throws {
        let source = Repository.root.appendingPathComponent("../shared/fixtures/golden/trm-att-sudoku").standardizedFileURL
        guard FileManager.default.fileExists(atPath: source.path) else { return }
        // (The fixtures as distributed verify: FixtureTests; check-fixture says so: DTypeProcessTests.)
        let dir = TestDirectory()
        let copy = dir.file("trm-att-sudoku")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        for name in ["config.json", "tensors.safetensors"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: copy.appendingPathComponent(name))
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: copy.appendingPathComponent("tensors.safetensors").path)
        try Self.flip(copy.appendingPathComponent("tensors.safetensors"), at: 0.9)
        let (s1, t1) = try TRMExecutable.run(["check-fixture", copy.path], timeoutSeconds: 60)
        #expect(s1 != 0 && !t1.contains("PASS"), "\(t1)")
        #expect(t1.contains("tensors.safetensors: checksum") && t1.contains("the reference's golden/trm-att-sudoku")
                && t1.contains("or pass --no-verify to check it anyway"), "\(t1)")
        // Asked for, the changed fixture is checked anyway, and the output says it was not verified.
        let (_, t3) = try TRMExecutable.run(["check-fixture", copy.path, "--no-verify", "--failures-only"], timeoutSeconds: 120)
        #expect(t3.contains("fixture files not verified (--no-verify)") && t3.contains("trm-att-sudoku (fp32):"), "\(t3)")
        // Both files changed: not a fixture we know.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: copy.appendingPathComponent("config.json").path)
        var config = try String(contentsOf: copy.appendingPathComponent("config.json"), encoding: .utf8)
        config += "\n"
        try config.write(to: copy.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let (s2, t2) = try TRMExecutable.run(["check-fixture", copy.path], timeoutSeconds: 60)
        #expect(s2 != 0 && t2.contains("is none of the known golden fixtures"), "\(t2)")
    }
}
