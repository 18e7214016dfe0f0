// TRMPuzzles
