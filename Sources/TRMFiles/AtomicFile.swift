// AtomicFile: replace a file's contents all at once, so a crash or a full disk never leaves a
// half-written checkpoint, report or tensor file where a good one used to be.
//
// The recipe: create a temporary file in the destination's directory (same filesystem, so the
// rename is atomic), write every byte, fsync the file, rename it over the destination, then fsync
// the directory so the rename itself is durable. On any failure the temporary file is removed and
// the destination is left exactly as it was.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an atomic write failed. Every case names the path involved and the system's reason.
public enum FileWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The temporary file next to `path` could not be created (missing or read-only directory,
    /// no space, too many open files).
    case cannotCreateTemporaryFile(path: String, reason: String)
    /// Writing the bytes (or flushing them to disk) failed; the destination was not touched.
    case writeFailed(path: String, reason: String)
    /// The finished temporary file could not be renamed over the destination.
    case renameFailed(path: String, reason: String)
    /// The rename happened, but the directory could not be synced; the new contents are in place
    /// but may not survive a power cut.
    case directorySyncFailed(path: String, reason: String)

    /// The destination path the failed write was aimed at.
    public var path: String {
        switch self {
        case .cannotCreateTemporaryFile(let path, _), .writeFailed(let path, _),
             .renameFailed(let path, _), .directorySyncFailed(let path, _):
            return path
        }
    }

    /// What failed, in a few words without advice (for messages that wrap this one).
    public var cause: String {
        let name = URL(fileURLWithPath: path).lastPathComponent
        switch self {
        case .cannotCreateTemporaryFile(_, let reason): return "cannot create a temporary file for \(name) (\(reason))"
        case .writeFailed(_, let reason): return "writing \(name) failed (\(reason))"
        case .renameFailed(_, let reason): return "moving \(name) into place failed (\(reason))"
        case .directorySyncFailed(_, let reason): return "syncing the folder of \(name) failed (\(reason))"
        }
    }

    public var description: String {
        switch self {
        case .cannotCreateTemporaryFile(let path, let reason):
            return "cannot write \(path): could not create a temporary file in its directory (\(reason)). "
                + "Check that the directory exists, is writable, and the disk has space."
        case .writeFailed(let path, let reason):
            return "cannot write \(path): writing the data failed (\(reason)); the old file, if any, is unchanged. "
                + "Check free disk space and quotas."
        case .renameFailed(let path, let reason):
            return "cannot write \(path): could not move the finished temporary file into place (\(reason)); "
                + "the old file, if any, is unchanged. Check that the path is not a directory and is writable."
        case .directorySyncFailed(let path, let reason):
            return "wrote \(path), but syncing its directory failed (\(reason)); the file may not survive a "
                + "power loss. Check the filesystem."
        }
    }
}

/// Atomic whole-file writes. Readers see either the old contents or the new, never a mixture.
public enum AtomicFile {
    /// Failure injection for tests: make the named stage fail as if the system call had.
    enum Fault: Sendable {
        case createTemporary, write, fsync, rename
    }

    /// Writes `data` to `url` atomically, creating the file with `permissions` (default rw-r--r--)
    /// or replacing it. The destination's directory must exist.
    public static func write(_ data: Data, to url: URL, permissions: UInt16 = 0o644) throws(FileWriteError) {
        try write(data, toPath: url.path, permissions: permissions, fault: nil)
    }

    /// Writes `data` to `path` atomically; see ``write(_:to:permissions:)``.
    public static func write(_ data: Data, toPath path: String, permissions: UInt16 = 0o644) throws(FileWriteError) {
        try write(data, toPath: path, permissions: permissions, fault: nil)
    }

    /// Writes a UTF-8 string atomically.
    public static func write(_ text: String, to url: URL, permissions: UInt16 = 0o644) throws(FileWriteError) {
        try write(Data(text.utf8), toPath: url.path, permissions: permissions, fault: nil)
    }

    static func write(_ data: Data, toPath path: String, permissions: UInt16,
                      fault: Fault?) throws(FileWriteError) {
        let (directory, name) = split(path)
        // mkstemp replaces the six X's with a unique suffix and opens the file O_EXCL, mode 0600.
        var template = Array("\(directory)/.\(name).tmp-XXXXXX".utf8CString)
        let fd: Int32 = fault == .createTemporary ? -1 : template.withUnsafeMutableBufferPointer {
            mkstemp($0.baseAddress!)
        }
        if fd < 0 {
            let reason = fault == .createTemporary ? "injected failure" : errnoReason()
            throw .cannotCreateTemporaryFile(path: path, reason: reason)
        }
        let temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var closed = false
        func abandon() {
            if !closed { _ = close(fd); closed = true }
            _ = unlink(temporaryPath)
        }

        // Write every byte, retrying short writes and EINTR.
        var writeError: String? = nil
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                if fault == .write && offset >= buffer.count / 2 { writeError = "injected failure"; return }
                var chunk = buffer.count - offset
                if fault == .write { chunk = max(1, min(chunk, buffer.count / 2 - offset)) }
                let written = systemWrite(fd, buffer.baseAddress! + offset, chunk)
                if written < 0 {
                    if errno == EINTR { continue }
                    writeError = errnoReason(); return
                }
                offset += written
            }
        }
        if let writeError { abandon(); throw .writeFailed(path: path, reason: writeError) }
        if fchmod(fd, mode_t(permissions)) != 0 {
            let reason = errnoReason(); abandon(); throw .writeFailed(path: path, reason: "chmod: \(reason)")
        }
        if fault == .fsync || fsync(fd) != 0 {
            let reason = fault == .fsync ? "injected failure" : errnoReason()
            abandon(); throw .writeFailed(path: path, reason: "fsync: \(reason)")
        }
        if close(fd) != 0 {
            closed = true
            let reason = errnoReason(); abandon(); throw .writeFailed(path: path, reason: "close: \(reason)")
        }
        closed = true
        if fault == .rename || rename(temporaryPath, path) != 0 {
            let reason = fault == .rename ? "injected failure" : errnoReason()
            abandon(); throw .renameFailed(path: path, reason: reason)
        }
        // Make the rename durable. Some filesystems refuse fsync on directories (EINVAL); that is
        // not a failure of ours.
        let directoryFD = open(directory, O_RDONLY)
        if directoryFD >= 0 {
            let result = fsync(directoryFD)
            let savedErrno = errno
            _ = close(directoryFD)
            if result != 0 && savedErrno != EINVAL && savedErrno != ENOTSUP {
                throw .directorySyncFailed(path: path, reason: String(cString: strerror(savedErrno)))
            }
        }
    }

    /// Splits a path into (directory, last component); a bare name lives in ".".
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        let name = String(path[path.index(after: slash)...])
        return (directory.isEmpty ? "/" : directory, name)
    }

    /// write(2) on this platform's C library (one call; the caller loops on short writes).
    public static func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.write(fd, bytes, count)
        #elseif canImport(Musl)
        return Musl.write(fd, bytes, count)
        #else
        return Darwin.write(fd, bytes, count)
        #endif
    }

    private static func errnoReason() -> String {
        let code = errno
        return "\(String(cString: strerror(code))) (errno \(code))"
    }
}
