// Matrix products through oneDNN's matmul primitive (Linux; Debian's libdnnl-dev 2.6). One
// primitive per (shape, transposes, leading dimensions, alpha, beta, dtype) is created on first
// use and cached for the life of the process; oneDNN picks the kernel for this CPU's ISA (AVX2,
// AVX-512, AVX512-BF16, AMX). Threads: oneDNN runs on OpenMP, whose thread count is a setting of
// the calling thread, so every call sets it from `ComputeContext.current.threads` (1 inside our
// own workers, which are the same OpenMP team: no oversubscription).
#if canImport(CDNNL)
import CDNNL
import Foundation

/// oneDNN's engine, primitive cache and the ISA it dispatches on.
public enum OneDNN {
    /// A oneDNN handle the library allows to share between threads (engines and primitives are
    /// immutable once created; executions use a per-call stream and scratchpad).
    final class Handle: @unchecked Sendable {
        let pointer: OpaquePointer
        init(_ pointer: OpaquePointer) { self.pointer = pointer }
    }

    /// The CPU engine, created on first use (nil only if oneDNN cannot create one).
    static let engine: Handle? = {
        var engine: dnnl_engine_t?
        guard dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success, let engine else { return nil }
        return Handle(engine)
    }()

    /// The instruction set oneDNN dispatches to on this CPU, after `ONEDNN_MAX_CPU_ISA`.
    public static var isa: String {
        switch dnnl_get_effective_cpu_isa() {
        case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx"
        case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16"
        case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni"
        case dnnl_cpu_isa_avx512_core: return "avx512_core"
        case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni"
        case dnnl_cpu_isa_avx2: return "avx2"
        case dnnl_cpu_isa_avx: return "avx"
        case dnnl_cpu_isa_sse41: return "sse41"
        default: return "other"
        }
    }

    /// True when oneDNN may use AMX tiles here.
    public static var hasAMX: Bool { dnnl_get_effective_cpu_isa() == dnnl_cpu_isa_avx512_core_amx }

    /// True where oneDNN's bf16 matmul is measured faster than its fp32 one: AMX tiles (Intel), and
    /// AVX512-BF16 on AMD (Zen 4: our bf16 training step 1.4-1.8x our fp32, same run). Not AVX512-BF16
    /// on Intel without AMX, where issue 11 measured bf16 at half the fp32 rate: oneDNN reports the
    /// same ISA for both, so the CPU's vendor tells them apart.
    public static var bf16IsFaster: Bool {
        hasAMX || (dnnl_get_effective_cpu_isa() == dnnl_cpu_isa_avx512_core_bf16 && CPUVendor.current == .amd)
    }

    /// True where oneDNN's matmul runs brgemm kernels ("brg:..."; AVX-512 and up in oneDNN 2.6),
    /// false where it runs `gemm:jit` (AVX2).
    public static let runsBrgemm: Bool = implementation(m: 97, n: 512, k: 512, bf16: false)?.hasPrefix("brg") == true

    /// Whether packing the weight of a product with `rows` rows (M) into the layout oneDNN's matmul
    /// prefers pays here. brgemm kernels otherwise repack their blocked layout on every call: yes.
    /// `gemm:jit` (AVX2), measured on an AMD Zen 3, 1 thread: at M = 97 (a batch-1 rollout) the
    /// preferred layout made x W^T 0.60-0.72x as fast and a 16-step rollout 1.35x slower; at
    /// M = 776 (batch 8) x W^T ran 0.93-1.02x and a training step 5-10% faster packed. So there
    /// only from 512 rows up. Between them (session 12, x W^T alone, geometric mean over the four
    /// shapes): 0.72x at 194 rows, 0.84x at 388, 0.96x at 582; README "`trm bench kernels`".
    public static func packingPays(rows: Int) -> Bool { runsBrgemm || rows >= 512 }

