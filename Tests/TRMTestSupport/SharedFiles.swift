// Where the repository and the shared data and fixtures are, found from this file's path. Tests
// that need ../shared skip when it is absent.
import Foundation

public enum Repository {
    /// The package root (the folder holding Package.swift).
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TRMTestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
}

public enum SharedData {
    /// <package root>/../shared/data. The environment variable TRM_SHARED_DATA overrides it (point
    /// it at a missing folder to check that tests skip).
    public static let root: URL = ProcessInfo.processInfo.environment["TRM_SHARED_DATA"].map { URL(fileURLWithPath: $0) }
        ?? Repository.root.appendingPathComponent("../shared/data").standardizedFileURL

    /// The path if the file or folder exists.
    public static func path(_ relative: String) -> String? {
        let p = root.appendingPathComponent(relative).path
        return FileManager.default.fileExists(atPath: p) ? p : nil
    }

    public static func exists(_ relative: String) -> Bool { path(relative) != nil }
}
