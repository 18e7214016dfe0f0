// `trm train --config FILE`: a file that is not a run configuration is refused with the field and
// what is wrong (it printed Foundation's DecodingError dump), and a YAML file is pointed to `trm import`.
import Foundation
import Testing
import TRMModels

@Suite("Run configuration files")
struct RunConfigLoadTests {
    static func reason(_ text: String, name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trm-config-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        do {
            _ = try RunConfig.load(from: url)
            return "loaded"
        } catch {
            return String(describing: error).replacingOccurrences(of: url.path, with: name)
        }
    }

    @Test("a preset written out loads back; bad files say which field and what is wrong")
    func badFiles() throws {
        let preset = try RunConfig.preset("trm-tiny-sudoku4")
        #expect(try Self.reason(String(decoding: preset.jsonData(), as: UTF8.self), name: "ok.json") == "loaded")
        #expect(try Self.reason(#"{"model": 3}"#, name: "c.json") == "config c.json is not a valid run configuration: it has no 'name' field")
        var object = try #require(try JSONSerialization.jsonObject(with: preset.jsonData()) as? [String: Any])
        var model = try #require(object["model"] as? [String: Any])
        model["hidden"] = "wide"
        object["model"] = model
        let text = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        #expect(try Self.reason(text, name: "c.json").hasSuffix("the value at 'model.hidden' has the wrong type (expected Int)"))
        let yaml = try Self.reason("arch:\n  hidden_size: 512\n", name: "all_config.yaml")
        #expect(yaml.contains("it is not valid JSON") && yaml.contains("trm import --config"), "\(yaml)")
        #expect(!yaml.contains("DecodingError") && !yaml.contains("Debug description"))
    }
}
