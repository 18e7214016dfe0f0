// Breadth-first shortest paths on a maze and the check that an answer marks a shortest S-to-G path.

public enum MazeSolver {
    /// Steps from `source` to every cell through passable cells (4-neighbourhood); -1 if unreachable.
    /// `passable(i)` decides which cells may be entered. [side * side]
    public static func distances(side: Int, from source: Int, passable: (Int) -> Bool) -> [Int] {
        var dist = [Int](repeating: -1, count: side * side)
        guard source >= 0 && source < dist.count else { return dist }
        var queue = [Int](repeating: 0, count: side * side)
        var head = 0, tail = 0
        dist[source] = 0
        queue[tail] = source; tail += 1
        while head < tail {
            let cell = queue[head]; head += 1
            let r = cell / side, c = cell % side, d = dist[cell] + 1
            @inline(__always) func visit(_ n: Int) {
                if dist[n] < 0 && passable(n) { dist[n] = d; queue[tail] = n; tail += 1 }
            }
            if r > 0 { visit(cell - side) }
            if r < side - 1 { visit(cell + side) }
            if c > 0 { visit(cell - 1) }
            if c < side - 1 { visit(cell + 1) }
        }
        return dist
    }

    /// Steps on a shortest S-to-G path, or nil when G cannot be reached.
    public static func shortestPathLength(_ maze: MazeGrid) -> Int? {
        let dist = distances(side: maze.side, from: maze.start) { maze.cells[$0].isPassable }
        let g = maze.goal
        return g >= 0 && dist[g] >= 0 ? dist[g] : nil
    }

    /// How many different shortest S-to-G paths the maze has (0 when G cannot be reached), counted
    /// up to `cap`: a larger count is returned as `cap`. A maze whose count is 1 has exactly one right
    /// answer, so a marked path can be checked against its label, and every dihedral version of it
    /// has one right answer too (a tie-break rule for mazes with several would turn with the maze).
    public static func shortestPathCount(_ maze: MazeGrid, cap: Int = Int.max) -> Int {
        let side = maze.side, n = side * side
        let s = maze.start, g = maze.goal
        guard s >= 0, g >= 0 else { return 0 }
        // Breadth-first from S, adding each cell's count to the neighbours one step farther; a cell's
        // count is complete when it is taken from the queue (every cell one step closer came before).
        var dist = [Int](repeating: -1, count: n), ways = [Int](repeating: 0, count: n)
        var queue = [Int](repeating: 0, count: n)
        var head = 0, tail = 1
        dist[s] = 0; ways[s] = 1; queue[0] = s
        while head < tail {
            let cell = queue[head]; head += 1
            if cell == g { break }
            let r = cell / side, c = cell % side, d = dist[cell] + 1
            @inline(__always) func reach(_ m: Int) {
                guard maze.cells[m].isPassable else { return }
                if dist[m] < 0 { dist[m] = d; queue[tail] = m; tail += 1 }
                if dist[m] == d {
                    let (sum, overflow) = ways[m].addingReportingOverflow(ways[cell])
                    ways[m] = overflow ? cap : min(sum, cap)
                }
            }
            if r > 0 { reach(cell - side) }
            if r < side - 1 { reach(cell + side) }
            if c > 0 { reach(cell - 1) }
            if c < side - 1 { reach(cell + 1) }
        }
        return dist[g] >= 0 ? min(ways[g], cap) : 0
    }

    /// The maze with one shortest path marked `o` (ties broken by a fixed neighbour order: up, down,
    /// left, right from the goal backwards), or nil when G is unreachable.
    public static func solve(_ maze: MazeGrid) -> MazeGrid? {
        MazeTieBreak.generator.answer(maze)
    }

    /// Why `answer` is not a right answer to `question`, or nil when it is: the answer must equal the
    /// question outside the path marks, put marks on open cells only, and its marks together with S
    /// and G must be exactly the cells of a shortest S-to-G path.
    public static func answerProblem(question: MazeGrid, answer: MazeGrid) -> String? {
        guard question.side == answer.side else { return "answer is \(answer.side)x\(answer.side), question \(question.side)x\(question.side)" }
        let side = question.side
        var marks = 0
        for i in 0..<question.cells.count {
            let q = question.cells[i], a = answer.cells[i]
            if q == .path { return "question has a path mark at row \(i / side + 1), column \(i % side + 1)" }
            if a == .path {
                if q != .open { return "path mark on a \(q == .wall ? "wall" : "start/goal") cell at row \(i / side + 1), column \(i % side + 1)" }
                marks += 1
            } else if a != q {
                return "answer changes the cell at row \(i / side + 1), column \(i % side + 1) from '\(q.character)' to '\(a.character)'"
            }
        }
        guard let shortest = shortestPathLength(question) else { return "the goal cannot be reached from the start" }
        // Walk only through marked cells: if G is reached in `shortest` steps and nothing else is
        // marked (marks == shortest - 1), the marks are exactly one shortest path.
        let onPath = distances(side: side, from: answer.start) { answer.cells[$0] != .wall && answer.cells[$0] != .open }
        let reached = onPath[answer.goal]
        if reached < 0 { return "the marked cells do not connect S to G" }
        if reached != shortest { return "the marked path takes \(reached) steps; the shortest takes \(shortest)" }
        if marks != shortest - 1 { return "\(marks) cells are marked; a shortest path marks \(shortest - 1)" }
        return nil
    }
}
