// FixtureIntegrity: the sizes and checksums of the golden fixtures as the reference wrote them
// (../shared/fixtures/golden and golden-bf16), checked before a fixture is trusted: a flipped byte
// in a copied tensors.safetensors could otherwise move a reference output by less than its
// tolerance and still pass. A fixture folder that is none of these is refused unless the user
// asks (`--no-verify`), so a check always says which reference it compared against.
import Foundation
import TRMRuntime

public enum FixtureIntegrity {
    /// One known fixture: its set and case, and the records of its two files.
    public struct Known: Sendable {
        public var name: String
        public var config: FileRecord
        public var tensors: FileRecord
    }

    /// Every fixture shipped in ../shared/fixtures (FileChecksum of each file as distributed).
    public static let known: [Known] = [
        Known(name: "golden/hrm-att-sudoku",
              config: FileRecord(bytes: 12404, checksum: "fnv1a64w:5fff8ed31e056a3d"),
              tensors: FileRecord(bytes: 4_834_000, checksum: "fnv1a64w:41dd30e3febbc512")),
        Known(name: "golden/trm-att-sudoku",
              config: FileRecord(bytes: 8568, checksum: "fnv1a64w:e10fd9b374d5a192"),
              tensors: FileRecord(bytes: 2_826_796, checksum: "fnv1a64w:ddb5886d5e15e8c1")),
        Known(name: "golden/trm-mlp-sudoku",
              config: FileRecord(bytes: 9066, checksum: "fnv1a64w:b03047a7a2262087"),
              tensors: FileRecord(bytes: 7_070_292, checksum: "fnv1a64w:9bac5c63a5a384ff")),
        Known(name: "golden-bf16/hrm-att-sudoku",
              config: FileRecord(bytes: 12618, checksum: "fnv1a64w:dd6699fe84bc1c9e"),
              tensors: FileRecord(bytes: 4_834_000, checksum: "fnv1a64w:08ce2a142d8d2cdb")),
        Known(name: "golden-bf16/trm-att-sudoku",
              config: FileRecord(bytes: 8739, checksum: "fnv1a64w:b094e16e63947ed0"),
              tensors: FileRecord(bytes: 2_826_796, checksum: "fnv1a64w:19c6649ced75482b")),
        Known(name: "golden-bf16/trm-mlp-sudoku",
              config: FileRecord(bytes: 8448, checksum: "fnv1a64w:c70e6d215cffa357"),
              tensors: FileRecord(bytes: 7_070_292, checksum: "fnv1a64w:bc3dab5adccf741f")),
    ]

    public enum Problem: Error, CustomStringConvertible, Equatable {
        /// One file of a known fixture differs from the reference's.
        case damaged(path: String, fixture: String, problem: IntegrityProblem)
        /// Neither file matches any known fixture.
        case unknown(directory: String)

        public var description: String {
            switch self {
            case let .damaged(p, fixture, problem):
                return "\(p): \(problem) (the reference's \(fixture)). Copy the fixture again from ../shared/fixtures/\(fixture), "
                    + "or pass --no-verify to check it anyway"
            case let .unknown(d):
                return "\(d) is none of the known golden fixtures (\(known.map(\.name).joined(separator: ", "))): "
                    + "its files match no recorded size and checksum. Copy one again from ../shared/fixtures, "
                    + "or pass --no-verify to check it anyway"
            }
        }
    }

    /// Which known fixture `directory` holds; throws when a file differs from the reference's or the
    /// folder is no known fixture.
    @discardableResult
    public static func verify(directory: URL) throws -> Known {
        let configURL = directory.appendingPathComponent("config.json")
        let tensorsURL = directory.appendingPathComponent("tensors.safetensors")
        let config = try? Data(contentsOf: configURL), tensors = try? Data(contentsOf: tensorsURL)
        let configRecord = config.map(FileRecord.init(of:)), tensorsRecord = tensors.map(FileRecord.init(of:))
        if let k = known.first(where: { $0.config == configRecord && $0.tensors == tensorsRecord }) { return k }
        // One file matches a known fixture: the other is that fixture's, damaged.
        if let k = known.first(where: { $0.config == configRecord }) {
            throw Problem.damaged(path: tensorsURL.path, fixture: k.name,
                                  problem: IntegrityProblem.check(tensors, against: k.tensors) ?? .missing)
        }
        if let k = known.first(where: { $0.tensors == tensorsRecord }) {
            throw Problem.damaged(path: configURL.path, fixture: k.name,
                                  problem: IntegrityProblem.check(config, against: k.config) ?? .missing)
        }
        throw Problem.unknown(directory: directory.path)
    }
}
