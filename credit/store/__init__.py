"""The SQLite store: a `Store` facade composed of parts that share one `Core`.

`core` (connection, WAL, migrations from `schema`, `write()` = BEGIN IMMEDIATE, `snapshot()`,
audit rows inside the write) ← parts, each `Part(core, *parts_it_reads)`: `settings`, `units`,
`frameworks`, `datasets`, `users`, `registers`, `weights`, `exports`, `seeding` ← `facade.Store`
(builds and wires them; one-line methods keep the old names) ← `maintenance` (file-level backup,
restore, rebuild). A new part: a module with a class taking the core (and the parts it reads),
`authorize()` first, its writes in `with self._core.write():` with `self._core.changed(...)`;
then one attribute in `Store.__init__`.

Imports `common`, `model` and `workbook` — never `scoring`, `reports` or `app`
(tests/store/test_architecture.py checks)."""

from credit.store.facade import Store

__all__ = ["Store"]
