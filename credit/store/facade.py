"""The `Store` facade: one SQLite database, composed of parts that share one `Core`.

Why it looks like this:
- `Core` (credit.store.core) owns the connection, WAL, migrations, the `write()` transaction
  (BEGIN IMMEDIATE, joined when nested), `snapshot()`, and the audit rows. Each part holds that
  one core and offers a small typed interface for one concern; the facade builds them in
  dependency order and wires them (`Registers` reads `Datasets`, `Scenarios` saves through
  `Frameworks`, ...). The core stays private: no page or report can write an audit row of its own.
- Parts: `settings` (meta; security keys need an administrator), `units`, `datasets`,
  `frameworks` (and 信易贷 targets), `users` (accounts, login), `sessions` (browser logins kept
  across a reload: tokens, sign-out, sign out everywhere), `registers`
  (entries, evidence), `weights` (saved scenarios, adoption of official weights), `exports`
  (audited report exports), `seeding`. File-level backup/restore/rebuild are in
  `credit.store.maintenance`, above this module (they open stores themselves).
- The facade's methods are the names the CLI, pages and reports have always used; each is one
  line handing over to its part. New code may use the parts directly (`store.users.login(...)`).

Threading: a `Store` owns one `sqlite3` connection with `check_same_thread=True`. Use one
`Store` per thread. In Streamlit, open it per script run (`with credit.app.service.open_store() as store:`,
about a millisecond) and never put it in `st.cache_resource` or `st.session_state`: reruns of
one session run on different threads. Cache the *data* with `st.cache_data`, keyed on
`store.data_version()`. (The app itself reuses connections across runs through a pool that hands
a `handover=True` store to one run at a time: `ui.context.run_scope`.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any, Self

import pandas as pd

from credit.model.accounts import Actor
from credit.model.contract import SHEET_COUNTY, XYD_COUNTY_FIELD
from credit.model.parsed import ParsedWorkbook
from credit.model.scenario import Scenario
from credit.model.units import Unit, UnitRegister
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
from credit.workbook.registers import RegisterView

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
        self.users = Accounts(core)
        self.sessions = Sessions(core, self.users)  # browser logins kept across a reload (tokens)
        self.registers = Registers(core, self.units, self.datasets)
        self.weights = Scenarios(core, self.frameworks)
        self.exports = Exports(core)
        self.seeding = Seeding(core, self.units, self.frameworks)
        self.results = Results(core)  # computed scores kept between processes (a cache)
        self.publishing = Publishing(core)
        self.annual_publishing = AnnualPublishing(core)  # 年度通报 (insert-only, its own tables)
        self.unitdesk = UnitDesk(core, self.units, self.datasets, self.registers)
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

    # -- settings ------------------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        return self.settings.get(key, default)

    def set_meta(self, key: str, value: str, by: Actor) -> None:
        self.settings.set(key, value, by)

    # -- datasets ------------------------------------------------------------------------------

    def import_workbook(self, parsed: ParsedWorkbook, raw: bytes, filename: str, by: Actor) -> ImportResult:
        return self.datasets.import_workbook(parsed, raw, filename, by)

    def import_workbooks(self, items: Sequence[tuple[ParsedWorkbook, bytes, str]], by: Actor,
                         reason: str = "") -> list[ImportResult]:
        return self.datasets.import_workbooks(items, by, reason)

    def restore_version(self, version_id: int, by: Actor) -> dict[str, Any]:
        return self.datasets.restore_version(version_id, by)

    def versions(self, month: str | None = None, sheet: str | None = None) -> list[dict[str, Any]]:
        return self.datasets.versions(month, sheet)

    def version_facts(self, version_id: int) -> list[tuple[str | None, str, float | None]]:
        return self.datasets.version_facts(version_id)

    def sheets_status(self, month: str) -> dict[str, dict[str, Any] | None]:
        return self.datasets.sheets_status(month)

    def months_with_data(self) -> list[str]:
        return self.datasets.months_with_data()

    def upload_bytes(self, upload_id: int) -> tuple[str, bytes]:
        return self.datasets.upload_bytes(upload_id)

    def find_upload(self, digest: str) -> dict[str, Any] | None:
        return self.datasets.find_upload(digest)

    def uploads_info(self, upload_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        return self.datasets.uploads_info(upload_ids)

    def current_sheet(self, month: str, sheet: str, register: UnitRegister | None = None) -> list[dict[str, object]]:
        return self.datasets.current_sheet(month, sheet, register)

    def year_data(self, year: int, upto_month: int, sheet: str) -> dict[str, list[dict]]:
        return self.datasets.year_data(year, upto_month, sheet)

    def facts_frame(self, year: int, upto_month: int, sheet: str) -> pd.DataFrame:
        return self.datasets.facts_frame(year, upto_month, sheet)

    def facts_rows(self, first: str, last: str, sheet: str) -> list[tuple[str, str | None, str, float | None]]:
        return self.datasets.facts_rows(first, last, sheet)

    def records_frame(self, year: int, upto_month: int, sheet: str) -> pd.DataFrame:
        return self.datasets.records_frame(year, upto_month, sheet)

    # -- unit register -------------------------------------------------------------------------

    def register(self) -> UnitRegister:
        return self.units.register()

    def add_unit(self, unit_id: str, name: str, group: str, kind: str, from_month: str, by: Actor, *, correction: str = "") -> Unit:
        return self.units.add(unit_id, name, group, kind, from_month, by, correction=correction)

    def add_units(self, new: Sequence[NewUnit], by: Actor, *, correction: str = "") -> list[Unit]:
        return self.units.add_many(new, by, correction=correction)

    def rename_unit(self, unit_id: str, new_name: str, from_month: str, by: Actor, *, correction: str = "") -> None:
        self.units.rename(unit_id, new_name, from_month, by, correction=correction)

    def retire_unit(self, unit_id: str, from_month: str, by: Actor, *, correction: str = "") -> None:
        self.units.retire(unit_id, from_month, by, correction=correction)

    def set_unit_contact(self, unit_id: str, contact: str, phone: str, by: Actor) -> tuple[str, str]:
        return self.units.set_contact(unit_id, contact, phone, by)

    # -- frameworks and 信易贷 targets ---------------------------------------------------------

    def framework_for(self, group: str, month: str) -> tuple[int, str, str]:
        return self.frameworks.framework_for(group, month)

    def save_framework(self, group: str, effective_month: str, toml_text: str, by: Actor, reason: str = "", *, correction: str = "") -> int:
        return self.frameworks.save_framework(group, effective_month, toml_text, by, reason, correction=correction)

    def framework_versions(self, group: str) -> list[dict[str, Any]]:
        return self.frameworks.framework_versions(group)

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

    def xyd_targets(self) -> dict[int, tuple[float, float]]:
        return self.frameworks.xyd_targets()

    def set_xyd_target(self, year: int, opening: float, target: float, by: Actor) -> None:
        self.frameworks.set_xyd_target(year, opening, target, by)

    # -- seeding -------------------------------------------------------------------------------

    def seed_gaps(self, xyd_defaults: Mapping[int, tuple[float, float]] = DEFAULT_XYD_TARGETS) -> SeedGaps:
        return self.seeding.seed_gaps(xyd_defaults)

    def seed_defaults(self, register: UnitRegister | None, frameworks: Mapping[str, str] | None = None, *,
                      by: Actor, effective_month: str = SEED_MONTH,
                      xyd_defaults: Mapping[int, tuple[float, float]] = DEFAULT_XYD_TARGETS) -> list[str]:
        return self.seeding.seed_defaults(register, frameworks, effective_month=effective_month, by=by,
                                          xyd_defaults=xyd_defaults)

    # -- accounts ------------------------------------------------------------------------------

    def has_accounts(self) -> bool:
        return self.users.has_accounts()

    def accounts(self) -> list[dict[str, Any]]:
        return self.users.accounts()

    def account(self, username: str) -> dict[str, Any] | None:
        return self.users.account(username)

    def add_account(self, username: str, password: str, role: str, by: Actor, display: str = "",
                    unit_id: str | None = None) -> None:
        self.users.add_account(username, password, role, by, display, unit_id)

    def set_password(self, username: str, password: str, by: Actor, old_password: str | None = None) -> None:
        self.users.set_password(username, password, by, old_password)

    def set_account_disabled(self, username: str, disabled: bool, by: Actor) -> None:
        self.users.set_account_disabled(username, disabled, by)

    def login(self, username: str, password: str, *, at: datetime | None = None) -> Actor:
        return self.users.login(username, password, at=at)

    def login_oidc(self, email: str) -> Actor | None:
        return self.users.login_oidc(email)

    def logout(self, actor: Actor, *, expired: bool = False, token: str | None = None) -> None:
        self.sessions.logout(actor, token, expired=expired)

    def login_session(self, username: str, password: str, *, at: datetime | None = None) -> tuple[Actor, str]:
        return self.sessions.login(username, password, at=at)

    def resume_session(self, token: object, *, at: datetime | None = None) -> Actor | None:
        return self.sessions.resume(token, at=at)

    def sign_out_everywhere(self, username: str, by: Actor) -> int:
        return self.sessions.sign_out_everywhere(username, by)

    # -- evidence registers --------------------------------------------------------------------

    def register_entries(self, year: int, sheet: str | None = None, upto: str | None = None, *,
                         include_withdrawn: bool = False) -> list[dict[str, Any]]:
        return self.registers.register_entries(year, sheet, upto, include_withdrawn=include_withdrawn)

    def evidence_files(self, year: int, sheet: str | None = None, unit_id: str | None = None, *,
                       by: Actor | None = None) -> list[dict[str, Any]]:
        return self.registers.evidence_files(year, sheet, unit_id, by=by)

    def evidence_bytes(self, file_id: int, *, by: Actor | None = None) -> tuple[str, bytes]:
        return self.registers.evidence_bytes(file_id, by=by)

    def register_view(self, year: int, upto_month: int, sheet: str) -> RegisterView:
        return self.registers.register_view(year, upto_month, sheet)

    def add_register_entry(self, sheet: str, month: str, unit_id: str, data: Mapping[str, object], by: Actor) -> int:
        return self.registers.add_register_entry(sheet, month, unit_id, data, by)

    def withdraw_register_entry(self, entry_id: int, by: Actor, reason: str = "") -> None:
        self.registers.withdraw_register_entry(entry_id, by, reason)

    def add_evidence(self, sheet: str, year: int, unit_id: str, name: str, filename: str, content: bytes,
                     by: Actor) -> int:
        return self.registers.add_evidence(sheet, year, unit_id, name, filename, content, by)

    # -- weight scenarios ----------------------------------------------------------------------

    def save_scenario(self, name: str, group: str, month: str, points: Mapping[str, float], note: str,
                      by: Actor) -> int:
        return self.weights.save_scenario(name, group, month, points, note, by)  # shared (信用办)

    def scenarios(self, group: str, by: Actor | None = None) -> list[Scenario]:
        return self.weights.scenarios(group, by)

    def scenario(self, scenario_id: int, by: Actor | None = None) -> Scenario | None:
        return self.weights.scenario(scenario_id, by)

    def weight_changes(self, group: str) -> list[dict[str, Any]]:
        return self.weights.weight_changes(group)

