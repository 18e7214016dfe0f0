import Testing
@testable import TRMTensor
