"""Scores from inputs: rules, year-to-date inputs, the vectorised engine, explanations, month-on-month
comparison, 信易贷 progress, a unit's view, what-if weights, rank stability and weight scenarios.

Imports `common`, `model` and, one way only, `workbook` (the evidence-register frame the inputs
count, the Excel writer of scenario comparisons) — never `store`, `reports` or `app`: whoever calls
passes the store in (`load_month_inputs(store, …)`), so scoring can be tested on plain frames."""
