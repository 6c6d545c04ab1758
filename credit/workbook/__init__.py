"""Spreadsheets in and out: file safety, the monthly importer, templates, upload preview, Excel export,
and evidence registers. Imports `common` and `model` (and `scoring.inputs` for previews)."""
