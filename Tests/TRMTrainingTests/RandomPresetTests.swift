// Every preset loads as a random-weight model (`--random-preset` of trm solve, serve, mcp and bench
// serve share ModelLoading.models): sizes a preset leaves to the training data get placeholders.
import Testing
import TRMModels
import TRMRuntime

@Suite struct RandomPresetTests {
    @Test(arguments: RunConfig.presetNames)
    func everyPresetLoadsWithRandomWeights(preset: String) throws {
        let loaded = try ModelLoading.models(directories: [], randomPreset: preset)
        #expect(loaded.count == 1 && loaded[0].name == "\(preset)-random")
        let config = loaded[0].run.model
        #expect(!config.needsDataSizes, "\(config)")
        if preset.hasSuffix("-arc") { #expect(loaded[0].kind == .arc && config.puzzleIdentifiers == 1) }
    }
}
