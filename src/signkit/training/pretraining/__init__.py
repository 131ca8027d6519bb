"""The pretraining strategies' LightningModules (torch); ``training/tasks/pretraining.py`` names them."""
