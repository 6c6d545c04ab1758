"""What the office hands out: the monthly bulletin (model, Word, Excel, chart) and the audit view."""
