"""What the office hands out, read from the store: a month's scores (`scored`), the monthly bulletin
(`bulletin`: the model and its Excel file; `docx`: the Word file; `chart`), `publish` (pick the format,
render, record the export), and the audit view. Imports everything below it, never `credit.app`."""
