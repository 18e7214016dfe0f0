// Shared helpers for the interop tests: the fixtures under ../shared/fixtures, scratch folders,
// the reference's 16-step evaluation rollout and the agreement measure of the fixtures' README.
import Foundation
import TRMTestSupport
import Testing
import TRMModels
import TRMNN
import TRMTensor

/// <repo>/../shared, found from this file's path.
let sharedDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("shared")
let torchCheckpoints = sharedDirectory.appendingPathComponent("fixtures/torch-checkpoints")
let referenceDatasets = sharedDirectory.appendingPathComponent("fixtures/reference-datasets")

/// The checkpoint cases present (empty when ../shared is absent: the tests then have nothing to run).
let checkpointCases: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: torchCheckpoints.path)) ?? [])
    .filter { FileManager.default.fileExists(atPath: torchCheckpoints.appendingPathComponent("\($0)/step_1000").path) }.sorted()

/// A fresh empty folder, removed by the caller with `cleanup()`.
struct Scratch {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("trm-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> URL { url.appendingPathComponent(name) }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
    /// Every file below the folder (to check that a failed command wrote nothing).
    var contents: [String] { (FileManager.default.enumerator(atPath: url.path)?.allObjects as? [String]) ?? [] }
}

/// What a 16-step evaluation from the initial carry produces (eval mode, every step run).
struct Rollout {
    var qHalt: [Float] = []      // [steps, B]
    var preds: [Int32] = []      // [steps, B, S]
    var logitsLast: [Float] = [] // [B, S, V]
    var yLast: [Float] = []      // [B, L, D]
    var zLast: [Float] = []
}

func rollout(_ model: ReasoningModel, batch: PuzzleBatch, steps: Int = 16) throws -> Rollout {
    var carry = model.initialCarry(for: batch)
    var rng = SeededRandom(seed: 0)
    var r = Rollout()
    try Tape.noGrad {
        for _ in 0..<steps {
            let out = try model.step(&carry, newBatch: batch, training: false, rng: &rng)
            r.qHalt += out.qHalt.scalars
            r.preds += out.predictions.values
            r.logitsLast = out.logits.scalars
        }
    }
    r.yLast = carry.y.scalars
    r.zLast = carry.z.scalars
    return r
}

/// The batch stored with a torch-checkpoint case.
func expectedBatch(_ file: SafeTensorsFile) throws -> PuzzleBatch {
    try PuzzleBatch(tokens: file.intTensor("input.tokens"), labels: file.intTensor("input.labels"),
                    puzzleIdentifiers: file.intTensor("input.puzzle_ids").values)
}

/// max |ours - reference| / max |reference| (the fixtures' agreement measure).
/// `scale` replaces max |reference| (for one step's slice of a longer output).
func relativeToMax(_ ours: ArraySlice<Float>, _ reference: ArraySlice<Float>, scale: Float? = nil) -> Double {
    precondition(ours.count == reference.count, "length \(ours.count) vs \(reference.count)")
    var num = 0.0, den = 0.0
    for (a, b) in zip(ours, reference) { num = max(num, Double(abs(a - b))); den = max(den, Double(abs(b))) }
    if let scale { den = Double(scale) }
    return den > 0 ? num / den : num
}

/// The reference's own float32-vs-float64 deviation of `output` in golden fixture `name`
/// (../shared/fixtures/golden/NAME/config.json); 0 when absent.
func goldenDeviation(_ name: String, _ output: String) -> Double {
    let url = sharedDirectory.appendingPathComponent("fixtures/golden/\(name)/config.json")
    guard let data = try? Data(contentsOf: url), let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let dev = obj["float32_vs_float64"] as? [String: Any], let m = dev["max_rel_to_max"] as? [String: Any],
          let v = m[output] as? Double else { return 0 }
    return v
}

// The built `trm` (TRMExecutable) comes from the shared TRMTestSupport target.
