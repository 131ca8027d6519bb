"""Metrics, tables and plots of recognition results."""
