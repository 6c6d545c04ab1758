"""The SQLite store: a `Store` facade over versioned datasets, units, frameworks, accounts, registers,
scenarios, schema/migrations and maintenance (backup, restore, rebuild).

Imports `common`, `model` and `workbook` — never `scoring`, `reports` or `app`."""

from credit.store.facade import Store

__all__ = ["Store"]
