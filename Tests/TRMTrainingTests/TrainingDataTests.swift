// TrainingDataTests: training data comes from a built .trmd file or raw files, with a limit; a mix
// of kinds is refused; 4x4 generation is deterministic per seed.
import TRMTestSupport
import Foundation
import Testing
import TRMModels
import TRMPuzzles
@testable import TRMTraining

@Suite struct TrainingDataTests {
    @Test("a .trmd file loads whole or limited; a .trmd mixed with other files is refused")
    func datasetFile() throws {
        let dir = TestDirectory()
        let (train, _) = TrainingData.generatedSudoku4(train: 40, test: 5, seed: 9)
        let path = dir.file("t.trmd").path
        try DatasetFile.write(train, to: path)
        #expect(try TrainingData.load(paths: [path]) == train)
        #expect(try TrainingData.load(paths: [path], limit: 7).count == 7)
        #expect(throws: DataError.self) { _ = try TrainingData.load(paths: [path, path]) }
        #expect(throws: DataError.self) { _ = try TrainingData.load(paths: []) }
    }

    @Test("--no-augment is kept in the run configuration: absent from older files, false round-trips")
    func augmentSetting() throws {
        var run = try RunConfig.preset("trm-tiny-sudoku4")
        #expect(run.training.augment == nil)
        let plain = String(decoding: try run.jsonData(), as: UTF8.self)
        #expect(!plain.contains("augment"), "a run without the setting writes the file as before")
        let dir = TestDirectory()
        let old = dir.file("old.json")
        try Data(plain.utf8).write(to: old)
        #expect(try RunConfig.load(from: old).training.augment == nil)
        run.training.augment = false
        let file = dir.file("off.json")
        try run.jsonData().write(to: file)
        let again = try RunConfig.load(from: file)
        #expect(again.training.augment == false && again == run)
    }

    @Test("generation is deterministic per seed and fits the 4x4 preset")
    func generation() throws {
        let a = TrainingData.generatedSudoku4(train: 30, test: 10, seed: 4)
        let b = TrainingData.generatedSudoku4(train: 30, test: 10, seed: 4)
        #expect(a.train == b.train && a.test == b.test)
        let run = try RunConfig.preset("trm-tiny-sudoku4")
        #expect(TrainingData.canGenerate(for: run.model))
        #expect(a.train.problem(for: run.model) == nil)
        #expect(!TrainingData.canGenerate(for: try RunConfig.preset("trm-att-sudoku").model))
    }
}
