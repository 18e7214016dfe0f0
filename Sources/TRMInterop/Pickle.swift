// Pickle: the subset of Python's pickle protocol 2 that `torch.save` uses for a state dict
// (dicts, tuples, lists, ints, floats, strings, globals, REDUCE, BUILD, persistent ids), read into a
// small value tree without running anything, and a writer for the same subset. An opcode outside
// the subset is an error naming it and its offset; nothing is ever executed.
import Foundation

/// A decoded pickle object. Calls (`GLOBAL` + `REDUCE`) are kept as data for the caller to interpret.
public indirect enum PickleValue: Sendable, Equatable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list([PickleValue])
    /// Key/value pairs in insertion order (an OrderedDict keeps the same order).
    case dict([(PickleValue, PickleValue)])
    /// `module.name`, as pushed by GLOBAL.
    case global(module: String, name: String)
    /// `callable(*args)` as pushed by REDUCE; `state` is what a later BUILD set on it.
    case call(callable: PickleValue, args: [PickleValue], state: PickleValue?)
    /// The argument of a persistent-id load (torch: a storage reference).
    case persistent(PickleValue)

    public static func == (a: PickleValue, b: PickleValue) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.float(x), .float(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.bytes(x), .bytes(y)): return x == y
        case let (.tuple(x), .tuple(y)), let (.list(x), .list(y)): return x == y
        case let (.dict(x), .dict(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.global(m1, n1), .global(m2, n2)): return m1 == m2 && n1 == n2
        case let (.call(c1, a1, s1), .call(c2, a2, s2)): return c1 == c2 && a1 == a2 && s1 == s2
        case let (.persistent(x), .persistent(y)): return x == y
        default: return false
        }
    }

    public var stringValue: String? { if case let .string(s) = self { return s }; return nil }
    public var intValue: Int? {
        switch self {
        case let .int(i): return i
        case let .bool(b): return b ? 1 : 0
        default: return nil
        }
    }
    /// The elements of a tuple or list.
    public var elements: [PickleValue]? {
        switch self {
        case let .tuple(e), let .list(e): return e
        default: return nil
        }
    }
}

/// Reads a pickle byte stream. `file` names the source in errors.
public struct PickleReader {
    let bytes: [UInt8]
    let file: String
    var pos = 0
    /// Nesting and size limits so that hostile input cannot exhaust memory.
    static let maximumStackDepth = 1_000_000

    public init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    private enum Item { case value(PickleValue), mark }

    func fail(_ why: String, at offset: Int) -> InteropError {
        InteropError(file: file, problem: "pickle byte \(offset): \(why)")
    }

    mutating func take(_ n: Int, at op: Int) throws(InteropError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= bytes.count - pos else {
            throw fail("truncated (needs \(n) more bytes, \(bytes.count - pos) left)", at: op)
        }
        defer { pos += n }
        return bytes[pos..<(pos + n)]
    }

    mutating func uint(_ n: Int, at op: Int) throws(InteropError) -> UInt64 {
        let s = try take(n, at: op)
        var v: UInt64 = 0
        for (i, b) in s.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }

    mutating func line(at op: Int) throws(InteropError) -> String {
        guard let end = bytes[pos...].firstIndex(of: 0x0A) else { throw fail("unterminated text argument", at: op) }
        let s = String(decoding: bytes[pos..<end], as: UTF8.self)
        pos = end + 1
        return s
    }

