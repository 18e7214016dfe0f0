// TRMTensor