    /// Everything a matmul primitive is specialised on.
    struct Key: Hashable {
        var m: Int, n: Int, k: Int
        var transA: Bool, transB: Bool
        var lda: Int, ldb: Int, ldc: Int
        var alpha: Float, beta: Float
        var bf16: Bool
        /// C in bf16 (rounded to nearest even by oneDNN) instead of fp32; bf16 inputs only.
        var bf16Output = false
        /// B in the layout the primitive prefers (oneDNN's "any" format), reordered into it once
        /// by `PackedWeights` instead of being repacked by the kernel on every call.
        var packedB = false
    }

    /// A created primitive with the scratchpad it needs per execution and oneDNN's name for the
    /// kernel it chose (e.g. "brg:avx512_core").
    final class Primitive: @unchecked Sendable {
        let primitive: OpaquePointer
        let scratchpadBytes: Int
        let implementation: String
        /// The memory descriptors of A, B and C, made once with the primitive and reused by every run.
        let descriptors: Descriptors
        init(primitive: OpaquePointer, scratchpadBytes: Int, implementation: String, descriptors: Descriptors) {
            self.primitive = primitive
            self.scratchpadBytes = scratchpadBytes
            self.implementation = implementation
            self.descriptors = descriptors
        }
    }

    struct Descriptors {
        var a: dnnl_memory_desc_t
        var b: dnnl_memory_desc_t
        var c: dnnl_memory_desc_t
    }

    /// A [m, k], B [k, n] (either possibly transposed, by strides) in the key's input dtype, C
    /// [m, n] in fp32 (or bf16 with `bf16Output`).
    static func descriptors(_ key: Key) -> Descriptors? {
        let inType = key.bf16 ? dnnl_bf16 : dnnl_f32
        guard let a = descriptor(rows: key.m, cols: key.k, rowStride: key.transA ? 1 : key.lda,
                                 colStride: key.transA ? key.lda : 1, type: inType),
              let b = descriptor(rows: key.k, cols: key.n, rowStride: key.transB ? 1 : key.ldb,
                                 colStride: key.transB ? key.ldb : 1, type: inType),
              let c = descriptor(rows: key.m, cols: key.n, rowStride: key.ldc, colStride: 1,
                                 type: key.bf16Output ? dnnl_bf16 : dnnl_f32)
        else { return nil }
        return Descriptors(a: a, b: b, c: c)
    }

