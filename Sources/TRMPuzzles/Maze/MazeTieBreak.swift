// Which shortest path a maze label marks. A maze may have many shortest S-to-G paths; a data set's
// labels pick one by a rule: walk from one end to the other, each step to a neighbour one step
// closer, trying the four directions in a fixed order. Maze-Hard's labels all follow "from S: down,
// left, right, up"; our generator's follow "back from G: up, down, left, right". Such a rule is tied
// to the maze's orientation: rotate a maze and its label, and the rotated label may not be what the
// rule gives for the rotated maze. The sample stream therefore relabels each rotated or mirrored copy
// with the data's own rule (found by `detect`), so every maze the model sees has one label.

public enum MazeDirection: Int, CaseIterable, Sendable {
    case up, down, left, right

    public var name: String {
        switch self {
        case .up: return "up"
        case .down: return "down"
        case .left: return "left"
        case .right: return "right"
        }
    }
}

public struct MazeTieBreak: Sendable, Hashable, CustomStringConvertible {
    /// Walk from S towards G (true) or back from G towards S (false).
    public var fromStart: Bool
    /// The order neighbours are tried in: a permutation of the four directions.
    public var order: [MazeDirection]

    public init(fromStart: Bool, order: [MazeDirection]) {
        precondition(Set(order).count == 4 && order.count == 4, "a tie-break order names each direction once")
        self.fromStart = fromStart
        self.order = order
    }

    /// `trm data generate maze` (MazeSolver.solve): back from G, up, down, left, right.
    public static let generator = MazeTieBreak(fromStart: false, order: [.up, .down, .left, .right])
    /// Maze-Hard (all 1,800 of its train and test mazes): from S, down, left, right, up.
    public static let mazeHard = MazeTieBreak(fromStart: true, order: [.down, .left, .right, .up])

    /// All 48 rules (2 ends x 24 orders), the two above first.
    public static let all: [MazeTieBreak] = {
        var rules = [generator, mazeHard]
        func permutations(_ items: [MazeDirection]) -> [[MazeDirection]] {
            guard items.count > 1 else { return [items] }
            return items.indices.flatMap { i -> [[MazeDirection]] in
                var rest = items
                let first = rest.remove(at: i)
                return permutations(rest).map { [first] + $0 }
            }
        }
        for fromStart in [true, false] {
            for order in permutations(MazeDirection.allCases) {
                let rule = MazeTieBreak(fromStart: fromStart, order: order)
                if !rules.contains(rule) { rules.append(rule) }
            }
        }
        return rules
    }()

    public var description: String {
        (fromStart ? "from S: " : "back from G: ") + order.map(\.name).joined(separator: ", ")
    }

    /// The maze with the path this rule picks marked `o` (any marks in `maze` are dropped), or nil
    /// when S or G is missing or G cannot be reached.
    public func answer(_ maze: MazeGrid) -> MazeGrid? {
        var tokens = maze.withoutPath.tokens
        let input = tokens
        let found = input.withUnsafeBufferPointer { i in
            tokens.withUnsafeMutableBufferPointer { relabel(input: i.baseAddress!, side: maze.side, into: $0.baseAddress!) }
        }
        return found ? MazeGrid(tokens: tokens) : nil
    }

    /// Writes into `label` (side * side tokens) the maze `input` with the path this rule picks marked
    /// (token 5), working on data tokens (1 wall, 2 open, 3 S, 4 G; 0 and 1 are not passable, other
    /// marks count as open): what the training stream calls for every turned copy, without building
    /// grids. Returns false, leaving `label` as it was, when S or G is missing or G cannot be reached.
    public func relabel(input: UnsafePointer<Int32>, side: Int, into label: UnsafeMutablePointer<Int32>) -> Bool {
        let n = side * side
        var s = -1, g = -1
        for i in 0..<n {
            if input[i] == 3 { s = i } else if input[i] == 4 { g = i }
        }
        guard s >= 0, g >= 0 else { return false }
        let (from, to) = fromStart ? (s, g) : (g, s)
        // Distances to the end the walk heads for; the walk steps down them one at a time.
        var dist = [Int32](repeating: -1, count: n)
        var queue = [Int32](repeating: 0, count: n)
        return dist.withUnsafeMutableBufferPointer { dist in
            queue.withUnsafeMutableBufferPointer { queue in
                var head = 0, tail = 1
                dist[to] = 0
                queue[0] = Int32(to)
                while head < tail {
                    let cell = Int(queue[head]); head += 1
                    let r = cell / side, c = cell % side, d = dist[cell] + 1
                    @inline(__always) func visit(_ m: Int) {
                        if dist[m] < 0 && input[m] > 1 { dist[m] = d; queue[tail] = Int32(m); tail += 1 }
                    }
                    if r > 0 { visit(cell - side) }
                    if r < side - 1 { visit(cell + side) }
                    if c > 0 { visit(cell - 1) }
                    if c < side - 1 { visit(cell + 1) }
                }
                guard dist[from] >= 0 else { return false }
                for i in 0..<n { label[i] = input[i] == 5 ? 2 : input[i] }
                var cell = from
                while dist[cell] > 0 {
                    let r = cell / side, c = cell % side
                    var next = -1
                    for direction in order {
                        let m: Int
                        switch direction {
                        case .up: m = r > 0 ? cell - side : -1
                        case .down: m = r < side - 1 ? cell + side : -1
                        case .left: m = c > 0 ? cell - 1 : -1
                        case .right: m = c < side - 1 ? cell + 1 : -1
                        }
                        if m >= 0 && dist[m] == dist[cell] - 1 { next = m; break }
                    }
                    cell = next
                    if dist[cell] > 0 { label[cell] = 5 }
                }
                return true
            }
        }
    }

    /// The rule `dataset`'s maze labels follow, judged on its first `rows` mazes with several shortest
    /// paths (the others fit every rule; the scan goes on past them, so a set that starts with
    /// one-path mazes is judged by the rest): `generator` or `mazeHard` when they fit, else the first of
    /// `all` that does. Nil when no maze has several shortest paths (nothing to relabel) or when no
    /// rule gives every checked label (some other choice).
    public static func detect(_ dataset: PuzzleDataset, rows: Int = 256) -> MazeTieBreak? {
        guard dataset.kind == .maze else { return nil }
        var candidates = all
        var checked = 0
        for i in 0..<dataset.count where checked < rows {
            guard let question = MazeGrid(tokens: Array(dataset.input(i))),
                  MazeSolver.shortestPathCount(question, cap: 2) > 1 else { continue }
            let label = Array(dataset.label(i))
            candidates.removeAll { $0.answer(question)?.tokens != label }
            checked += 1
            if candidates.isEmpty { return nil }
        }
        return checked > 0 ? candidates.first : nil
    }
}
