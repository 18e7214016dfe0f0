// OutputLocation: a command's --out checked (and its folder created) before any work starts, so a
// file in the way or a folder that cannot be written is one clear sentence up front, not
// Foundation's error dump after a whole evaluation or training run.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum OutputLocation {
    /// "cannot write WHAT to PATH: REASON; pass OPTION a writable folder".
    private static func refusal(_ what: String, _ path: String, _ option: String, _ reason: String) -> CommandError {
        CommandError("cannot write \(what) to \(path): \(reason); pass \(option) a writable folder")
    }

    /// The nearest folder above `path` (exclusive) that exists, or "/".
    private static func nearestExistingAncestor(of path: String) -> URL {
        var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
        while ancestor.path != "/" && !FileManager.default.fileExists(atPath: ancestor.path) {
            ancestor = ancestor.deletingLastPathComponent()
        }
        return ancestor
    }

    /// Makes `path` a writable folder now (creating it and its parents); `what` is what will be
    /// written there ("the report"), `option` the flag that named it.
    @discardableResult
    static func prepareFolder(_ path: String, for what: String, option: String = "--out") throws -> URL {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        func refuse(_ reason: String) -> CommandError { refusal(what, path, option, reason) }
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw refuse("a file of that name is in the way") }
        } else {
            do { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw refuse(reason(error, path: path))
            }
        }
        guard fm.isWritableFile(atPath: path) else { throw refuse("the folder is not writable") }
        return URL(fileURLWithPath: path)
    }

    /// Checks, without creating anything, that the folder `path` exists or can be made: no file in
    /// the way of it or of a folder above it, and the nearest existing folder is writable.
    static func checkFolder(_ path: String, for what: String, option: String = "--out") throws {
        let fm = FileManager.default
        func refuse(_ reason: String) -> CommandError { refusal(what, path, option, reason) }
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw refuse("a file of that name is in the way") }
            guard fm.isWritableFile(atPath: path) else { throw refuse("the folder is not writable") }
            return
        }
        let ancestor = nearestExistingAncestor(of: path)
        guard fm.fileExists(atPath: ancestor.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw refuse("\(ancestor.path) is a file, not a folder")
        }
        guard fm.isWritableFile(atPath: ancestor.path) else { throw refuse("\(ancestor.path) is not writable") }
    }

    /// Checks that the file `path` can be written: not a folder, and its folder exists (created
    /// now when missing) and is writable.
    static func prepareFile(_ path: String, for what: String, option: String = "--out") throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CommandError("cannot write \(what) to \(path): it is a folder; pass \(option) a file path")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do { try prepareFolder(folder, for: what, option: option) } catch {
            throw CommandError("cannot write \(what) to \(path): \(folder) cannot be written; pass \(option) a path in a writable folder")
        }
    }

    /// The operating system's short reason for a failed file operation, without Foundation's dump.
    static func reason(_ error: Error, path: String) -> String {
        // A parent that is a file, or one that cannot be written, are the usual causes.
        let ancestor = nearestExistingAncestor(of: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            return "\(ancestor.path) is a file, not a folder"
        }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code))).lowercased()
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))).lowercased() }
        if !FileManager.default.isWritableFile(atPath: ancestor.path) { return "\(ancestor.path) is not writable" }
        return "the folder cannot be created"
    }
}