    /// Primitives by key; `nil` values remember shapes oneDNN could not create (bf16 without
    /// AVX512-BF16, for example), so a failed creation is not retried on every call.
    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var primitives: [Key: Primitive?] = [:]
        /// How many times a primitive was created for each key (1 when the cache works).
        var creations: [Key: Int] = [:]
    }
    private static let cache = Cache()

    /// How many times a primitive was created for this key: 0 before first use, 1 after it when
    /// the cache works. Per key, so a test asking it is not disturbed by tests running beside it.
    static func creations(_ key: Key) -> Int {
        cache.lock.lock(); defer { cache.lock.unlock() }
        return cache.creations[key, default: 0]
    }

    static func primitive(_ key: Key) -> Primitive? {
        cache.lock.lock(); defer { cache.lock.unlock() }
        if let found = cache.primitives[key] { return found }
        let made = create(key)
        cache.primitives[key] = made
        cache.creations[key, default: 0] += 1
        return made
    }

    /// oneDNN's kernel name for a matmul of this shape and dtype, or nil where it cannot create one.
    public static func implementation(m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = true,
                                      bf16: Bool) -> String? {
        primitive(Key(m: m, n: n, k: k, transA: transA, transB: transB, lda: transA ? m : k,
                      ldb: transB ? k : n, ldc: n, alpha: 1, beta: 0, bf16: bf16))?.implementation
    }

    /// A 2-D memory descriptor: logical [rows, cols] with element (i, j) at i * rowStride + j * colStride.
    private static func descriptor(rows: Int, cols: Int, rowStride: Int, colStride: Int,
                                   type: dnnl_data_type_t) -> dnnl_memory_desc_t? {
        var md = dnnl_memory_desc_t()
        var dims = [Int64](repeating: 0, count: Int(DNNL_MAX_NDIMS))
        var strides = dims
        dims[0] = Int64(rows); dims[1] = Int64(cols)
        strides[0] = Int64(rowStride); strides[1] = Int64(colStride)
        guard dnnl_memory_desc_init_by_strides(&md, 2, &dims, type, &strides) == dnnl_success else { return nil }
        return md
    }

    private static func create(_ key: Key) -> Primitive? {
        guard let engine, let descriptors = descriptors(key) else { return nil }
        var (a, b, c) = (descriptors.a, descriptors.b, descriptors.c)
        if key.packedB {
            var dims = [Int64](repeating: 0, count: Int(DNNL_MAX_NDIMS))
            dims[0] = Int64(key.k); dims[1] = Int64(key.n)
            guard dnnl_memory_desc_init_by_tag(&b, 2, &dims, key.bf16 ? dnnl_bf16 : dnnl_f32,
                                               dnnl_format_tag_any) == dnnl_success else { return nil }
        }
        var desc = dnnl_matmul_desc_t()
        guard dnnl_matmul_desc_init(&desc, &a, &b, nil, &c) == dnnl_success else { return nil }

        var attr: dnnl_primitive_attr_t?
        guard dnnl_primitive_attr_create(&attr) == dnnl_success, let attr else { return nil }
        defer { dnnl_primitive_attr_destroy(attr) }
        // A user scratchpad makes concurrent executions of one primitive safe (Debian's build has
        // no DNNL_ENABLE_CONCURRENT_EXEC: a library scratchpad would be shared).
        dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user)
        if key.alpha != 1 {
            var alpha = key.alpha
            guard dnnl_primitive_attr_set_output_scales(attr, 1, 0, &alpha) == dnnl_success else { return nil }
        }
        if key.beta != 0 {
            var ops: dnnl_post_ops_t?
            guard dnnl_post_ops_create(&ops) == dnnl_success, let ops else { return nil }
            defer { dnnl_post_ops_destroy(ops) }
            guard dnnl_post_ops_append_sum(ops, key.beta) == dnnl_success,
                  dnnl_primitive_attr_set_post_ops(attr, ops) == dnnl_success else { return nil }
        }
        var pd: dnnl_primitive_desc_t?
        guard dnnl_primitive_desc_create(&pd, &desc, attr, engine.pointer, nil) == dnnl_success,
              let pd else { return nil }
        defer { dnnl_primitive_desc_destroy(pd) }
        var name: UnsafePointer<CChar>?
        dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name)
        let implementation = name.map { String(cString: $0) } ?? "?"
        // oneDNN's reference kernels are loops hundreds of times slower than a BLAS: refuse them.
        if implementation.hasPrefix("ref") { return nil }
        let scratchpad = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0)
        let scratchpadBytes = scratchpad.map { dnnl_memory_desc_get_size($0) } ?? 0
        var chosen = descriptors
        if key.packedB {
            // The layout oneDNN chose for B: what `PackedWeights` reorders into and `execute` passes.
            guard let packed = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0) else { return nil }
            chosen.b = packed.pointee
        }
        var primitive: dnnl_primitive_t?
        guard dnnl_primitive_create(&primitive, pd) == dnnl_success, let primitive else { return nil }
        return Primitive(primitive: primitive, scratchpadBytes: scratchpadBytes, implementation: implementation,
                         descriptors: chosen)
    }

    /// C[M,N] = alpha * op(A) op(B) + beta * C in fp32 (row-major, as `BLAS.sgemm`), on
    /// `threads` OpenMP threads. Returns false where oneDNN has no primitive for it.
    static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                      a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) -> Bool {
        let key = Key(m: m, n: n, k: k, transA: transA, transB: transB, lda: lda, ldb: ldb, ldc: ldc,
                      alpha: alpha, beta: beta, bf16: false)
        return execute(key, a: a, b: b, c: c, threads: threads)
    }

    /// As `sgemm` with A and B already in bfloat16 (fp32 accumulation and output).
    static func gemmBF16(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                         a: UnsafePointer<UInt16>, lda: Int, b: UnsafePointer<UInt16>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) -> Bool {
        let key = Key(m: m, n: n, k: k, transA: transA, transB: transB, lda: lda, ldb: ldb, ldc: ldc,
                      alpha: alpha, beta: beta, bf16: true)
        return execute(key, a: a, b: b, c: c, threads: threads)
    }

    /// C = op(A) op(B) with A and B in bfloat16, fp32 accumulation, C written in bfloat16 (round
    /// to nearest even, the same bits as rounding the fp32 result). False where oneDNN cannot.
    static func gemmBF16(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                         a: UnsafePointer<UInt16>, lda: Int, b: UnsafePointer<UInt16>, ldb: Int,
                         bf16Output c: UnsafeMutablePointer<UInt16>, ldc: Int, threads: Int) -> Bool {
        let key = Key(m: m, n: n, k: k, transA: transA, transB: transB, lda: lda, ldb: ldb, ldc: ldc,
                      alpha: 1, beta: 0, bf16: true, bf16Output: true)
        return execute(key, a: a, b: b, c: c, threads: threads)
    }

    /// A weight matrix B reordered once into the layout a product's primitive prefers (oneDNN's
    /// blocked formats: on AMX and AVX512-BF16 the kernels otherwise repack B on every call), for
    /// products of one shape. `trm bench kernels` measures whether it pays on this CPU.
    public final class PackedWeights: @unchecked Sendable {
        let key: Key
        /// The packed layout's size in bytes (oneDNN's blocked formats may pad).
        public let bytes: Int

        /// Packs B ([K, N], or [N, K] with transB, row stride ldb; fp32 values, or bf16 bits with
        /// `bf16`) for C = A B with A [M, K] row-major. Nil where oneDNN has no primitive for it.
        convenience init?(m: Int, n: Int, k: Int, transB: Bool, b: UnsafeRawPointer, ldb: Int, bf16: Bool) {
            self.init(key: Key(m: m, n: n, k: k, transA: false, transB: transB, lda: k, ldb: ldb, ldc: n,
                               alpha: 1, beta: 0, bf16: bf16, packedB: true), b: b)
        }

        /// Packs B (stored as `key` describes it, plain) for the products of `key` (packedB set).
        init?(key: Key, b: UnsafeRawPointer) {
            var plainKey = key
            plainKey.packedB = false
            guard key.packedB, let engine = OneDNN.engine, let p = OneDNN.primitive(key),
                  var plain = OneDNN.descriptors(plainKey)?.b
            else { return nil }
            var packed = p.descriptors.b
            var source: dnnl_memory_t?, target: dnnl_memory_t?
            guard dnnl_memory_create(&source, &plain, engine.pointer, UnsafeMutableRawPointer(mutating: b)) == dnnl_success,
                  let source else { return nil }
            defer { dnnl_memory_destroy(source) }
            // The packed copy lives in a buffer of the pool (a cache scope per training step packs
            // every weight again: the pool hands back the same pages instead of fresh ones).
            let bytes = dnnl_memory_desc_get_size(&packed)
            let pool = BufferPool.current, floats = max(1, (bytes + 3) / 4)
            let storage = pool.acquire(floats)
            guard dnnl_memory_create(&target, &packed, engine.pointer, UnsafeMutableRawPointer(storage)) == dnnl_success,
                  let target else { pool.release(storage, count: floats); return nil }
            defer { dnnl_memory_destroy(target) }  // the copy itself stays in `storage`
            var reorderPD: dnnl_primitive_desc_t?, reorder: dnnl_primitive_t?, stream: dnnl_stream_t?
            defer {
                if let reorder { dnnl_primitive_destroy(reorder) }
                if let reorderPD { dnnl_primitive_desc_destroy(reorderPD) }
                if let stream { dnnl_stream_destroy(stream) }
            }
            var args = [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: source), dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: target)]
            guard dnnl_reorder_primitive_desc_create(&reorderPD, &plain, engine.pointer, &packed, engine.pointer, nil) == dnnl_success,
                  dnnl_primitive_create(&reorder, reorderPD) == dnnl_success,
                  dnnl_stream_create(&stream, engine.pointer, UInt32(dnnl_stream_default_flags.rawValue)) == dnnl_success,
                  dnnl_primitive_execute(reorder, stream, 2, &args) == dnnl_success,
                  dnnl_stream_wait(stream) == dnnl_success
            else { pool.release(storage, count: floats); return nil }
            self.key = key
            self.bytes = bytes
            (self.pool, self.storage, self.floats) = (pool, storage, floats)
        }

        private let pool: BufferPool
        private let storage: UnsafeMutablePointer<Float>
        private let floats: Int

        deinit { pool.release(storage, count: floats) }

        /// C (as the key describes it: fp32, or bf16 bits with bf16Output) = A (row-major, stride
        /// lda; fp32, or bf16 bits when packed from bf16) times the packed B, with the key's alpha
        /// and beta, on `threads` threads. False where oneDNN refuses.
        func multiply(a: UnsafeRawPointer, c: UnsafeMutableRawPointer, threads: Int) -> Bool {
            OneDNN.execute(key, a: a, b: storage, c: c, threads: threads)
        }

        /// oneDNN's format of the packed layout differs from the plain one (false: "any" chose plain).
        public var isBlocked: Bool {
            guard let p = OneDNN.primitive(key) else { return false }
            var plain = key
            plain.packedB = false
            guard var b = OneDNN.descriptors(plain)?.b else { return true }
            var chosen = p.descriptors.b
            return dnnl_memory_desc_equal(&b, &chosen) == 0
        }
    }

    /// Runs the primitive for `key` (created on first use) on A, B and C; false where oneDNN has none.
    static func execute(_ key: Key, a: UnsafeRawPointer, b: UnsafeRawPointer,
                                c: UnsafeMutableRawPointer, threads: Int) -> Bool {
        guard let engine, let p = primitive(key) else { return false }
        let (a, b) = (UnsafeMutableRawPointer(mutating: a), UnsafeMutableRawPointer(mutating: b))
        var (ad, bd, cd) = (p.descriptors.a, p.descriptors.b, p.descriptors.c)
        var memories: [dnnl_memory_t?] = [nil, nil, nil, nil]
        defer { for m in memories where m != nil { dnnl_memory_destroy(m) } }
        guard dnnl_memory_create(&memories[0], &ad, engine.pointer, a) == dnnl_success,
              dnnl_memory_create(&memories[1], &bd, engine.pointer, b) == dnnl_success,
              dnnl_memory_create(&memories[2], &cd, engine.pointer, c) == dnnl_success
        else { return false }
        var args = [dnnl_exec_arg_t(arg: DNNL_ARG_SRC, memory: memories[0]),
                    dnnl_exec_arg_t(arg: DNNL_ARG_WEIGHTS, memory: memories[1]),
                    dnnl_exec_arg_t(arg: DNNL_ARG_DST, memory: memories[2])]
        // The scratchpad from the buffer pool (64-byte aligned; reused by the next call of this size).
        let pool = BufferPool.current, scratchFloats = (p.scratchpadBytes + 3) / 4
        var scratch: UnsafeMutableRawPointer?
        defer { if let scratch { pool.release(scratch.assumingMemoryBound(to: Float.self), count: scratchFloats) } }
        if p.scratchpadBytes > 0 {
            scratch = UnsafeMutableRawPointer(pool.acquire(scratchFloats))
            guard let md = dnnl_primitive_desc_query_md(primitiveDescriptor(p), dnnl_query_scratchpad_md, 0),
                  dnnl_memory_create(&memories[3], md, engine.pointer, scratch) == dnnl_success
            else { return false }
            args.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: memories[3]))
        }
        var stream: dnnl_stream_t?
        guard dnnl_stream_create(&stream, engine.pointer, UInt32(dnnl_stream_default_flags.rawValue)) == dnnl_success,
              let stream else { return false }
        defer { dnnl_stream_destroy(stream) }
        omp_set_num_threads(Int32(max(1, threads)))
        guard dnnl_primitive_execute(p.primitive, stream, Int32(args.count), &args) == dnnl_success else { return false }
        return dnnl_stream_wait(stream) == dnnl_success
    }

    private static func primitiveDescriptor(_ p: Primitive) -> const_dnnl_primitive_desc_t? {
        var pd: const_dnnl_primitive_desc_t?
        dnnl_primitive_get_primitive_desc(p.primitive, &pd)
        return pd
    }
}
#endif
