// ReferenceCheckpoint: a reference training run's checkpoint (`step_N`, a torch.save zip, or a
// safetensors file with reference names) plus its `all_config.yaml` -> our model. The architecture
// comes from the YAML's `arch:` section; vocabulary, puzzle-identifier count (and, for the MLP
// token mixer, the sequence length) from the tensor shapes. Every tensor must be present, none may
// be left over, and every shape must match what the YAML implies.
import Foundation
import TRMModels
import TRMNN
import TRMTensor

public struct ImportedModel: Sendable {
    public var run: RunConfig
    public var model: ReasoningModel
    /// The checkpoint and config read.
    public var checkpoint: String
    public var config: String
    /// The dtypes found, e.g. ["F32": 20, "BF16": 2].
    public var dtypes: [String: Int]
    /// Facts worth telling the user (where the sequence length came from, precision...).
    public var notes: [String]
    /// The training step, from a checkpoint named `step_N` (nil for other names).
    public var step: Int? {
        let name = URL(fileURLWithPath: checkpoint).lastPathComponent
        guard name.hasPrefix("step_"), let n = Int(name.dropFirst(5)), n >= 0 else { return nil }
        return n
    }
}

public enum ReferenceCheckpoint {
    /// Reads `checkpoint` with the YAML at `config` (default: `all_config.yaml` beside it).
    /// `seqLen` overrides the sequence length for attention models, whose tensors do not carry it.
    public static func load(checkpoint given: URL, config: URL? = nil, seqLen: Int? = nil) throws(InteropError) -> ImportedModel {
        let checkpoint = try latestCheckpoint(given)
        let configURL = config ?? checkpoint.deletingLastPathComponent().appendingPathComponent("all_config.yaml")
        guard FileManager.default.fileExists(atPath: configURL.path) else {
            throw InteropError(file: configURL.path, problem: "missing: the architecture is read from the all_config.yaml "
                + "that pretrain.py writes beside each checkpoint; pass it with --config")
        }
        let yaml = try ReferenceRunConfig.load(configURL)
        let data: Data
        do { data = try Data(contentsOf: checkpoint) } catch {
            throw InteropError(file: checkpoint.path, problem: "cannot read (\(error.localizedDescription))")
        }
        let raw: [(String, SafeTensorEntry)]
        if TorchArchive.looksLikeZip(data) {
            raw = try TorchStateDict.read(data: data, file: checkpoint.path)
        } else if let st = try? SafeTensorsFile(data: data, source: checkpoint.path) {
            raw = st.tensors.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        } else {
            throw InteropError(file: checkpoint.path, problem: "not a PyTorch checkpoint (not a zip archive, as torch.save "
                + "writes since PyTorch 1.6) and not a safetensors file")
        }
        return try build(raw, yaml: yaml, checkpoint: checkpoint.path, config: configURL.path, seqLen: seqLen)
    }

