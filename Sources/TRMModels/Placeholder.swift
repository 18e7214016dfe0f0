// TRMModels
