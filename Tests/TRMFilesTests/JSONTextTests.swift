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

    struct Inner: Decodable { var hidden: Int; var mixer: Mixer }
    struct Outer: Decodable { var name: String; var model: Inner; var steps: [Int] }
    struct Mixer: Decodable {
        init(from decoder: Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            guard text == "mlp" else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown mixer '\(text)'; known: mlp"))
            }
        }
    }

    @Test("decoding reasons name the field and say what is wrong, without Foundation's debug dump", arguments: [
        ("{", "it is not valid JSON"),
        ("{\"model\": {\"hidden\": 1, \"mixer\": \"mlp\"}, \"steps\": []}", "it has no 'name' field"),
        ("{\"name\": \"x\", \"model\": {\"mixer\": \"mlp\"}, \"steps\": []}", "it has no 'model.hidden' field"),
        ("{\"name\": \"x\", \"model\": {\"hidden\": \"big\", \"mixer\": \"mlp\"}, \"steps\": []}", "the value at 'model.hidden' has the wrong type (expected Int)"),
        ("{\"name\": \"x\", \"model\": {\"hidden\": 1, \"mixer\": \"mlp\"}, \"steps\": [1, null]}", "the value at 'steps.1' is missing"),
        ("{\"name\": \"x\", \"model\": {\"hidden\": 1, \"mixer\": \"rnn\"}, \"steps\": []}", "the value at 'model.mixer' is invalid: unknown mixer 'rnn'; known: mlp"),
    ])
    func decodingReasons(json: String, reason: String) {
        do {
            _ = try JSONDecoder().decode(Outer.self, from: Data(json.utf8))
            Issue.record("decoded \(json)")
        } catch {
            #expect(JSONText.decodingReason(error) == reason)
        }
    }
}
