// MetricsRecord: one training step's metrics and its JSON line form, as stored in
// metrics.jsonl. Standard fields are named properties; any other numeric field is kept in `extra`.
// Non-finite values travel as the strings "NaN", "Infinity" and "-Infinity".

import Foundation
import TRMFiles

/// One step's metrics. The standard fields are optional so a trainer logs what it has;
/// anything else goes in `extra` (e.g. `"grad_norm"`, `"eval_exact_accuracy"`).
public struct MetricsRecord: Equatable, Sendable {
    public var step: Int
    public var loss: Double?
    public var lmLoss: Double?
    public var qHaltLoss: Double?
    public var tokenAccuracy: Double?
    public var exactAccuracy: Double?
    public var meanSteps: Double?
    public var lr: Double?
    public var samplesPerSecond: Double?
    public var elapsedSeconds: Double?
    /// Further numeric fields by JSON key.
    public var extra: [String: Double]
    /// The compute dtype the step ran in ("fp32" or "bf16"; JSON key `dtype`), when recorded.
    public var dtype: String?

    public init(step: Int, loss: Double? = nil, lmLoss: Double? = nil, qHaltLoss: Double? = nil,
                tokenAccuracy: Double? = nil, exactAccuracy: Double? = nil, meanSteps: Double? = nil,
                lr: Double? = nil, samplesPerSecond: Double? = nil, elapsedSeconds: Double? = nil,
                extra: [String: Double] = [:], dtype: String? = nil) {
        self.step = step
        self.dtype = dtype
        self.loss = loss
        self.lmLoss = lmLoss
        self.qHaltLoss = qHaltLoss
        self.tokenAccuracy = tokenAccuracy
        self.exactAccuracy = exactAccuracy
        self.meanSteps = meanSteps
        self.lr = lr
        self.samplesPerSecond = samplesPerSecond
        self.elapsedSeconds = elapsedSeconds
        self.extra = extra
    }

    /// The standard JSON keys, in the order they are written.
    public static let standardKeys = ["loss", "lm_loss", "q_halt_loss", "token_accuracy", "exact_accuracy",
                                      "mean_steps", "lr", "samples_per_second", "elapsed_seconds"]

    /// The value stored under a JSON key (standard or extra), if present.
    public subscript(key: String) -> Double? {
        get {
            switch key {
            case "step": return Double(step)
            case "loss": return loss
            case "lm_loss": return lmLoss
            case "q_halt_loss": return qHaltLoss
            case "token_accuracy": return tokenAccuracy
            case "exact_accuracy": return exactAccuracy
            case "mean_steps": return meanSteps
            case "lr": return lr
            case "samples_per_second": return samplesPerSecond
            case "elapsed_seconds": return elapsedSeconds
            default: return extra[key]
            }
        }
        set {
            switch key {
            case "step": if let newValue, let exact = Int(exactly: newValue) { step = exact }
            case "loss": loss = newValue
            case "lm_loss": lmLoss = newValue
            case "q_halt_loss": qHaltLoss = newValue
            case "token_accuracy": tokenAccuracy = newValue
            case "exact_accuracy": exactAccuracy = newValue
            case "mean_steps": meanSteps = newValue
            case "lr": lr = newValue
            case "samples_per_second": samplesPerSecond = newValue
            case "elapsed_seconds": elapsedSeconds = newValue
            default: extra[key] = newValue
            }
        }
    }

    /// The record as one line of JSON (no trailing newline): step first, standard keys in
    /// order, extras sorted by key.
    public func jsonLine() -> String {
        var fields = ["\"step\":\(step)"]
        if let dtype { fields.append("\"dtype\":\(JSONText.quoted(dtype))") }
        for key in Self.standardKeys {
            if let value = self[key] { fields.append("\"\(key)\":\(Self.jsonNumber(value))") }
        }
        for key in extra.keys.sorted() where !Self.standardKeys.contains(key) && key != "step" {
            fields.append("\(JSONText.quoted(key)):\(Self.jsonNumber(extra[key]!))")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// Parses one JSON line. Numbers and the strings "NaN"/"Infinity"/"-Infinity" become values;
    /// `null` and other types are skipped. Throws a reason when the line is not a JSON object
    /// with an integer `step`.
    public init(jsonLine line: Substring) throws(MetricsLineError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
        } catch {
            throw MetricsLineError(reason: "not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else { throw MetricsLineError(reason: "not a JSON object") }
        guard let rawStep = dictionary["step"] else { throw MetricsLineError(reason: "no \"step\" field") }
        guard let stepValue = Self.number(rawStep), let step = Int(exactly: stepValue) else {
            throw MetricsLineError(reason: "\"step\" is not an integer")
        }
        self.init(step: step)
        for (key, raw) in dictionary where key != "step" {
            if key == "dtype" {
                dtype = raw as? String
            } else if let value = Self.number(raw) {
                self[key] = value
            }
        }
    }

    /// Parses one JSON line; see ``init(jsonLine:)-(Substring)``.
    public init(jsonLine line: String) throws(MetricsLineError) {
        try self.init(jsonLine: Substring(line))
    }

    /// A JSON value as a Double: numbers (not booleans) and the non-finite marker strings.
    private static func number(_ raw: Any) -> Double? {
        if let string = raw as? String {
            switch string {
            case "NaN": return .nan
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            default: return nil
            }
        }
        guard let number = raw as? NSNumber else { return nil }
        // JSONSerialization represents true/false as NSNumber too; those are not metrics.
        if String(cString: number.objCType) == "c" { return nil }
        return number.doubleValue
    }

    static func jsonNumber(_ value: Double) -> String {
        if value.isNaN { return "\"NaN\"" }
        if value.isInfinite { return value > 0 ? "\"Infinity\"" : "\"-Infinity\"" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"  // shortest round-trip form, e.g. 0.1 or 1e-05: valid JSON
    }
}

/// Why one metrics line could not be parsed.
public struct MetricsLineError: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String {
        "malformed metrics line: \(reason). Each line must be a JSON object with an integer \"step\"."
    }
}
