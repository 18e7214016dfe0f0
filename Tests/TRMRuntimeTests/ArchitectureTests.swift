// The plan drawn in Package.swift holds in the sources: every module a target's files import is a
// declared dependency of that target, and the runtime and the server never reach the trainer.
import Foundation
import Testing
import TRMTestSupport

@Suite struct ArchitectureTests {
    /// Target name -> the names in its `dependencies:` list (targets and products), read from
    /// Package.swift's `.target(name: ...)` / `.executableTarget(name: ...)` entries.
    static func declaredDependencies() throws -> [String: Set<String>] {
        let text = try String(contentsOf: Repository.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        var out: [String: Set<String>] = [:]
        for marker in [".target(name: \"", ".executableTarget(name: \"", ".testTarget(name: \""] {
            var rest = text[...]
            while let r = rest.range(of: marker) {
                let nameEnd = rest[r.upperBound...].firstIndex(of: "\"")!
                let name = String(rest[r.upperBound..<nameEnd])
                // The entry runs to the parenthesis that closes `.target(`.
                var depth = 1
                var i = rest.index(before: r.upperBound)
                while depth > 0 {
                    i = rest.index(after: i)
                    if rest[i] == "(" { depth += 1 } else if rest[i] == ")" { depth -= 1 }
                }
                let entry = rest[r.upperBound..<i]
                var names = Set<String>()
                if let deps = entry.range(of: "dependencies:") {
                    // Quoted names: plain targets and `.product(name: "X", ...)` (the package names
                    // quoted there are harmless extras).
                    let parts = entry[deps.upperBound...].split(separator: "\"", omittingEmptySubsequences: false)
                    for (k, part) in parts.enumerated() where k % 2 == 1 { names.insert(String(part)) }
                }
                out[name] = names
                rest = rest[i...]
            }
        }
        return out
    }

    /// The modules imported by the Swift files under `folder` (recursively).
    static func imports(under folder: URL) -> Set<String> {
        var out = Set<String>()
        guard let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return out }
        for case let url as URL in files where url.pathExtension == "swift" {
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ")
                guard let k = words.firstIndex(of: "import"), k <= 1, k + 1 < words.count,
                      k == 0 || words[0].hasPrefix("@"), words[k + 1].first?.isUppercase == true else { continue }
                out.insert(String(words[k + 1]))
            }
        }
        return out
    }

    /// The platform's own modules, which no target declares, and TRMTensor's C modules (declared
    /// through the `blasDependency` variable, per platform).
    static let system: Set<String> = ["Foundation", "FoundationXML", "Glibc", "Musl", "Darwin", "Dispatch",
                                      "Synchronization", "Accelerate", "Testing", "CDNNL", "CTRMKernels"]

    @Test func everyImportIsADeclaredDependency() throws {
        let declared = try Self.declaredDependencies()
        #expect(declared.count >= 20, "read \(declared.count) targets from Package.swift")
        var checked = 0
        for (base, targets) in [("Sources", declared.keys.filter { !$0.hasSuffix("Tests") && $0 != "TRMTestSupport" }),
                                ("Tests", declared.keys.filter { $0.hasSuffix("Tests") })] {
            for target in targets {
                let folder = Repository.root.appendingPathComponent(base).appendingPathComponent(target)
                guard FileManager.default.fileExists(atPath: folder.path) else { continue }
                let undeclared = Self.imports(under: folder).subtracting(Self.system).subtracting(declared[target] ?? [])
                    .subtracting([target])
                #expect(undeclared.isEmpty, "\(target) imports \(undeclared.sorted()) without declaring them in Package.swift")
                checked += 1
            }
        }
        #expect(checked >= 20)
    }

    @Test func runtimeAndServerNeverReachTheTrainer() throws {
        let declared = try Self.declaredDependencies()
        // Everything a target reaches through its declared target dependencies.
        func closure(_ target: String) -> Set<String> {
            var seen = Set<String>(), stack = [target]
            while let t = stack.popLast() {
                for d in declared[t] ?? [] where declared[d] != nil && seen.insert(d).inserted { stack.append(d) }
            }
            return seen
        }
        for target in ["TRMRuntime", "TRMServe", "TRMPuzzles", "TRMModels", "TRMReport"] {
            #expect(!closure(target).contains("TRMTraining"), "\(target) reaches TRMTraining")
        }
        #expect(closure("TRMTraining").isSuperset(of: ["TRMRuntime", "TRMReport"]))
        // Puzzles and reports stand apart from the engine: both save files through TRMFiles only.
        for target in ["TRMPuzzles", "TRMReport"] {
            #expect(closure(target) == ["TRMFiles"], "\(target) reaches \(closure(target).sorted())")
        }
    }
}
