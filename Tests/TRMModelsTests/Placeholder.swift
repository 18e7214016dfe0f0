import Testing
@testable import TRMModels
