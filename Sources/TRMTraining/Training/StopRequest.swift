// StopRequest: a flag the training loop polls between steps, set by Ctrl-C (SIGINT) or SIGTERM
// through a Dispatch signal source. The first signal asks the loop to finish its step, save a
// checkpoint and return; a second one exits at once (status 130).
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false
    private var reason: String?
    private var sources: [any DispatchSourceSignal] = []

    public init() {}

    /// True once a stop was asked for.
    public var isRequested: Bool { lock.lock(); defer { lock.unlock() }; return requested }
    /// What asked for the stop ("SIGINT", "SIGTERM", or a caller's text).
    public var requestReason: String? { lock.lock(); defer { lock.unlock() }; return reason }

    /// Asks the loop to stop after the current step. Returns false when a stop was already requested.
    @discardableResult
    public func request(_ why: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if requested { return false }
        requested = true; reason = why
        return true
    }

    /// Routes SIGINT and SIGTERM to this request. `onFirst` runs (on a Dispatch queue) when the
    /// first signal arrives, e.g. to log "finishing the step"; a second signal exits with 130.
    public func installSignalHandlers(onFirst: @escaping @Sendable (String) -> Void = { _ in }) {
        for (sig, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(sig, SIG_IGN)  // let the Dispatch source see it instead of the default handler
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global(qos: .userInitiated))
            source.setEventHandler { [weak self] in
                guard let self else { return }
                if self.request(name) {
                    onFirst(name)
                } else {
                    FileHandle.standardError.write(Data("\n\(name) again: exiting without saving\n".utf8))
                    exit(130)
                }
            }
            source.resume()
            lock.lock(); sources.append(source); lock.unlock()
        }
    }

    /// Stops routing signals here and restores the default handlers.
    public func removeSignalHandlers() {
        lock.lock(); let s = sources; sources = []; lock.unlock()
        for source in s { source.cancel() }
        signal(SIGINT, SIG_DFL); signal(SIGTERM, SIG_DFL)
    }
}
