// --dtype bf16|fp32, shared by every command that computes (train, eval, solve, serve, mcp,
// bench train, check-fixture).
import ArgumentParser
import Foundation
import TRMTensor

struct DTypeOption: ParsableArguments {
    @Option(help: "Compute dtype: bf16 (matmul inputs, carried states and embeddings in bfloat16, as the reference trains) or fp32 (default: bf16 where oneDNN runs on AMX, else fp32; TRM_DTYPE).")
    var dtype: String?

    func validate() throws {
        if let dtype {
            do { _ = try ComputeDType(parsing: dtype) } catch { throw ValidationError("--dtype: \(error)") }
        }
    }

    /// --dtype, else `fallback`, else the platform default; bf16 where this machine has no bf16
    /// matmul becomes fp32, with one line on standard error saying so.
    func resolved(default fallback: ComputeDType? = nil) -> ComputeDType {
        let requested = dtype.flatMap { try? ComputeDType(parsing: $0) } ?? fallback ?? ComputeDType.platformDefault
        let (resolved, note) = ComputeDType.resolve(requested)
        if let note { FileHandle.standardError.write(Data("warning: \(note)\n".utf8)) }
        return resolved
    }
}
