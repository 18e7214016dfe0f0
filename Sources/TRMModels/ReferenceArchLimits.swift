// ReferenceArchLimits: the ranges ReferenceArchConfig.modelConfig accepts for the reference's `arch:`
// fields. They cover every published configuration by a wide margin (hidden 512, 8 heads, H_cycles 3
// with L_cycles 6, 2-4 layers, puzzle_emb_len 16, 16 halting steps, 900 cells, about a million ARC
// puzzle identifiers) and stop a damaged or hostile all_config.yaml from asking for terabytes of
// memory or a forward pass that never ends.
import Foundation

extension ReferenceArchConfig {
    /// Field name (as the reference spells it) -> the integer range accepted.
    public static let integerLimits: [(field: String, range: ClosedRange<Int>)] = [
        ("hidden_size", 1...16384),
        ("num_heads", 1...1024),
        ("H_cycles", 1...256),
        ("L_cycles", 1...256),
        ("H_layers", 0...64),
        ("L_layers", 1...64),
        ("puzzle_emb_ndim", 0...65536),
        ("puzzle_emb_len", 0...1024),
        ("halt_max_steps", 1...1024),
        ("seq_len", 1...16384),
        ("vocab_size", 2...1_048_576),
        ("num_puzzle_identifiers", 1...16_777_216),
    ]

    /// Throws ConfigError.invalid naming the first field outside its range. seqLen, vocabSize and
    /// puzzleIdentifiers are the resolved sizes (from the tensors, the data set or the file).
    func checkLimits(seqLen: Int?, vocabSize: Int?, puzzleIdentifiers: Int?) throws {
        let values: [String: Int?] = [
            "hidden_size": hidden_size, "num_heads": num_heads, "H_cycles": H_cycles, "L_cycles": L_cycles,
            "H_layers": H_layers, "L_layers": L_layers, "puzzle_emb_ndim": puzzle_emb_ndim, "puzzle_emb_len": puzzle_emb_len,
            "halt_max_steps": halt_max_steps, "seq_len": seqLen, "vocab_size": vocabSize, "num_puzzle_identifiers": puzzleIdentifiers,
        ]
        for (field, range) in Self.integerLimits {
            guard let value = values[field] ?? nil else { continue }
            guard range.contains(value) else {
                throw ConfigError.invalid(field: "arch.\(field) \(value) is outside \(range.lowerBound)...\(range.upperBound), "
                    + "the range this importer accepts; check the value in all_config.yaml")
            }
        }
        func real(_ field: String, _ value: Double?, _ ok: (Double) -> Bool, _ range: String) throws {
            guard let value else { return }
            guard value.isFinite, ok(value) else {
                throw ConfigError.invalid(field: "arch.\(field) \(value) is outside \(range); check the value in all_config.yaml")
            }
        }
        try real("expansion", expansion, { $0 > 0 && $0 <= 64 }, "(0, 64]")
        try real("halt_exploration_prob", halt_exploration_prob, { $0 >= 0 && $0 <= 1 }, "[0, 1]")
        try real("rope_theta", rope_theta, { $0 > 0 }, "(0, infinity)")
        try real("rms_norm_eps", rms_norm_eps, { $0 > 0 && $0 < 1 }, "(0, 1)")
    }
}
