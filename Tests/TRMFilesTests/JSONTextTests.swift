// The one JSON string encoder behind safetensors headers and metrics lines decodes back exactly.
import Foundation
import Testing
import TRMFiles

@Suite("JSON string encoding")
struct JSONTextTests {
    @Test("round-trips through a JSON parser", arguments: [
        "", "plain", "quote \" and backslash \\", "line\nbreak\ttab\rreturn", "\u{0}\u{1}\u{1f} controls",
        "unicode é 数 🧩", "inner.L_level.layers.0.mlp.gate_up_proj.weight",
    ])
    func roundTrips(text: String) throws {
        let encoded = JSONText.quoted(text)
        let decoded = try JSONSerialization.jsonObject(with: Data("[\(encoded)]".utf8)) as? [String]
        #expect(decoded == [text], "\(encoded)")
        #expect(!encoded.unicodeScalars.dropFirst().dropLast().contains { $0.value < 0x20 }, "no raw control characters")
    }
}
