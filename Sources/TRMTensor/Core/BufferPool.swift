// BufferPool: reuses float buffers by exact element count so repeated training steps allocate
// nothing new after the first one. Storage returns its buffer here when it is freed.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Size-keyed free lists of 64-byte aligned float buffers.
/// Thread-safe: kernels on worker threads may free tensors.
public final class BufferPool: @unchecked Sendable {
    /// The process-wide pool used by every CPU tensor. It is internally synchronised.
    public static let shared = BufferPool()

    /// The pool new tensors draw from in this task (the shared one unless a caller scopes its own,
    /// e.g. to measure one workload's memory in isolation).
    @TaskLocal public static var current: BufferPool = shared

    /// Counters describing the pool, in bytes.
    public struct Statistics: Sendable, Equatable {
        /// Bytes obtained from the system allocator and not yet given back.
        public var allocatedBytes: Int
        /// Bytes held by live tensors.
        public var inUseBytes: Int
        /// The largest `inUseBytes` seen since the last `resetPeak()`.
        public var peakInUseBytes: Int
        /// Number of calls to the system allocator so far.
        public var systemAllocations: Int
    }

    private let lock = NSLock()
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var stats = Statistics(allocatedBytes: 0, inUseBytes: 0, peakInUseBytes: 0,
                                   systemAllocations: 0)
    /// Cached (free) bytes above this limit are returned to the system.
    public var cacheLimitBytes: Int = 4 << 30

    public init() {}

    /// A buffer of `count` floats (contents undefined).
    public func acquire(_ count: Int) -> UnsafeMutablePointer<Float> {
        let n = max(count, 1)
        lock.lock()
        if var list = free[n], let p = list.popLast() {
            free[n] = list
            stats.inUseBytes += n * 4
            stats.peakInUseBytes = max(stats.peakInUseBytes, stats.inUseBytes)
            lock.unlock()
            return p
        }
        stats.allocatedBytes += n * 4
        stats.inUseBytes += n * 4
        stats.systemAllocations += 1
        stats.peakInUseBytes = max(stats.peakInUseBytes, stats.inUseBytes)
        lock.unlock()
        var raw: UnsafeMutableRawPointer?
        let rc = posix_memalign(&raw, 64, n * MemoryLayout<Float>.stride)
        guard rc == 0, let raw else { fatalError("BufferPool: out of memory allocating \(n * 4) bytes") }
        return raw.bindMemory(to: Float.self, capacity: n)
    }

    /// Gives a buffer obtained from `acquire(count)` back to the pool.
    public func release(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let n = max(count, 1)
        lock.lock()
        stats.inUseBytes -= n * 4
        let cached = stats.allocatedBytes - stats.inUseBytes
        if cached > cacheLimitBytes {
            stats.allocatedBytes -= n * 4
            lock.unlock()
            Foundation.free(pointer)
            return
        }
        free[n, default: []].append(pointer)
        lock.unlock()
    }

    /// A buffer for `count` bf16 values (2 bytes each) from the float free lists: the bf16
    /// operands of matrix products and the bf16 copies of weights come from here, so a training
    /// step reuses them instead of asking the system allocator (and faulting fresh pages in) on
    /// every product, and the pool's statistics count them. Give it back with `releaseBF16`.
    public func acquireBF16(_ count: Int) -> UnsafeMutablePointer<UInt16> {
        let floats = (count + 1) / 2
        return UnsafeMutableRawPointer(acquire(floats)).bindMemory(to: UInt16.self, capacity: max(floats, 1) * 2)
    }

    /// Gives back a buffer from `acquireBF16(count)`.
    public func releaseBF16(_ pointer: UnsafeMutablePointer<UInt16>, count: Int) {
        let floats = (count + 1) / 2
        release(UnsafeMutableRawPointer(pointer).bindMemory(to: Float.self, capacity: max(floats, 1)), count: floats)
    }

    public var statistics: Statistics {
        lock.lock(); defer { lock.unlock() }
        return stats
    }

    public func resetPeak() {
        lock.lock(); stats.peakInUseBytes = stats.inUseBytes; lock.unlock()
    }

    /// Returns every cached buffer to the system.
    public func trim() {
        lock.lock()
        let lists = free
        free = [:]
        for (n, list) in lists { stats.allocatedBytes -= n * 4 * list.count }
        lock.unlock()
        for list in lists.values { for p in list { Foundation.free(p) } }
    }
}
