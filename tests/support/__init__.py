"""Helpers shared by tests and benchmarks (reference engine, workbook builders, synthetic data, live server)."""
