"""Spreadsheets in and out: upload safety, the monthly importer, the template, the upload preview,
Excel/CSV export, and the evidence registers. Imports `common` and `model` only (the preview is
handed the store it compares against)."""
