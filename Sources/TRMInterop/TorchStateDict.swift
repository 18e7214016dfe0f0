// TorchStateDict: the tensors of a `torch.save(model.state_dict())` file. Each value in the pickled
// dict is `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)` whose storage is a
// persistent id `("storage", torch.<Type>Storage, key, location, numel)` naming `data/<key>`.
// Tensors come out contiguous (row-major) as SafeTensorEntry values with their original dtype.
import Foundation
import TRMNN

public enum TorchStateDict {
    /// torch storage class -> (our dtype, bytes per element).
    static let storageTypes: [String: SafeTensorDType] = [
        "FloatStorage": .f32, "BFloat16Storage": .bf16, "HalfStorage": .f16, "DoubleStorage": .f64,
        "IntStorage": .i32, "LongStorage": .i64,
    ]
    static let storageNames: [SafeTensorDType: String] = Dictionary(uniqueKeysWithValues: storageTypes.map { ($1, $0) })

    /// Reads the checkpoint at `url`: name -> tensor, in the file's order.
    public static func read(contentsOf url: URL) throws(InteropError) -> [(String, SafeTensorEntry)] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw InteropError(file: url.path, problem: "cannot read (\(error.localizedDescription))")
        }
        return try read(data: data, file: url.path)
    }

    /// Reads a checkpoint held in memory. `file` names it in errors.
    public static func read(data: Data, file: String) throws(InteropError) -> [(String, SafeTensorEntry)] {
        let archive = try TorchArchive(data: data, file: file)
        let where_ = "\(file) (\(archive.prefix)data.pkl)"
        guard let pkl = archive.records["data.pkl"] else { throw InteropError(file: file, problem: "no data.pkl") }
        var reader = PickleReader(bytes: Array(pkl), file: where_)
        let root = try reader.read()
        guard case let .dict(pairs) = unwrapOrderedDict(root) else {
            throw InteropError(file: where_, problem: "the pickled object is not a dict of tensors (a state dict)")
        }
        var out: [(String, SafeTensorEntry)] = []
        var seen = Set<String>()
        for (k, v) in pairs {
            guard let name = k.stringValue else { throw InteropError(file: where_, problem: "a state-dict key is not a string") }
            guard seen.insert(name).inserted else { throw InteropError(file: where_, problem: "tensor '\(name)' appears twice") }
            out.append((name, try tensor(v, name: name, archive: archive, file: file)))
        }
        return out
    }

    static func unwrapOrderedDict(_ v: PickleValue) -> PickleValue {
        if case let .call(c, args, _) = v, c == .global(module: "collections", name: "OrderedDict"), args.isEmpty { return .dict([]) }
        return v
    }

    /// Decodes one `_rebuild_tensor_v2` call and copies its elements out in row-major order.
    static func tensor(_ v: PickleValue, name: String, archive: TorchArchive, file: String) throws(InteropError) -> SafeTensorEntry {
        func bad(_ why: String) -> InteropError { InteropError(file: file, problem: "tensor '\(name)': \(why)") }
        guard case let .call(callable, args, _) = v, case let .global(module, function) = callable else {
            throw bad("not a tensor")
        }
        if module == "torch._utils" && function == "_rebuild_parameter", let inner = args.first {
            return try tensor(inner, name: name, archive: archive, file: file)
        }
        guard module == "torch._utils" && function == "_rebuild_tensor_v2" else {
            throw bad("built by \(module).\(function), not torch._utils._rebuild_tensor_v2 (only dense CPU tensors are supported)")
        }
        guard args.count >= 4, case let .persistent(pid) = args[0], let p = pid.elements, p.count >= 5,
              p[0].stringValue == "storage", case let .global(_, storageClass) = p[1], let key = p[2].stringValue,
              let numel = p[4].intValue, let offset = args[1].intValue,
              let sizeItems = args[2].elements, let strideItems = args[3].elements else {
            throw bad("malformed tensor record")
        }
        guard let dtype = storageTypes[storageClass] else {
            throw bad("unsupported storage dtype \(storageClass) (supported: \(storageTypes.keys.sorted().joined(separator: ", ")))")
        }
        let shape = sizeItems.compactMap(\.intValue), strides = strideItems.compactMap(\.intValue)
        guard shape.count == sizeItems.count, strides.count == strideItems.count, shape.count == strides.count,
              shape.allSatisfy({ $0 >= 0 && $0 < 1 << 40 }), strides.allSatisfy({ $0 >= 0 && $0 < 1 << 40 }),
              offset >= 0, numel >= 0 else {
            throw bad("bad size \(shape), stride \(strides) or offset \(offset)")
        }
        let (count, overflow) = shape.reduce((1, false)) { acc, d in
            let (m, o) = acc.0.multipliedReportingOverflow(by: d); return (m, acc.1 || o)
        }
        guard !overflow, count < 1 << 40 else { throw bad("size \(shape) is too large") }
        guard let storage = archive.records["data/\(key)"] else {
            throw bad("its storage data/\(key) is missing from the archive")
        }
        // Every product and sum below comes from the file, so each is overflow-checked: a hostile
        // record must be refused, not trap.
        let width = dtype.byteSize
        let (storageBytes, bytesOverflow) = numel.multipliedReportingOverflow(by: width)
        guard !bytesOverflow, storage.count >= storageBytes else {
            throw bad("storage data/\(key) holds \(storage.count) bytes, fewer than its \(numel) \(storageClass) elements")
        }
        // A view never has more elements than its storage in a state dict (torch.save keeps the
        // view; only expand()ed tensors would, and those are not parameters). This also bounds the
        // output buffer by bytes actually present in the archive.
        guard count <= numel else {
            throw bad("view of size \(shape) has \(count) elements, more than its storage's \(numel) "
                + "(expanded tensors are not supported; save a .contiguous() copy)")
        }
        // Largest element index the view touches must lie inside the storage.
        if count > 0 {
            var last = offset, overflow = false
            for (size, step) in zip(shape, strides) {
                let (span, o1) = (size - 1).multipliedReportingOverflow(by: step)
                let (sum, o2) = last.addingReportingOverflow(span)
                last = sum
                overflow = overflow || o1 || o2
            }
            guard !overflow, last < numel else {
                throw bad("view (offset \(offset), size \(shape), stride \(strides)) runs past its storage of \(numel) elements")
            }
        }
        // From here count * width <= storage.count and every index below is < numel: no overflow.
        var out = Data(count: count * width)
        storage.withUnsafeBytes { (src: UnsafeRawBufferPointer) in
            out.withUnsafeMutableBytes { (dst: UnsafeMutableRawBufferPointer) in
                guard count > 0 else { return }
                var index = [Int](repeating: 0, count: shape.count)
                var source = offset
                for i in 0..<count {
                    (dst.baseAddress! + i * width).copyMemory(from: src.baseAddress! + source * width, byteCount: width)
                    // Advance the multi-index (last axis fastest).
                    var axis = shape.count - 1
                    while axis >= 0 {
                        index[axis] += 1
                        source += strides[axis]
                        if index[axis] < shape[axis] { break }
                        source -= strides[axis] * shape[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        return SafeTensorEntry(dtype: dtype, shape: shape, data: out)
    }

    /// A `torch.save` archive of `tensors` (contiguous, as given) that `torch.load` reads back as a
    /// dict of CPU tensors. `archiveName` is the folder inside the zip (torch uses the file's name).
    public static func serialize(_ tensors: [(String, SafeTensorEntry)], archiveName: String) throws -> Data {
        var records: [String: Data] = [:]
        var pairs: [(PickleValue, PickleValue)] = []
        for (i, (name, t)) in tensors.enumerated() {
            guard let storageClass = storageNames[t.dtype] else {
                throw InteropError(file: archiveName, problem: "tensor '\(name)': dtype \(t.dtype.rawValue) has no torch storage type here")
            }
            let key = String(i)
            records["data/\(key)"] = t.data
            var strides = [Int](repeating: 1, count: t.shape.count)
            for a in stride(from: t.shape.count - 2, through: 0, by: -1) { strides[a] = strides[a + 1] * t.shape[a + 1] }
            let storage = PickleValue.persistent(.tuple([
                .string("storage"), .global(module: "torch", name: storageClass), .string(key), .string("cpu"), .int(t.elementCount),
            ]))
            let value = PickleValue.call(callable: .global(module: "torch._utils", name: "_rebuild_tensor_v2"), args: [
                storage, .int(0), .tuple(t.shape.map { .int($0) }), .tuple(strides.map { .int($0) }), .bool(false),
                .call(callable: .global(module: "collections", name: "OrderedDict"), args: [], state: nil),
            ], state: nil)
            pairs.append((.string(name), value))
        }
        records["data.pkl"] = Data(PickleWriter.serialize(.dict(pairs)))
        records["byteorder"] = Data("little".utf8)
        records["version"] = Data("3\n".utf8)
        records[".format_version"] = Data("1".utf8)
        return try TorchArchive(prefix: archiveName + "/", records: records).serialized()
    }
}
