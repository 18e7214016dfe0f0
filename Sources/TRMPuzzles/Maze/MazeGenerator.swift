// Generating hard mazes: random walls at a given density, a random start, and a goal drawn among the
// cells whose shortest path from the start covers at least `minPathCells` cells (redrawn otherwise).
// This matches the look of the Maze-Hard set (about 37% walls; shortest paths of at least 110 cells
// counting S and G, i.e. at least 109 steps; the files' `rating` column is the step count).

public struct MazeGeneratorOptions: Sendable, Equatable {
    public var side: Int
    /// Probability that a cell is a wall.
    public var wallDensity: Double
    /// Minimum cells on the shortest S-to-G path, S and G included (= steps + 1; Maze-Hard: 110).
    public var minPathCells: Int
    /// Random mazes to try before giving up.
    public var maxAttempts: Int
    /// Keep only mazes with exactly one shortest S-to-G path (MazeSolver.shortestPathCount), so the
    /// answer is the only right one and stays so under the dihedral augmentation. Random-wall mazes
    /// usually have several (about 89% of 8x8 ones with 16+ path cells; every Maze-Hard maze has
    /// thousands to millions), and a label that picks one by a fixed tie-break rule is a different rule
    /// in each rotated or mirrored version. The draws are the same as without it: with the same seed,
    /// its mazes are the unique-path ones among the mazes drawn without it, in order.
    public var uniqueShortestPath: Bool

    /// `minPathCells` nil: `defaultMinPathCells(side:)`.
    public init(side: Int = 30, wallDensity: Double = 0.37, minPathCells: Int? = nil, maxAttempts: Int = 10_000,
                uniqueShortestPath: Bool = false) {
        self.side = side
        self.wallDensity = wallDensity
        self.minPathCells = minPathCells ?? Self.defaultMinPathCells(side: side)
        self.maxAttempts = maxAttempts
        self.uniqueShortestPath = uniqueShortestPath
    }

    /// Maze-Hard's rule at its size (110 cells at 30x30); twice the side at any other size (16 at
    /// 8x8, 20 at 10x10, 30 at 15x15: the rule of this repository's smaller maze sets). Maze-Hard's
    /// ratio, about 3.7 x side, is rare enough at small sides that 10,000 draws find none (8x8: 29
    /// cells of about 40 open ones).
    public static func defaultMinPathCells(side: Int) -> Int { side == 30 ? 110 : 2 * side }
}

public enum MazeGenerator {
    /// A maze with its shortest-path answer. Rating = path steps.
    public static func generate(_ options: MazeGeneratorOptions,
                                using rng: inout DeterministicRandom) throws(DataError) -> MazeRecord {
        let side = options.side
        guard side >= 2 && side <= 256 else { throw .invalidArgument("maze side \(side) is outside 2...256") }
        guard options.wallDensity >= 0 && options.wallDensity < 1 else {
            throw .invalidArgument("wall density \(options.wallDensity) is outside [0, 1)")
        }
        for _ in 0..<max(1, options.maxAttempts) {
            var cells = (0..<(side * side)).map { _ in rng.unit() < options.wallDensity ? MazeCell.wall : .open }
            let openCells = cells.indices.filter { cells[$0] == .open }
            guard openCells.count >= 2 else { continue }
            let s = openCells[rng.below(openCells.count)]
            let dist = MazeSolver.distances(side: side, from: s) { cells[$0] == .open }
            let far = openCells.filter { dist[$0] + 1 >= max(2, options.minPathCells) }
            guard !far.isEmpty else { continue }
            let g = far[rng.below(far.count)]
            cells[s] = .start
            cells[g] = .goal
            let question = MazeGrid(side: side, cells: cells)
            if options.uniqueShortestPath && MazeSolver.shortestPathCount(question, cap: 2) != 1 { continue }
            guard let answer = MazeSolver.solve(question) else { continue }
            return MazeRecord(question: question, answer: answer, rating: dist[g])
        }
        let unique = options.uniqueShortestPath ? " and exactly one shortest path" : ""
        throw .invalidArgument("no \(side)x\(side) maze with a shortest path of \(options.minPathCells)+ cells\(unique) in \(options.maxAttempts) attempts; lower --min-path-cells or change --wall-density")
    }
}
