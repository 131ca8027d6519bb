"""Samples, dataset loaders, splits and the built-in synthetic data."""
