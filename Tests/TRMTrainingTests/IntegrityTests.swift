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
        if checkpoint { commands.append(["export", "--model", model, "--out", model + "-export.safetensors"]) }
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

    @Test("the bundled model has a manifest and verifies")
    func bundledModelVerifies() throws {
        let loaded = try ModelStore.load(directory: Repository.root.appendingPathComponent("Models/sudoku").path)
        #expect(loaded.verification == .verified(files: 2))
    }
}
