// RunInputs: the data a run trains and evaluates on, recorded in every checkpoint (absolute paths,
// sizes and checksums, the training-row limit and the evaluation size), so that `trm train
// --resume RUN` continues on the same files without naming them again, and says so when a file
// has changed since: the sample stream's saved position only means the same next batch on the
// same rows.
import Foundation
import TRMRuntime

/// One data file or folder (ARC task folders) as a run read it.
public struct RunDataFile: Codable, Equatable, Sendable {
    /// Absolute, standardized path.
    public var path: String
    /// Size and checksum of the file; of a folder, its regular files' total size and a checksum
    /// over their relative paths and checksums.
    public var record: FileRecord

    public init(path: String, record: FileRecord) { self.path = path; self.record = record }

    /// The record of what is at `path` now (relative paths resolve against the working directory).
    public static func reading(_ path: String) throws(RunInputsError) -> RunDataFile {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .missing(path: url.path)
        }
        do {
            if !isDirectory.boolValue {
                return RunDataFile(path: url.path, record: FileRecord(of: try Data(contentsOf: url, options: .alwaysMapped)))
            }
            // A folder: every regular file below it, in a fixed order, by relative path and record.
            let names = (FileManager.default.subpaths(atPath: url.path) ?? []).sorted()
            var listing = "", bytes = 0
            for name in names {
                let file = url.appendingPathComponent(name)
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDir), !isDir.boolValue else { continue }
                let record = FileRecord(of: try Data(contentsOf: file, options: .alwaysMapped))
                bytes += record.bytes
                listing += "\(name)\t\(record.bytes)\t\(record.checksum)\n"
            }
            return RunDataFile(path: url.path, record: FileRecord(bytes: bytes, checksum: FileChecksum.of(Data(listing.utf8))))
        } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
    }
}

/// What a run was given as data, as its checkpoints record it.
public struct RunInputs: Codable, Equatable, Sendable {
    /// --data, in the order given.
    public var training: [RunDataFile]
    /// --test-data (empty: no periodic evaluation).
    public var test: [RunDataFile]
    /// --train-limit (the first N training puzzles), nil for all.
    public var trainLimit: Int?
    /// --eval-limit: test puzzles per periodic evaluation.
    public var evalLimit: Int

    public init(training: [RunDataFile], test: [RunDataFile], trainLimit: Int?, evalLimit: Int) {
        self.training = training; self.test = test; self.trainLimit = trainLimit; self.evalLimit = evalLimit
    }

    /// Records the files at `training` and `test` as they are now.
    public static func reading(training: [String], test: [String], trainLimit: Int?, evalLimit: Int) throws(RunInputsError) -> RunInputs {
        var t: [RunDataFile] = [], e: [RunDataFile] = []
        for path in training { t.append(try RunDataFile.reading(path)) }
        for path in test { e.append(try RunDataFile.reading(path)) }
        return RunInputs(training: t, test: e, trainLimit: trainLimit, evalLimit: evalLimit)
    }

    /// The recorded files that are missing or differ from their record now, each with what changed.
    public static func changes(_ files: [RunDataFile]) -> [(path: String, change: String)] {
        var out: [(path: String, change: String)] = []
        for recorded in files {
            let now: RunDataFile
            do { now = try RunDataFile.reading(recorded.path) } catch {
                if case let .unreadable(_, reason) = error {
                    out.append((recorded.path, "cannot be read (\(reason))"))
                } else {
                    out.append((recorded.path, "not there any more"))
                }
                continue
            }
            if now.record == recorded.record { continue }
            let size = now.record.bytes == recorded.record.bytes
                ? "same size, checksum \(now.record.checksum) instead of \(recorded.record.checksum)"
                : "\(now.record.bytes) bytes instead of \(recorded.record.bytes)"
            out.append((recorded.path, "changed since the run read it (\(size))"))
        }
        return out
    }
}

