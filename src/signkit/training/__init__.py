"""Deep models trained from recipes: run folders, tasks, modalities, crossval, ensembles and
pretraining (PyTorch + Lightning, imported by the modules that need them)."""
