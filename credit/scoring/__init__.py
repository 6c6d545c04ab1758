"""Scores from inputs: rules, year-to-date inputs, the vectorised engine, explanations, month-on-month
comparison, 信易贷 progress, a unit's view, what-if weights, stability and scenarios.

Imports `common` and `model` only — never `store`, `workbook` or `reports`."""