/// What a resumed run trains and evaluates on, and what to tell the user about it.
public struct ResumedInputs: Equatable, Sendable {
    public var training: [String]
    public var test: [String]
    public var trainLimit: Int?
    public var evalLimit: Int
    /// Where the data came from (info).
    public var notices: [String] = []
    /// Data that differs from what the run started with (warnings).
    public var warnings: [String] = []
}

extension RunInputs {
    /// The evaluation size when neither the command nor the checkpoint gives one.
    public static let defaultEvalLimit = 1000

    /// The data of a resumed run: what the command gives (`data`, `testData`, `trainLimit`,
    /// `evalLimit`; empty or nil when not given), else what the checkpoint recorded. Recorded
    /// training files must be unchanged (the saved stream position means the same next batch only
    /// on the same rows); given ones that differ from the record are warned about. A recorded test
    /// file that changed or is gone is warned about (evaluation does not affect training).
    /// `legacyTraining`: the informational paths of an older checkpoint without records, used
    /// when every one of them exists.
    public static func resume(recorded: RunInputs?, legacyTraining: [String], data: [String], testData: [String],
                              trainLimit: Int?, evalLimit: Int?) throws(RunInputsError) -> ResumedInputs {
        var out = ResumedInputs(training: data, test: testData, trainLimit: trainLimit ?? recorded?.trainLimit,
                                evalLimit: evalLimit ?? recorded?.evalLimit ?? defaultEvalLimit)
        let uninterrupted = "the batches from here differ from an uninterrupted run's"
        if let recorded, !data.isEmpty, !recorded.training.isEmpty {
            var given: [RunDataFile] = []
            for path in data { given.append(try RunDataFile.reading(path)) }
            if given != recorded.training {
                out.warnings.append("training on other data than the run started with (\(recorded.training.map(\.path).joined(separator: ", "))): \(uninterrupted)")
            }
        } else if let recorded, data.isEmpty, !recorded.training.isEmpty {
            if let (path, change) = changes(recorded.training).first {
                throw .changed(path: path, change: change)
            }
            out.training = recorded.training.map(\.path)
            out.notices.append("training data from the checkpoint: \(out.training.joined(separator: ", ")) (sizes and checksums as recorded)")
        } else if recorded == nil, data.isEmpty, !legacyTraining.isEmpty,
                  legacyTraining.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) {
            out.training = legacyTraining
            out.notices.append("training data from the checkpoint: \(legacyTraining.joined(separator: ", ")) (recorded by an older version, without checksums)")
        }
        if let recorded, let trainLimit, trainLimit != recorded.trainLimit {
            out.warnings.append("--train-limit \(trainLimit) where the run started with \(recorded.trainLimit.map(String.init) ?? "all puzzles"): \(uninterrupted)")
        }
        if let recorded, testData.isEmpty, !recorded.test.isEmpty {
            let changed = changes(recorded.test)
            for (path, change) in changed {
                out.warnings.append("test data \(path): \(change); \(FileManager.default.fileExists(atPath: path) ? "evaluating on it as it is now" : "left out of the evaluation")")
            }
            out.test = recorded.test.map(\.path).filter { FileManager.default.fileExists(atPath: $0) }
            if !out.test.isEmpty { out.notices.append("test data from the checkpoint: \(out.test.joined(separator: ", "))") }
        }
        return out
    }
}

public enum RunInputsError: Error, CustomStringConvertible, Equatable {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    /// A recorded training file differs from its record (or is gone) on a resume that did not name it.
    case changed(path: String, change: String)

    public var description: String {
        switch self {
        case let .missing(path): return "\(path) is not there any more"
        case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
        case let .changed(path, change):
            return "the run's training data \(path): \(change). Resuming on it would not continue the run's sample order; "
                + "to train on the data as it is now, name it with --data (the batches from here then differ from an uninterrupted run's)"
        }
    }
}