    /// `url` itself, or for a checkpoint directory (what `checkpoint_path` names) its highest `step_N`.
    public static func latestCheckpoint(_ url: URL) throws(InteropError) -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw InteropError(file: url.path, problem: "no such file")
        }
        guard isDirectory.boolValue else { return url }
        let steps = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).compactMap { name -> (Int, String)? in
            guard name.hasPrefix("step_"), let n = Int(name.dropFirst(5)) else { return nil }
            return (n, name)
        }
        guard let last = steps.max(by: { $0.0 < $1.0 }) else {
            throw InteropError(file: url.path, problem: "a folder without step_N checkpoints; give the checkpoint file")
        }
        return url.appendingPathComponent(last.1)
    }

    /// Maps reference-named tensors onto a model described by `yaml`.
    public static func build(_ raw: [(String, SafeTensorEntry)], yaml: ReferenceRunConfig, checkpoint: String, config: String,
                             seqLen: Int? = nil) throws(InteropError) -> ImportedModel {
        var tensors: [String: SafeTensorEntry] = [:]
        var keyAsWritten: [String: String] = [:]  // our name -> the file's key (for messages)
        var dtypes: [String: Int] = [:]
        for (key, t) in raw {
            let name = ReferenceNames.ourName(fromReference: key)
            if ReferenceNames.isDerivedBuffer(name) { continue }
            guard tensors[name] == nil else {
                throw InteropError(file: checkpoint, problem: "tensor '\(key)' appears twice (with and without a prefix)")
            }
            tensors[name] = t
            keyAsWritten[name] = key
            dtypes[t.dtype.rawValue, default: 0] += 1
        }
        let arch = yaml.arch
        guard let family = arch.name.flatMap(ReferenceArchConfig.family(ofArchitecture:)) ?? (arch.name == nil ? .trm : nil) else {
            throw InteropError(file: config, problem: "unknown architecture arch.name '\(arch.name ?? "")'; supported: "
                + "TinyRecursiveReasoningModel_ACTV1 (TRM, attention or mlp_t) and HierarchicalReasoningModel_ACTV1 (HRM)")
        }
        func shape(_ name: String) throws(InteropError) -> [Int] {
            guard let t = tensors[name] else {
                throw InteropError(file: checkpoint, problem: "tensor '\(ReferenceNames.referenceName(ours: name))' is missing")
            }
            return t.shape
        }
        // Sizes from the shapes.
        let embed = try shape("inner.embed_tokens.embedding_weight")
        guard embed.count == 2 else { throw InteropError(file: checkpoint, problem: "embed_tokens.embedding_weight has shape \(embed), expected [vocab, hidden]") }
        guard embed[1] == arch.hidden_size else {
            throw InteropError(file: checkpoint, problem: "embed_tokens.embedding_weight has shape \(embed) but \(URL(fileURLWithPath: config).lastPathComponent) "
                + "says hidden_size \(arch.hidden_size)")
        }
        let vocab = embed[0]
        var ids = 1
        if (arch.puzzle_emb_ndim ?? 0) > 0 {
            let p = try shape("inner.puzzle_emb.weights")
            guard p.count == 2, p[1] == arch.puzzle_emb_ndim else {
                throw InteropError(file: checkpoint, problem: "puzzle_emb.weights has shape \(p) but \(URL(fileURLWithPath: config).lastPathComponent) "
                    + "says puzzle_emb_ndim \(arch.puzzle_emb_ndim ?? 0)")
            }
            ids = p[0]
        }
        var notes: [String] = []
        // The sequence length: the token mixer's shape, else --seq-len, else the data set's
        // dataset.json, else the reference's puzzle families by vocabulary.
        var probe = arch
        probe.seq_len = 1; probe.vocab_size = vocab; probe.num_puzzle_identifiers = ids
        let prefix: Int
        do { prefix = try probe.modelConfig(family: family).puzzleEmbeddingLength } catch {
            throw InteropError(file: config, problem: String(describing: error))
        }
        var seq: Int?
        if arch.mlp_t == true, let mixer = tensors["inner.L_level.layers.0.mlp_t.gate_up_proj.weight"], mixer.shape.count == 2 {
            seq = mixer.shape[1] - prefix
            if let seqLen, seqLen != seq {
                throw InteropError(file: checkpoint, problem: "the token mixer is built for \(mixer.shape[1] - prefix) cells, not --seq-len \(seqLen)")
            }
        }
        if seq == nil, let seqLen { seq = seqLen; notes.append("sequence length \(seqLen) from --seq-len") }
        if seq == nil, let found = datasetSeqLen(yaml: yaml, near: URL(fileURLWithPath: checkpoint)) {
            seq = found.seqLen; notes.append("sequence length \(found.seqLen) from \(found.path)")
        }
        if seq == nil, let guess = [11: 81, 6: 900, 12: 900][vocab] {
            seq = guess
            notes.append("sequence length \(guess) assumed from the vocabulary (\(vocab): "
                + (vocab == 11 ? "Sudoku" : vocab == 6 ? "maze" : "ARC") + "); pass --seq-len if the data differ")
        }
        guard let seq, seq > 0 else {
            throw InteropError(file: checkpoint, problem: "the sequence length is not in the tensors (attention model) and the "
                + "data set is not found; pass --seq-len")
        }
        let modelConfig: ModelConfig
        do { modelConfig = try arch.modelConfig(family: family, seqLen: seq, vocabSize: vocab, puzzleIdentifiers: ids) } catch {
            throw InteropError(file: config, problem: String(describing: error))
        }
        let model: ReasoningModel
        do { model = try ReasoningModel(config: modelConfig, seed: 0) } catch {
            throw InteropError(file: config, problem: String(describing: error))
        }
        // Every tensor of the model, with the shape the YAML implies; nothing left over.
        var expected = Set<String>()
        for (name, t) in model.state {
            expected.insert(name)
            if name == "inner.puzzle_emb.weights" && (arch.puzzle_emb_ndim ?? 0) == 0 && tensors[name] == nil { continue }
            guard let src = tensors[name] else {
                throw InteropError(file: checkpoint, problem: "tensor '\(ReferenceNames.referenceName(ours: name))' is missing "
                    + "(the model in \(URL(fileURLWithPath: config).lastPathComponent) needs it)")
            }
            guard src.shape == t.shape else {
                throw InteropError(file: checkpoint, problem: "tensor '\(keyAsWritten[name] ?? name)' has shape \(src.shape); "
                    + "\(URL(fileURLWithPath: config).lastPathComponent) implies \(t.shape)")
            }
            let values: [Float]
            do { values = try src.floats(tensor: name, file: checkpoint) } catch {
                throw InteropError(file: checkpoint, problem: "tensor '\(keyAsWritten[name] ?? name)': \(error.problem)")
            }
            values.withUnsafeBufferPointer { t.data.update(from: $0.baseAddress!, count: values.count) }
        }
        if let extra = tensors.keys.sorted().first(where: { !expected.contains($0) }) {
            throw InteropError(file: checkpoint, problem: "unexpected tensor '\(keyAsWritten[extra] ?? extra)' (shape \(tensors[extra]!.shape)): the "
                + "architecture in \(URL(fileURLWithPath: config).lastPathComponent) has no such parameter")
        }
        if let f = arch.forward_dtype, f != "float32" {
            notes.append("trained with forward_dtype \(f); runs here in float32 from the stored values")
        }
        let name = yaml.run_name ?? URL(fileURLWithPath: checkpoint).deletingLastPathComponent().lastPathComponent
        let run = RunConfig(name: name, model: modelConfig, training: yaml.trainingConfig)
        return ImportedModel(run: run, model: model, checkpoint: checkpoint, config: config, dtypes: dtypes, notes: notes)
    }

    /// `seq_len` from the `train/dataset.json` of the run's first data path, looked for relative to
    /// the working directory and to the checkpoint's folder and its parents.
    static func datasetSeqLen(yaml: ReferenceRunConfig, near checkpoint: URL) -> (seqLen: Int, path: String)? {
        guard let first = yaml.data_paths?.first else { return nil }
        var bases = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        var dir = checkpoint.deletingLastPathComponent()
        for _ in 0..<4 { bases.append(dir); dir = dir.deletingLastPathComponent() }
        for base in bases {
            let url = URL(fileURLWithPath: first, relativeTo: base).appendingPathComponent("train/dataset.json")
            if let data = try? Data(contentsOf: url),
               let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let s = obj["seq_len"] as? Int, s > 0 {
                return (s, url.path)
            }
        }
        return nil
    }
}
