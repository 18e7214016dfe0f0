// AtomicFileTests: atomic writes create and replace files, and every failure leaves the old file
// intact with no temporary file behind.

import TRMTestSupport
import Foundation
import Testing
@testable import TRMFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct AtomicFileTests {
    @Test func createsAndReplacesAFile() throws {
        let dir = TestDirectory()
        let url = dir.file("out.bin")
        try AtomicFile.write(Data("first".utf8), to: url)
        #expect(try Data(contentsOf: url) == Data("first".utf8))
        try AtomicFile.write(Data("second, longer".utf8), to: url)
        #expect(try Data(contentsOf: url) == Data("second, longer".utf8))
        try AtomicFile.write(Data(), to: url)
        #expect(try Data(contentsOf: url).isEmpty)
        #expect(dir.contents() == ["out.bin"], "no temporary files left behind")
        let permissions = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(permissions == 0o644)
    }

    @Test func writesLargeData() throws {
        let dir = TestDirectory()
        let url = dir.file("big.bin")
        let data = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try AtomicFile.write(data, to: url)
        #expect(try Data(contentsOf: url) == data)
    }

    @Test(arguments: [AtomicFile.Fault.createTemporary, .write, .fsync, .rename])
    func injectedFailureKeepsOldFile(fault: AtomicFile.Fault) throws {
        let dir = TestDirectory()
        let url = dir.file("keep.txt")
        try AtomicFile.write(Data("good contents".utf8), to: url)
        let newData = Data(repeating: 0x41, count: 10_000)
        #expect(throws: FileWriteError.self) {
            try AtomicFile.write(newData, toPath: url.path, permissions: 0o644, fault: fault)
        }
        #expect(try Data(contentsOf: url) == Data("good contents".utf8))
        #expect(dir.contents() == ["keep.txt"], "temporary file removed after \(fault)")
    }

    @Test func missingDirectoryIsATypedError() {
        let dir = TestDirectory()
        let url = dir.url.appendingPathComponent("no/such/dir/file.txt")
        do {
            try AtomicFile.write(Data("x".utf8), to: url)
            Issue.record("expected a failure")
        } catch {
            guard case .cannotCreateTemporaryFile(let path, let reason) = error else {
                Issue.record("wrong error \(error)"); return
            }
            #expect(path == url.path)
            #expect(reason.contains("errno"))
            #expect(error.description.contains(url.path))
        }
    }

    @Test func renameOntoNonEmptyDirectoryFailsAndKeepsIt() throws {
        let dir = TestDirectory()
        let target = dir.file("occupied")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try Data("inner".utf8).write(to: target.appendingPathComponent("inner.txt"))
        #expect(throws: FileWriteError.self) { try AtomicFile.write(Data("x".utf8), to: target) }
        #expect(try Data(contentsOf: target.appendingPathComponent("inner.txt")) == Data("inner".utf8))
        #expect(dir.contents() == ["occupied"])
    }

    /// Root ignores directory permissions, so this case only means something for other users.
    @Test(.enabled(if: geteuid() != 0, "root can write into read-only directories"))
    func readOnlyDirectoryKeepsOldFile() throws {
        let dir = TestDirectory()
        let url = dir.file("keep.txt")
        try AtomicFile.write(Data("old".utf8), to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir.url.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.url.path) }
        #expect(throws: FileWriteError.self) { try AtomicFile.write(Data("new".utf8), to: url) }
        #expect(try Data(contentsOf: url) == Data("old".utf8))
    }

    @Test func splitsPaths() {
        for (path, directory, name) in [("a/b/c.txt", "a/b", "c.txt"), ("c.txt", ".", "c.txt"), ("/c.txt", "/", "c.txt")] {
            let parts = AtomicFile.split(path)
            #expect(parts.directory == directory && parts.name == name, "\(path)")
        }
    }
}