    /// Decodes the whole stream up to STOP.
    public mutating func read() throws(InteropError) -> PickleValue {
        var stack: [Item] = []
        var memo: [Int: PickleValue] = [:]

        func pop(_ op: Int) throws(InteropError) -> PickleValue {
            guard let last = stack.popLast() else { throw fail("stack underflow", at: op) }
            guard case let .value(v) = last else { throw fail("unexpected mark", at: op) }
            return v
        }
        func popToMark(_ op: Int) throws(InteropError) -> [PickleValue] {
            var items: [PickleValue] = []
            while let last = stack.popLast() {
                switch last {
                case .mark: return items.reversed()
                case let .value(v): items.append(v)
                }
            }
            throw fail("no mark on the stack", at: op)
        }
        func push(_ v: PickleValue, _ op: Int) throws(InteropError) {
            guard stack.count < Self.maximumStackDepth else { throw fail("stack too deep", at: op) }
            stack.append(.value(v))
        }
        func setItems(_ target: PickleValue, _ pairs: [PickleValue], _ op: Int) throws(InteropError) -> PickleValue {
            guard pairs.count % 2 == 0 else { throw fail("odd number of dict items", at: op) }
            var items: [(PickleValue, PickleValue)]
            switch target {
            case let .dict(d): items = d
            case let .call(callable, args, _) where callable == .global(module: "collections", name: "OrderedDict"):
                guard args.isEmpty else { throw fail("OrderedDict called with arguments", at: op) }
                items = []
            default: throw fail("SETITEM(S) on a value that is not a dict", at: op)
            }
            for i in stride(from: 0, to: pairs.count, by: 2) {
                if let k = items.firstIndex(where: { $0.0 == pairs[i] }) { items[k].1 = pairs[i + 1] } else {
                    items.append((pairs[i], pairs[i + 1]))
                }
            }
            return .dict(items)
        }
        func peek(_ op: Int) throws(InteropError) -> PickleValue {
            guard let last = stack.last, case let .value(v) = last else { throw fail("nothing to memoize", at: op) }
            return v
        }
        func memoKey(_ v: UInt64, _ op: Int) throws(InteropError) -> Int {
            guard v < UInt64(Int32.max) else { throw fail("memo index \(v) out of range", at: op) }
            return Int(v)
        }

        while true {
            let op = pos
            guard pos < bytes.count else { throw fail("truncated: no STOP opcode", at: op) }
            let code = bytes[pos]
            pos += 1
            switch code {
            case 0x80: // PROTO
                let v = try uint(1, at: op)
                guard v <= 5 else { throw fail("unsupported pickle protocol \(v)", at: op) }
            case 0x2E: // STOP
                let v = try pop(op)
                return v
            case 0x28: stack.append(.mark) // MARK
            case 0x7D: try push(.dict([]), op) // EMPTY_DICT
            case 0x5D: try push(.list([]), op) // EMPTY_LIST
            case 0x29: try push(.tuple([]), op) // EMPTY_TUPLE
            case 0x4E: try push(.none, op) // NONE
            case 0x88: try push(.bool(true), op) // NEWTRUE
            case 0x89: try push(.bool(false), op) // NEWFALSE
            case 0x4B: try push(.int(Int(try uint(1, at: op))), op) // BININT1
            case 0x4D: try push(.int(Int(try uint(2, at: op))), op) // BININT2
            case 0x4A: try push(.int(Int(Int32(truncatingIfNeeded: try uint(4, at: op)))), op) // BININT
            case 0x8A: // LONG1
                let n = Int(try uint(1, at: op))
                let s = try take(n, at: op)
                guard n <= 8 else { throw fail("integer of \(n) bytes is too large", at: op) }
                var v: UInt64 = 0
                for (i, b) in s.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
                if n > 0, n < 8, s.last! & 0x80 != 0 { v |= ~0 << (8 * UInt64(n)) }  // sign-extend
                try push(.int(Int(Int64(bitPattern: v))), op)
            case 0x49: // INT (text)
                let text = try line(at: op)
                if text == "00" { try push(.bool(false), op) } else if text == "01" { try push(.bool(true), op) } else {
                    guard let v = Int(text) else { throw fail("bad INT argument '\(text)'", at: op) }
                    try push(.int(v), op)
                }
            case 0x47: // BINFLOAT (big-endian double)
                let s = try take(8, at: op)
                var v: UInt64 = 0
                for b in s { v = v << 8 | UInt64(b) }
                try push(.float(Double(bitPattern: v)), op)
            case 0x58: // BINUNICODE
                let n = Int(try uint(4, at: op))
                try push(.string(String(decoding: try take(n, at: op), as: UTF8.self)), op)
            case 0x8C: // SHORT_BINUNICODE
                let n = Int(try uint(1, at: op))
                try push(.string(String(decoding: try take(n, at: op), as: UTF8.self)), op)
            case 0x55: // SHORT_BINSTRING
                let n = Int(try uint(1, at: op))
                try push(.string(String(decoding: try take(n, at: op), as: UTF8.self)), op)
            case 0x54: // BINSTRING
                let n = Int(try uint(4, at: op))
                try push(.string(String(decoding: try take(n, at: op), as: UTF8.self)), op)
            case 0x43: // SHORT_BINBYTES
                let n = Int(try uint(1, at: op))
                try push(.bytes(Array(try take(n, at: op))), op)
            case 0x42: // BINBYTES
                let n = Int(try uint(4, at: op))
                try push(.bytes(Array(try take(n, at: op))), op)
            case 0x63: // GLOBAL "module\nname\n"
                let module = try line(at: op), name = try line(at: op)
                try push(.global(module: module, name: name), op)
            case 0x71: memo[Int(try uint(1, at: op))] = try peek(op) // BINPUT
            case 0x72: memo[try memoKey(try uint(4, at: op), op)] = try peek(op) // LONG_BINPUT
            case 0x94: memo[memo.count] = try peek(op) // MEMOIZE
            case 0x68, 0x6A: // BINGET, LONG_BINGET
                let k = code == 0x68 ? Int(try uint(1, at: op)) : try memoKey(try uint(4, at: op), op)
                guard let v = memo[k] else { throw fail("memo entry \(k) is not defined", at: op) }
                try push(v, op)
            case 0x74: try push(.tuple(try popToMark(op)), op) // TUPLE
            case 0x85: try push(.tuple([try pop(op)]), op) // TUPLE1
            case 0x86: let b = try pop(op); let a = try pop(op); try push(.tuple([a, b]), op) // TUPLE2
            case 0x87: // TUPLE3
                let c = try pop(op); let b = try pop(op); let a = try pop(op)
                try push(.tuple([a, b, c]), op)
            case 0x6C: try push(.list(try popToMark(op)), op) // LIST
            case 0x64: // DICT
                let items = try popToMark(op)
                try push(try setItems(.dict([]), items, op), op)
            case 0x61: // APPEND
                let v = try pop(op)
                guard case let .list(l) = try pop(op) else { throw fail("APPEND to a value that is not a list", at: op) }
                try push(.list(l + [v]), op)
            case 0x65: // APPENDS
                let items = try popToMark(op)
                guard case let .list(l) = try pop(op) else { throw fail("APPENDS to a value that is not a list", at: op) }
                try push(.list(l + items), op)
            case 0x73: // SETITEM
                let v = try pop(op); let k = try pop(op)
                let target = try pop(op)
                try push(try setItems(target, [k, v], op), op)
            case 0x75: // SETITEMS
                let items = try popToMark(op)
                let target = try pop(op)
                try push(try setItems(target, items, op), op)
            case 0x52: // REDUCE
                let args = try pop(op), callable = try pop(op)
                guard let a = args.elements else { throw fail("REDUCE arguments are not a tuple", at: op) }
                try push(.call(callable: callable, args: a, state: nil), op)
            case 0x81: // NEWOBJ
                let args = try pop(op), cls = try pop(op)
                guard let a = args.elements else { throw fail("NEWOBJ arguments are not a tuple", at: op) }
                try push(.call(callable: cls, args: a, state: nil), op)
            case 0x62: // BUILD
                let state = try pop(op), target = try pop(op)
                switch target {
                case let .call(c, a, _): try push(.call(callable: c, args: a, state: state), op)
                case .dict:
                    // torch sets `_metadata` on the state dict this way; the tensors are unaffected.
                    try push(target, op)
                default: throw fail("BUILD on a value that is not an object", at: op)
                }
            case 0x51: try push(.persistent(try pop(op)), op) // BINPERSID
            case 0x30: _ = try pop(op) // POP
            case 0x32: try push(try peek(op), op) // DUP
            default:
                throw fail(String(format: "unsupported pickle opcode 0x%02X", code), at: op)
            }
        }

    }
}

