// TRMTraining
