// Locating ../shared/data relative to the package root; tests that need it skip when it is absent.
import Foundation

enum SharedData {
    /// <package root>/../shared/data, found from this file's path. The environment variable
    /// TRM_SHARED_DATA overrides it (point it at a missing folder to check that tests skip).
    static let root: URL = ProcessInfo.processInfo.environment["TRM_SHARED_DATA"].map { URL(fileURLWithPath: $0) }
        ?? URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TRMPuzzlesTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("../shared/data").standardizedFileURL

    /// The path if the file or folder exists.
    static func path(_ relative: String) -> String? {
        let p = root.appendingPathComponent(relative).path
        return FileManager.default.fileExists(atPath: p) ? p : nil
    }

    static func exists(_ relative: String) -> Bool { path(relative) != nil }
}
