// DamageAdvice: the one wording for a damaged file, whichever loader finds it (ModelStore for
// eval/solve/serve/mcp/info, the checkpoint reader for export and resume): "<file>: <what is
// wrong>. <what to do>." The remedy points at checkpoint.previous only when the run has one, at
// `git checkout` for a bundled model, and at `trm export` for an exported model.
import Foundation

public enum DamageAdvice {
    /// What to do about a damaged file of the checkpoint folder `checkpoint`.
    public static func checkpointRemedy(_ checkpoint: URL) -> String {
        let previous = checkpoint.deletingLastPathComponent().appendingPathComponent("checkpoint.previous")
        if checkpoint.lastPathComponent == "checkpoint",
           FileManager.default.fileExists(atPath: previous.appendingPathComponent("state.json").path) {
            return "Use the previous checkpoint (\(previous.path)) or copy the run again"
        }
        return "Copy the run again or retrain it"
    }

    /// What to do about a damaged file of the model folder at `path` (or, `exportedFile`, of the
    /// exported single file there).
    public static func modelRemedy(_ path: String, exportedFile: Bool = false) -> String {
        if let bundled = bundledRelativePath(path) {
            return "Restore the bundled model with `git checkout -- \(bundled)` (or clone the repository again)"
        }
        return exportedFile ? "Export it again with `trm export` or copy it again"
            : "Export the model again (`trm export`) or copy the folder again"
    }

    /// `Models/<kind>` (or `Models/<kind>.safetensors`) when `path` is a bundled model's location.
    static func bundledRelativePath(_ path: String) -> String? {
        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        for relative in ModelStore.bundledRelativePaths.values.sorted() {
            for candidate in [relative, relative + ".safetensors"]
            where standardized.hasSuffix("/" + candidate) || standardized.hasSuffix("/" + candidate + "/" + ModelStore.weightsFile) {
                return candidate
            }
        }
        return nil
    }

    /// "<path>: <problem>. <remedy>" plus, when the command can skip the check, the way to do so.
    public static func message(path: String, problem: IntegrityProblem, remedy: String, noVerify: String? = nil) -> String {
        "\(path): \(problem). \(remedy)" + (noVerify.map { ", or pass --no-verify to \($0) anyway" } ?? "")
    }

    /// "<path>: corrupt <what>: <reason>. <remedy>": a file that cannot be parsed at all.
    public static func corrupt(path: String, what: String, reason: String, remedy: String) -> String {
        let r = reason.hasSuffix(".") ? String(reason.dropLast()) : reason
        return "\(path): corrupt \(what): \(r). \(remedy)"
    }
}

