// The machine a benchmark ran on, printed beside its figures: the same machine kind lands on
// different CPUs (AMD Zen 3/4/5, Intel Xeon with AMX), and a rate means nothing without its CPU.
import Foundation

public struct MachineDescription: Codable, Sendable, Equatable {
    /// /proc/cpuinfo's `model name` ("AMD EPYC", "Intel(R) Xeon(R) Platinum 8481C"), or "unknown".
    public var cpu: String
    public var vendor: String
    /// /proc/cpuinfo's `cpu family` and `model` (e.g. 25 / 1 for AMD Zen 3, 25 / 17 for Zen 4).
    public var family: Int?
    public var model: Int?
    /// The instruction set oneDNN dispatches its products to ("avx2", "avx512_core_bf16",
    /// "avx512_core_amx"; "accelerate" on macOS).
    public var isa: String
    /// The SwiGLU kernels that run here (avx512, avx2, swift).
    public var kernels: String
    public var logicalCPUs: Int

    enum CodingKeys: String, CodingKey {
        case cpu, vendor, family, model, isa, kernels
        case logicalCPUs = "logical_cpus"
    }

    /// This machine.
    public static let current: MachineDescription = {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return parse(cpuinfo: text, isa: isaName, kernels: Kernels.native.rawValue,
                     logicalCPUs: ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// The first processor's fields of a /proc/cpuinfo text.
    public static func parse(cpuinfo text: String, isa: String, kernels: String, logicalCPUs: Int) -> MachineDescription {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty, !fields.isEmpty { break }  // end of the first CPU
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            if fields[key] == nil { fields[key] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return MachineDescription(cpu: fields["model name"] ?? "unknown",
                                  vendor: CPUVendor.parse(cpuinfo: text).rawValue,
                                  family: fields["cpu family"].flatMap { Int($0) },
                                  model: fields["model"].flatMap { Int($0) },
                                  isa: isa, kernels: kernels, logicalCPUs: logicalCPUs)
    }

    /// "AMD EPYC (family 25 model 1), oneDNN avx2, kernels avx2, 2 logical CPUs"
    public var summary: String {
        var s = cpu
        if let family, let model { s += " (family \(family) model \(model))" }
        return s + ", oneDNN \(isa), kernels \(kernels), \(logicalCPUs) logical CPUs"
    }

    private static var isaName: String {
        #if canImport(CDNNL)
        return OneDNN.isa
        #elseif canImport(Accelerate)
        return "accelerate"
        #else
        return "none"
        #endif
    }
}
