// The CPU's vendor, from /proc/cpuinfo's `vendor_id` (Linux); `.other` elsewhere or when unknown.
// oneDNN names the instruction set, not the vendor, and the same ISA performs differently on AMD
// and Intel (see `OneDNN.bf16IsFaster`).
import Foundation

public enum CPUVendor: String, Sendable {
    case amd, intel, other

    /// This machine's vendor (read once).
    public static let current: CPUVendor = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return .other }
        return parse(cpuinfo: text)
    }()

    /// The vendor named by the first `vendor_id` line of a /proc/cpuinfo text.
    public static func parse(cpuinfo text: String) -> CPUVendor {
        for line in text.split(separator: "\n") where line.hasPrefix("vendor_id") {
            let value = line.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? ""
            switch value {
            case "AuthenticAMD": return .amd
            case "GenuineIntel": return .intel
            default: return .other
            }
        }
        return .other
    }
}
