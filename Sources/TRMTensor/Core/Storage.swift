// Storage: the memory behind a tensor. The CPU backend keeps float32 buffers from the BufferPool;
// a GPU backend would add its own device case and keep model code unchanged.

/// Where a tensor's memory lives. Only `.cpu` exists today; kernels dispatch on it.
public enum Device: String, Sendable, Codable {
    case cpu
}

/// A reference-counted float32 buffer. Reshaped views share one Storage.
public final class Storage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int
    public let device: Device
    private let pool: BufferPool

    /// Uninitialised storage of `count` floats from the shared pool.
    public init(count: Int, device: Device = .cpu) {
        self.count = count
        self.device = device
        self.pool = BufferPool.current
        self.pointer = pool.acquire(count)
    }

    deinit {
        pool.release(pointer, count: count)
    }
}