/// Writes protocol-2 pickles of the same subset (what `torch.load` needs for a state dict).
public struct PickleWriter {
    public private(set) var bytes: [UInt8] = [0x80, 2]
    /// GLOBALs already written, memoized so each is spelled once like Python does.
    private var globals: [String: Int] = [:]
    private var memoCount = 0

    public init() {}

    mutating func memoize() {
        if memoCount < 256 { bytes += [0x71, UInt8(memoCount)] } else { bytes.append(0x72); le(UInt64(memoCount), 4) }
        memoCount += 1
    }

    mutating func le(_ v: UInt64, _ n: Int) { for i in 0..<n { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }

    public mutating func write(_ v: PickleValue) {
        switch v {
        case .none: bytes.append(0x4E)
        case let .bool(b): bytes.append(b ? 0x88 : 0x89)
        case let .int(i):
            if i >= 0 && i < 256 { bytes.append(0x4B); le(UInt64(i), 1) } else if i >= 0 && i < 65536 {
                bytes.append(0x4D); le(UInt64(i), 2)
            } else if i >= Int(Int32.min) && i <= Int(Int32.max) {
                bytes.append(0x4A); le(UInt64(UInt32(bitPattern: Int32(i))), 4)
            } else {
                bytes += [0x8A, 8]; le(UInt64(bitPattern: Int64(i)), 8)
            }
        case let .float(d):
            bytes.append(0x47)
            let bits = d.bitPattern
            for i in (0..<8).reversed() { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
        case let .string(s):
            let u = Array(s.utf8)
            bytes.append(0x58); le(UInt64(u.count), 4); bytes += u
            memoize()
        case let .bytes(b):
            bytes.append(0x42); le(UInt64(b.count), 4); bytes += b
        case let .tuple(items):
            switch items.count {
            case 0: bytes.append(0x29)
            case 1: write(items[0]); bytes.append(0x85)
            case 2: write(items[0]); write(items[1]); bytes.append(0x86)
            case 3: items.forEach { write($0) }; bytes.append(0x87)
            default: bytes.append(0x28); items.forEach { write($0) }; bytes.append(0x74)
            }
        case let .list(items):
            bytes.append(0x5D)
            if !items.isEmpty { bytes.append(0x28); items.forEach { write($0) }; bytes.append(0x65) }
        case let .dict(pairs):
            bytes.append(0x7D)
            memoize()
            if !pairs.isEmpty {
                bytes.append(0x28)
                for (k, v) in pairs { write(k); write(v) }
                bytes.append(0x75)
            }
        case let .global(module, name):
            let key = module + "\n" + name
            if let m = globals[key] {
                if m < 256 { bytes += [0x68, UInt8(m)] } else { bytes.append(0x6A); le(UInt64(m), 4) }
            } else {
                bytes.append(0x63); bytes += Array("\(module)\n\(name)\n".utf8)
                globals[key] = memoCount
                memoize()
            }
        case let .call(callable, args, state):
            write(callable)
            write(.tuple(args))
            bytes.append(0x52)
            if let state { write(state); bytes.append(0x62) }
        case let .persistent(pid):
            write(pid)
            bytes.append(0x51)
        }
    }

    /// The finished stream: `value` followed by STOP.
    public static func serialize(_ value: PickleValue) -> [UInt8] {
        var w = PickleWriter()
        w.write(value)
        w.bytes.append(0x2E)
        return w.bytes
    }
}
