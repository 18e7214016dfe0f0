import Testing
@testable import TRMPuzzles
