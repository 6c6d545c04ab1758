"""The `Store` facade: one SQLite database, composed of parts that share one `Core`.

Why it looks like this:
- `Core` (credit.store.core) owns the connection, WAL, migrations, the `write()` transaction
  (BEGIN IMMEDIATE, joined when nested), `snapshot()`, and the audit rows. Each part holds that
  one core and offers a small typed interface for one concern; the facade builds them in
  dependency order and wires them (`Registers` reads `Datasets`, `Scenarios` saves through
  `Frameworks`, ...). The core stays private: no page or report can write an audit row of its own.
- Parts: `settings` (meta; security keys need an administrator), `units`, `datasets`,
  `frameworks` (and 信易贷 targets), `accounts` (accounts, login), `sessions` (browser logins kept
  across a reload: tokens, sign-out, sign out everywhere), `registers`
  (entries, evidence), `scenarios` (saved weight scenarios, adoption of official weights), `exports`
  (audited report exports), `seeding`. File-level backup/restore/rebuild are in
  `credit.store.maintenance`, above this module (they open stores themselves).
- One API: callers use the parts (`store.accounts.login(…)`, `store.datasets.versions(…)`); the
  facade has no forwarders (tests/test_architecture.py), and each part attribute is named after its
  class. The facade keeps only what is about the whole file: lifecycle, snapshot, data version.

Threading: a `Store` owns one `sqlite3` connection with `check_same_thread=True`. Use one
`Store` per thread. In Streamlit, open it per script run (`with credit.app.service.open_store() as store:`,
about a millisecond) and never put it in `st.cache_resource` or `st.session_state`: reruns of
one session run on different threads. Cache the *data* with `st.cache_data`, keyed on
`store.data_version()`. (The app itself reuses connections across runs through a pool that hands
a `handover=True` store to one run at a time: `ui.context.run_scope`.)
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Self

from credit.model.contract import SHEET_COUNTY, XYD_COUNTY_FIELD
from credit.store.accounts import Accounts
from credit.store.annual_publishing import AnnualPublishing
from credit.store.backups import Backups
from credit.store.core import Core, Upgrade
from credit.store.datasets import Datasets, ImportResult
from credit.store.exports import Exports
from credit.store.frameworks import Frameworks
from credit.store.publishing import Publishing
from credit.store.registers import Registers
from credit.store.results import Results
from credit.store.scenarios import Scenarios
from credit.store.seeding import DEFAULT_XYD_TARGETS, SYSTEM_USER, SeedGaps, Seeding
from credit.store.sessions import Sessions
from credit.store.settings import Settings
from credit.store.sgs_columns import SgsColumns
from credit.store.unitdesk import UnitDesk
from credit.store.units import SEED_MONTH, NewUnit, Units
from credit.store.util import check_month
from credit.store.workdays import Workdays

__all__ = [
    "DEFAULT_XYD_TARGETS", "SEED_MONTH", "SYSTEM_USER", "ImportResult", "NewUnit", "SeedGaps", "Store", "check_month",
]


class Store:
    """One connection to the platform's SQLite database; see the module docstring for threads.

    Opening creates the file and schema if needed and applies pending migrations; it does not
    seed defaults (callers run `seed_defaults`, a no-op once seeded), so tests get an empty store.
    """

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 5000, handover: bool = False):
        """`handover=True`: the store may pass from one thread to the next (never two at once)."""
        self._core = core = Core(path, busy_timeout_ms=busy_timeout_ms, handover=handover)
        self.path: Path = core.path
        self.settings = Settings(core)
        self.units = Units(core)
        self.frameworks = Frameworks(core)
        self.datasets = Datasets(core, self.units)
        self.accounts = Accounts(core)
        self.sessions = Sessions(core, self.accounts)  # browser logins kept across a reload (tokens)
        self.registers = Registers(core, self.units, self.datasets)
        self.scenarios = Scenarios(core, self.frameworks)
        self.exports = Exports(core)
        self.seeding = Seeding(core, self.units, self.frameworks)
        self.results = Results(core)  # computed scores kept between processes (a cache)
        self.publishing = Publishing(core)
        self.annual_publishing = AnnualPublishing(core)  # 年度通报 (insert-only, its own tables)
        self.unit_desk = UnitDesk(core, self.units, self.datasets, self.registers)
        self.workdays = Workdays(core)  # 放假 / 调休上班 days the office entered (working-day checks)
        self.sgs_columns = SgsColumns(core)  # a unit's remembered 双公示 column mapping
        self.backups = Backups(core)  # the record of backups made (doctor, 系统维护)

    # -- lifecycle and the file ----------------------------------------------------------------

    def close(self) -> None:
        self._core.close()

    def changes(self) -> int:
        """Rows this connection has written since it opened (sqlite's `total_changes`, no query):
        a data version read earlier in a script run still holds while this has not moved."""
        return self._core.conn.total_changes

    def in_transaction(self) -> bool:
        """Whether a transaction is still open (a store is handed on only when none is)."""
        return self._core.conn.in_transaction

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def snapshot(self) -> AbstractContextManager[None]:
        """Reads inside see one state of the database (see `Core.snapshot`)."""
        return self._core.snapshot()

    @property
    def upgrade(self) -> Upgrade | None:
        """What opening this file upgraded (migrations applied, the copy kept first), or None."""
        return self._core.upgrade

    def data_version(self) -> int:
        return self._core.data_version()

    def checkpoint(self) -> None:
        self._core.checkpoint()

    def backup(self, dest_path: str | Path) -> None:
        self._core.backup(dest_path)

    def audit_log(self, limit: int | None = 200, action: str | None = None) -> list[dict]:
        return self._core.audit_log(limit, action)




    # -- frameworks and 信易贷 targets ---------------------------------------------------------

    def xyd_target(self, year: int) -> tuple[float, float] | None:
        """(opening, target) of `year` as the office set it, else carried over (`xyd_carried`): the
        first import of a new year shows its progress before anyone has typed the year's figures."""
        return self.frameworks.xyd_target(year) or self.xyd_carried(year)

    def xyd_carried(self, year: int) -> tuple[float, float] | None:
        """A year not set yet: the opening figure is the county's 信易贷 registrations as last
        reported in the year before (its December figure, or the latest month before it), the
        target the year before's target. None when the year before has no target or no figure."""
        before = self.frameworks.xyd_target(int(year) - 1)
        if before is None:
            return None
        facts = self.datasets.facts_frame(int(year) - 1, 12, SHEET_COUNTY)
        reported = facts[(facts["field"] == XYD_COUNTY_FIELD) & facts["value"].notna()]
        if reported.empty:
            return None
        return float(reported.sort_values("month", kind="stable")["value"].iloc[-1]), before[1]
