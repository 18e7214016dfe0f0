// One JSON string encoder for the files we write by hand (safetensors headers, metrics lines), so
// both escape the same way: quotes, backslashes, \n \r \t, other control characters as \u00XX;
// and one short reason for a JSON file that does not decode, for every loader's error message.
import Foundation

public enum JSONText {
    /// `text` as a JSON string literal, quotes included.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A short reason a JSON file could not be decoded, without Foundation's debug dump: "it is not
    /// valid JSON", "it has no 'model.hidden' field", "the value at 'model.hidden' has the wrong
    /// type", "the value at 'x' is invalid" (with the decoder's own words when it gave some).
    public static func decodingReason(_ error: Error) -> String {
        func at(_ path: [CodingKey]) -> String {
            path.isEmpty ? "the top level" : "'" + path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") + "'"
        }
        switch error {
        case let DecodingError.dataCorrupted(context):
            // Foundation's own texts say nothing a user can act on; a type's own check does.
            let generic = context.debugDescription.isEmpty || context.debugDescription.hasPrefix("The given data")
                || context.debugDescription.hasPrefix("Cannot initialize")
            if context.codingPath.isEmpty { return generic ? "it is not valid JSON" : context.debugDescription }
            return "the value at \(at(context.codingPath)) is invalid" + (generic ? "" : ": " + context.debugDescription)
        case let DecodingError.keyNotFound(key, context):
            return "it has no \(at(context.codingPath + [key])) field"
        case let DecodingError.typeMismatch(type, context):
            return "the value at \(at(context.codingPath)) has the wrong type (expected \(type))"
        case let DecodingError.valueNotFound(_, context):
            return "the value at \(at(context.codingPath)) is missing"
        default:
            return (error as NSError).localizedFailureReason ?? error.localizedDescription
        }
    }
}
