"""The store's schema, as an ordered list of forward migrations (sqlite-utils 4.x `Migrations`).

Kept apart from `credit.store.facade` so a schema change is one reviewed function appended here and
never an edit of an applied one: an applied migration is history, the databases out there ran it.

Rules for adding a migration:
- append a new function decorated with `@MIGRATIONS()`; never rename, reorder or edit old ones;
- keep it transactional (the default): `Store` runs each pending migration in its own
  `BEGIN IMMEDIATE` transaction so two sessions opening a new file at once cannot both apply it;
  a `transactional=False` migration (VACUUM, journal mode) would need changes in `Store._migrate`.

Table overview (see docstrings of `credit.store.facade.Store` for how they are used):
- `meta`              key/value: `data_version` (monotonic write counter for cache keys).
- `units`             the unit register (stable id, group, kind, active/retired months, aliases JSON).
- `unit_names`        rename history: (unit_id, from_month, name).
- `uploads`           archive of uploaded files (raw bytes + sha256); insert-only (triggers).
- `dataset_versions`  one row per (month, sheet, version); exactly one `is_current` per (month, sheet).
- `facts`             numeric cells of `unit`/`item` sheets: (version_id, row_no, unit_id, field, value).
- `records`           rows of `records` sheets: (version_id, row_no, unit_id, data JSON).
- `frameworks`        indicator-framework TOML texts per group, each with an effective month.
- `xyd_targets`       信易贷 opening figure and target per year.
- `audit`             append-only log of every change (triggers forbid UPDATE/DELETE).
- `empty_reports`     optional sheets reported as 本月无新增 per month (upload of an empty sheet, or a mark).
- `computed_results`  a cache of scored months, valid for one data/framework/engine version.
- `month_records`     the whole scored month as signed (frames and JSON parts per publication and group).
- `session_tokens`    browser logins kept across a reload: sha256 of the cookie's token, account,
                      created / last seen, revoked (credit.store.sessions).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "credit_store"
MIGRATIONS = Migrations(MIGRATION_SET)

_INITIAL = [
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value
    )
    """,
    "INSERT INTO meta (key, value) VALUES ('data_version', 0)",
    """
    CREATE TABLE units (
        id           TEXT PRIMARY KEY,
        group_name   TEXT NOT NULL CHECK (group_name IN ('镇街', '部门')),
        kind         TEXT NOT NULL,
        active_from  TEXT,            -- YYYY-MM; NULL = always
        retired_from TEXT,            -- YYYY-MM; NULL = still active
        aliases      TEXT NOT NULL DEFAULT '[]'   -- JSON array of strings
    )
    """,
    """
    CREATE TABLE unit_names (
        unit_id    TEXT NOT NULL REFERENCES units(id),
        from_month TEXT NOT NULL,
        name       TEXT NOT NULL,
        PRIMARY KEY (unit_id, from_month)
    )
    """,
    """
    CREATE TABLE uploads (
        id          INTEGER PRIMARY KEY,
        sha256      TEXT NOT NULL UNIQUE,
        filename    TEXT NOT NULL,
        size        INTEGER NOT NULL,
        content     BLOB NOT NULL,
        uploaded_by TEXT NOT NULL,
        uploaded_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE dataset_versions (
        id            INTEGER PRIMARY KEY,
        month         TEXT NOT NULL,
        sheet         TEXT NOT NULL,
        version       INTEGER NOT NULL,
        upload_id     INTEGER REFERENCES uploads(id),
        content_hash  TEXT NOT NULL,
        row_count     INTEGER NOT NULL,
        created_by    TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        action        TEXT NOT NULL CHECK (action IN ('import', 'restore')),
        restored_from INTEGER REFERENCES dataset_versions(id),
        is_current    INTEGER NOT NULL DEFAULT 0 CHECK (is_current IN (0, 1)),
        UNIQUE (month, sheet, version)
    )
    """,
    # The database itself guarantees "exactly one current version per (month, sheet)" (at most
    # one by this index; at least one because versions are never deleted and every switch
    # happens inside one transaction).
    """
    CREATE UNIQUE INDEX dataset_versions_one_current
        ON dataset_versions (month, sheet) WHERE is_current = 1
    """,
    """
    CREATE TABLE facts (
        version_id INTEGER NOT NULL REFERENCES dataset_versions(id),
        row_no     INTEGER,
        unit_id    TEXT REFERENCES units(id),   -- NULL for the county-wide 全县 sheet
        field      TEXT NOT NULL,
        value      REAL                          -- NULL = blank (stock not reported)
    )
    """,
    "CREATE INDEX facts_version ON facts (version_id)",
    """
    CREATE TABLE records (
        version_id INTEGER NOT NULL REFERENCES dataset_versions(id),
        row_no     INTEGER,
        unit_id    TEXT REFERENCES units(id),
        data       TEXT NOT NULL                 -- JSON object: the record minus row/unit_id
    )
    """,
    "CREATE INDEX records_version ON records (version_id)",
    """
    CREATE TABLE frameworks (
        id              INTEGER PRIMARY KEY,
        group_name      TEXT NOT NULL CHECK (group_name IN ('镇街', '部门')),
        effective_month TEXT NOT NULL,
        toml            TEXT NOT NULL,
        created_by      TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        reason          TEXT NOT NULL DEFAULT '',
        kind            TEXT NOT NULL DEFAULT 'official'
    )
    """,
    "CREATE INDEX frameworks_group_month ON frameworks (group_name, kind, effective_month)",
    """
    CREATE TABLE xyd_targets (
        year       INTEGER PRIMARY KEY,
        opening    REAL NOT NULL,
        target     REAL NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE audit (
        id     INTEGER PRIMARY KEY,
        at     TEXT NOT NULL,
        who    TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'       -- JSON object
    )
    """,
    # History is evidence: the archive and the audit log are insert-only, and a dataset version
    # may only change its is_current flag. Enforced here so no code path can forget it.
    """
    CREATE TRIGGER uploads_no_update BEFORE UPDATE ON uploads
    BEGIN SELECT RAISE(ABORT, '上传文件存档不可修改'); END
    """,
    """
    CREATE TRIGGER uploads_no_delete BEFORE DELETE ON uploads
    BEGIN SELECT RAISE(ABORT, '上传文件存档不可删除'); END
    """,
    """
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, '操作日志不可修改'); END
    """,
    """
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, '操作日志不可删除'); END
    """,
    """
    CREATE TRIGGER dataset_versions_no_delete BEFORE DELETE ON dataset_versions
    BEGIN SELECT RAISE(ABORT, '数据版本不可删除'); END
    """,
    """
    CREATE TRIGGER dataset_versions_only_flag BEFORE UPDATE OF
        id, month, sheet, version, upload_id, content_hash, row_count, created_by, created_at,
        action, restored_from ON dataset_versions
    BEGIN SELECT RAISE(ABORT, '数据版本只能切换“当前版本”标记'); END
    """,
]


@MIGRATIONS()
def m0001_initial(db: Database) -> None:
    """Create every table, index and guard trigger of the first schema."""
    for statement in _INITIAL:
        db.execute(statement)


@MIGRATIONS()
def m0002_accounts(db: Database) -> None:
    """Accounts with roles and salted scrypt hashes; lock-out state lives with the account."""
    db.execute(
        """
        CREATE TABLE accounts (
            username     TEXT PRIMARY KEY,
            display      TEXT NOT NULL DEFAULT '',
            role         TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
            pw_hash      TEXT NOT NULL,
            disabled     INTEGER NOT NULL DEFAULT 0,
            failed       INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            created_by   TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            updated_at   TEXT NOT NULL
        )
        """
    )


_REGISTERS = [
    # Entries of the evidence registers (Attachments 3 and 4) typed into the form. Entries from
    # uploaded sheets stay in `records`; both are read together (credit.workbook.registers.register_frame).
    """
    CREATE TABLE register_entries (
        id         INTEGER PRIMARY KEY,
        sheet      TEXT NOT NULL CHECK (sheet IN ('信易+场景', '分级分类监管')),
        month      TEXT NOT NULL,                 -- YYYY-MM the entry counts from
        unit_id    TEXT NOT NULL REFERENCES units(id),
        entry_key  TEXT NOT NULL,                 -- normalised 信用应用 / 监管领域
        data       TEXT NOT NULL,                 -- JSON: the sheet's headers -> values
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX register_entries_sheet_month ON register_entries (sheet, month)",
    # Withdrawing a mistaken entry is a new row, never an edit: the entry stays as evidence.
    """
    CREATE TABLE register_withdrawals (
        entry_id     INTEGER PRIMARY KEY REFERENCES register_entries(id),
        reason       TEXT NOT NULL DEFAULT '',
        withdrawn_by TEXT NOT NULL,
        withdrawn_at TEXT NOT NULL
    )
    """,
    # Evidence files (应用方案、制度文件: pdf/doc/docx), attached to an entry by its identity:
    # (sheet, year, unit, normalised name), so one file serves an uploaded and a typed entry alike.
    """
    CREATE TABLE evidence_files (
        id          INTEGER PRIMARY KEY,
        sheet       TEXT NOT NULL CHECK (sheet IN ('信易+场景', '分级分类监管')),
        year        INTEGER NOT NULL,
        unit_id     TEXT NOT NULL REFERENCES units(id),
        entry_key   TEXT NOT NULL,
        entry_name  TEXT NOT NULL,
        filename    TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('pdf', 'doc', 'docx')),
        size        INTEGER NOT NULL,
        sha256      TEXT NOT NULL,
        content     BLOB NOT NULL,
        uploaded_by TEXT NOT NULL,
        uploaded_at TEXT NOT NULL,
        UNIQUE (sheet, year, unit_id, entry_key, sha256)
    )
    """,
    "CREATE INDEX evidence_files_entry ON evidence_files (sheet, year, unit_id, entry_key)",
    *(
        f"""
        CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}
        BEGIN SELECT RAISE(ABORT, '{label}不可{"修改" if verb == "UPDATE" else "删除"}'); END
        """
        for table, label in (
            ("register_entries", "证明材料登记条目"),
            ("register_withdrawals", "登记条目撤回记录"),
            ("evidence_files", "证明材料文件"),
        )
        for verb in ("UPDATE", "DELETE")
    ),
]


@MIGRATIONS()
def m0003_registers(db: Database) -> None:
    """Evidence registers: form-added entries, their withdrawals, evidence files; all insert-only.

    Tables: `register_entries` (sheet, month, unit_id, entry_key, data JSON), `register_withdrawals`
    (one row withdraws one entry), `evidence_files` (raw bytes + sha256 per register entry).
    """
    for statement in _REGISTERS:
        db.execute(statement)


@MIGRATIONS()
def m0004_scenarios(db: Database) -> None:
    """Saved what-if weight scenarios (权重方案): a name and second-level points per group.

    Saving a scenario changes no score; adopting one writes a new `frameworks` row instead.
    """
    db.execute(
        """
        CREATE TABLE scenarios (
            id         INTEGER PRIMARY KEY,
            name       TEXT NOT NULL,
            group_name TEXT NOT NULL CHECK (group_name IN ('镇街', '部门')),
            month      TEXT NOT NULL,                 -- YYYY-MM the scenario was made for
            points     TEXT NOT NULL,                 -- JSON object: indicator code -> points
            note       TEXT NOT NULL DEFAULT '',
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (group_name, name)
        )
        """
    )


@MIGRATIONS()
def m0005_computed_results(db: Database) -> None:
    """A cache of computed scores (not data): one row per (month, group, policy), valid only for
    the data version, framework version and engine version it was computed under. Pages read it
    so a new server process does not re-score; any real write bumps data_version, so an import
    makes every row stale at once (and the next reader replaces it)."""
    db.execute(
        """
        CREATE TABLE computed_results (
            month TEXT NOT NULL,
            group_name TEXT NOT NULL,
            policy TEXT NOT NULL,
            data_version INTEGER NOT NULL,
            framework_id INTEGER NOT NULL,
            engine TEXT NOT NULL,
            summary BLOB NOT NULL,
            detail BLOB NOT NULL,
            items BLOB NOT NULL,
            unreported TEXT NOT NULL,
            computed_at TEXT NOT NULL,
            PRIMARY KEY (month, group_name, policy)
        )
        """
    )


_PUBLISHING = [
    # The office's edited 通报 prose per month; a save is a new row (the latest one counts).
    """
    CREATE TABLE bulletin_texts (
        id       INTEGER PRIMARY KEY,
        month    TEXT NOT NULL,
        text     TEXT NOT NULL,                  -- JSON: overall / problems / requirements
        saved_by TEXT NOT NULL,
        saved_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX bulletin_texts_month ON bulletin_texts (month, id)",
    # An issued 通报 (kind 'original') or 更正通报 (kind 'correction', corrects = the original's id):
    # the number, the chosen date, the signer, what produced the result (data versions, frameworks,
    # policy) and the exact files handed out (bytes + sha256).
    """
    CREATE TABLE publications (
        id             INTEGER PRIMARY KEY,
        month          TEXT NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('original', 'correction')),
        number         TEXT NOT NULL UNIQUE,
        year           INTEGER NOT NULL,
        issued         TEXT NOT NULL,            -- YYYY-MM-DD chosen by the office
        signer         TEXT NOT NULL,
        corrects       INTEGER REFERENCES publications(id),
        reason         TEXT NOT NULL DEFAULT '', -- 更正说明
        override       TEXT NOT NULL DEFAULT '', -- 仍然发布: why despite missing sheets
        missing        TEXT NOT NULL DEFAULT '[]',
        data_versions  TEXT NOT NULL,            -- JSON: sheet -> dataset_versions.id
        frameworks     TEXT NOT NULL,            -- JSON: group -> frameworks.id
        policy         TEXT NOT NULL,
        text           TEXT NOT NULL,            -- JSON of the prose as issued
        published_by   TEXT NOT NULL,
        published_at   TEXT NOT NULL
    )
    """,
    "CREATE INDEX publications_month ON publications (month, id)",
    """
    CREATE TABLE publication_files (
        publication_id INTEGER NOT NULL REFERENCES publications(id),
        format         TEXT NOT NULL CHECK (format IN ('docx', 'xlsx', 'pdf')),
        filename       TEXT NOT NULL,
        size           INTEGER NOT NULL,
        sha256         TEXT NOT NULL,
        content        BLOB NOT NULL,
        PRIMARY KEY (publication_id, format)
    )
    """,
    # The published result as rows: what pages show for a published month from then on.
    """
    CREATE TABLE published_scores (
        publication_id INTEGER NOT NULL REFERENCES publications(id),
        group_name     TEXT NOT NULL CHECK (group_name IN ('镇街', '部门')),
        unit_id        TEXT NOT NULL,
        unit           TEXT NOT NULL,
        rank           INTEGER NOT NULL,
        score          REAL NOT NULL,
        earned         REAL NOT NULL,
        possible       REAL NOT NULL,
        subtotals      TEXT NOT NULL,            -- JSON: first level -> subtotal (null = not assessed)
        PRIMARY KEY (publication_id, group_name, unit_id)
    )
    """,
    *(
        f"""
        CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}
        BEGIN SELECT RAISE(ABORT, '{label}不可{"修改" if verb == "UPDATE" else "删除"}'); END
        """
        for table, label in (
            ("bulletin_texts", "通报文稿记录"),
            ("publications", "发布记录"),
            ("publication_files", "已签发的通报文件"),
            ("published_scores", "已发布的得分"),
        )
        for verb in ("UPDATE", "DELETE")
    ),
]


@MIGRATIONS()
def m0006_publishing(db: Database) -> None:
    """Month cycle: saved 通报 prose, publications (通报 and 更正通报) with their files and frozen scores.

    All insert-only (triggers): a published record is never overwritten, a correction is a new row.
    """
    for statement in _PUBLISHING:
        db.execute(statement)


@MIGRATIONS()
def m0101_unit_accounts(db: Database) -> None:
    """被考核单位: the `unit` role bound to a register unit, unit submissions, and objections.

    The accounts table is rebuilt from its own stored SQL (only the role CHECK widened), so any
    column another migration added to it is kept; then `unit_id` is added.
    `unit_submissions` keeps each file a unit sent (bytes, pending → accepted/returned/replaced);
    `objections` keeps each 申诉 (target, reason, optional attachment, outcome and the version
    its correction made).
    """
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'accounts'").fetchone()[0]
    old_check = "CHECK (role IN ('viewer', 'editor', 'admin'))"
    if old_check not in sql:
        raise RuntimeError("accounts table has an unexpected role check; adapt m0101_unit_accounts")
    new_sql = sql.replace(old_check, "CHECK (role IN ('viewer', 'editor', 'admin', 'unit'))", 1)
    new_sql = new_sql.replace("CREATE TABLE accounts", "CREATE TABLE accounts_m0101", 1)
    cols = ", ".join(f'"{r[1]}"' for r in db.execute("PRAGMA table_info(accounts)").fetchall())
    db.execute(new_sql)
    db.execute(f"INSERT INTO accounts_m0101 ({cols}) SELECT {cols} FROM accounts")
    db.execute("DROP TABLE accounts")
    db.execute("ALTER TABLE accounts_m0101 RENAME TO accounts")
    db.execute("ALTER TABLE accounts ADD COLUMN unit_id TEXT REFERENCES units(id)")
    db.execute(
        """
        CREATE TABLE unit_submissions (
            id           INTEGER PRIMARY KEY,
            month        TEXT NOT NULL,
            unit_id      TEXT NOT NULL REFERENCES units(id),
            source       TEXT NOT NULL CHECK (source IN ('file', 'form')),
            filename     TEXT NOT NULL,
            sha256       TEXT NOT NULL,
            content      BLOB NOT NULL,
            sheets       TEXT NOT NULL,               -- JSON list of the sheets it holds
            status       TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'returned', 'replaced')),
            reason       TEXT NOT NULL DEFAULT '',    -- why it was returned
            submitted_by TEXT NOT NULL,
            submitted_at TEXT NOT NULL,
            decided_by   TEXT,
            decided_at   TEXT,
            upload_id    INTEGER REFERENCES uploads(id),
            versions     TEXT NOT NULL DEFAULT '[]'   -- JSON [(sheet, version)] accepting made
        )
        """
    )
    db.execute("CREATE INDEX unit_submissions_month ON unit_submissions (month, unit_id, status)")
    db.execute(
        """
        CREATE TABLE objections (
            id            INTEGER PRIMARY KEY,
            raised_for    TEXT NOT NULL,               -- the collecting month it was raised in
            month         TEXT NOT NULL,               -- the data month it would correct
            unit_id       TEXT NOT NULL REFERENCES units(id),
            target        TEXT NOT NULL CHECK (target IN ('event', 'figure')),
            sheet         TEXT NOT NULL,
            row_no        INTEGER,                     -- the event's row in 扣分事项 (target = event)
            field         TEXT NOT NULL DEFAULT '',    -- the figure's column (target = figure)
            proposed      REAL,                        -- the figure the unit says is right
            summary       TEXT NOT NULL,               -- what is contested, in words
            reason        TEXT NOT NULL,
            att_name      TEXT,
            att_kind      TEXT,
            att_content   BLOB,
            status        TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'rejected')),
            decision      TEXT NOT NULL DEFAULT '',    -- the office's reason / what was corrected
            raised_by     TEXT NOT NULL,
            raised_at     TEXT NOT NULL,
            decided_by    TEXT,
            decided_at    TEXT,
            upload_id     INTEGER REFERENCES uploads(id),
            versions      TEXT NOT NULL DEFAULT '[]'
        )
        """
    )
    db.execute("CREATE INDEX objections_month ON objections (raised_for, unit_id, status)")


@MIGRATIONS()
def m0102_session_tokens(db: Database) -> None:
    """Logins that survive a page reload: one row per browser login, keyed by the token's sha256.

    The token itself lives only in that browser's cookie; `revoked_at` ends it (sign-out, password
    change, disabled account, "sign out everywhere", idle expiry). `username` names the account
    without a foreign key, so a later rebuild of `accounts` (as m0101 did) need not touch this table.
    """
    db.execute(
        """
        CREATE TABLE session_tokens (
            id             INTEGER PRIMARY KEY,
            token_hash     TEXT NOT NULL UNIQUE,    -- hex sha256 of the cookie's token
            username       TEXT NOT NULL,
            created_at     TEXT NOT NULL,           -- Beijing time with offset
            last_seen      TEXT NOT NULL,           -- refreshed at most once a minute
            revoked_at     TEXT,
            revoked_reason TEXT
        )
        """
    )
    db.execute("CREATE INDEX session_tokens_user ON session_tokens (username, revoked_at)")

_EMPTY_REPORTS = [
    # 本月无新增: an optional sheet (扣分事项 and the two registers) reported with no rows for a month,
    # by uploading it with headers only (source 'upload', the file's upload_id) or by the office's
    # mark (source 'mark'). Withdrawing a mark is a new row with empty = 0; the latest row per
    # (month, sheet) is the state. A current version with rows always wins over the mark.
    """
    CREATE TABLE empty_reports (
        id         INTEGER PRIMARY KEY,
        month      TEXT NOT NULL,
        sheet      TEXT NOT NULL CHECK (sheet IN ('扣分事项', '信易+场景', '分级分类监管')),
        empty      INTEGER NOT NULL CHECK (empty IN (0, 1)),
        source     TEXT NOT NULL CHECK (source IN ('upload', 'mark')),
        upload_id  INTEGER REFERENCES uploads(id),
        reason     TEXT NOT NULL DEFAULT '',       -- 更正说明 when the month was already published
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX empty_reports_month ON empty_reports (month, sheet, id)",
    *(
        f"""
        CREATE TRIGGER empty_reports_no_{verb.lower()} BEFORE {verb} ON empty_reports
        BEGIN SELECT RAISE(ABORT, '“本月无新增”记录不可{"修改" if verb == "UPDATE" else "删除"}'); END
        """
        for verb in ("UPDATE", "DELETE")
    ),
]


@MIGRATIONS()
def m0103_empty_reports(db: Database) -> None:
    """`empty_reports`: optional sheets reported as 本月无新增 (an empty sheet uploaded, or marked); insert-only."""
    for statement in _EMPTY_REPORTS:
        db.execute(statement)


@MIGRATIONS()
def m0104_private_scenarios(db: Database) -> None:
    """Private what-if scenarios: `scenarios.owner` ('' = shared by the office, else the username
    of the 领导 who saved it for itself). Names are unique per (group, owner), so a leader's private
    name never collides with, or reveals, another account's. The table is rebuilt for the new
    UNIQUE; nothing references it by key (the audit keeps scenario ids as plain numbers)."""
    db.execute(
        """
        CREATE TABLE scenarios_m0104 (
            id         INTEGER PRIMARY KEY,
            name       TEXT NOT NULL,
            group_name TEXT NOT NULL CHECK (group_name IN ('镇街', '部门')),
            month      TEXT NOT NULL,
            points     TEXT NOT NULL,
            note       TEXT NOT NULL DEFAULT '',
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            owner      TEXT NOT NULL DEFAULT '',      -- '' shared (信用办); a username: private to it
            UNIQUE (group_name, owner, name)
        )
        """
    )
    cols = "id, name, group_name, month, points, note, created_by, created_at"
    db.execute(f"INSERT INTO scenarios_m0104 ({cols}) SELECT {cols} FROM scenarios")
    db.execute("DROP TABLE scenarios")
    db.execute("ALTER TABLE scenarios_m0104 RENAME TO scenarios")


_MONTH_RECORD = [
    # The whole scored month as signed (一月一实): one row per (publication, group, part). A part is a
    # frame (Arrow IPC: summary with rank changes, detail = per unit × indicator inputs and points,
    # items = the deduction events counted, and the inputs the scores came from: unit_monthly,
    # county_monthly, events, register:<sheet>) or JSON (units, unreported, warnings).
    """
    CREATE TABLE month_records (
        publication_id INTEGER NOT NULL REFERENCES publications(id),
        group_name     TEXT NOT NULL CHECK (group_name IN ('镇街', '部门', '')),
        part           TEXT NOT NULL,
        format         TEXT NOT NULL CHECK (format IN ('arrow', 'json')),
        content        BLOB NOT NULL,
        PRIMARY KEY (publication_id, group_name, part)
    )
    """,
    *(
        f"""
        CREATE TRIGGER month_records_no_{verb.lower()} BEFORE {verb} ON month_records
        BEGIN SELECT RAISE(ABORT, '已签发月份的记录不可{"修改" if verb == "UPDATE" else "删除"}'); END
        """
        for verb in ("UPDATE", "DELETE")
    ),
]


@MIGRATIONS()
def m0201_month_record(db: Database) -> None:
    """`month_records`: signing stores the whole scored month, not only the summary rows; insert-only.

    Publications made before this migration have no record: readers fall back to their frozen
    summary rows (`published_scores`), which stay written for every publication."""
    for statement in _MONTH_RECORD:
        db.execute(statement)
@MIGRATIONS()
def m0221_notice_dismissals(db: Database) -> None:
    """`notice_dismissals`: which in-app notice (by its stable key, e.g. `returned:7`) an account has
    closed with 知道了; a notice with a new key (a new submission, a new count) shows again."""
    db.execute(
        """
        CREATE TABLE notice_dismissals (
            username     TEXT NOT NULL,
            notice_key   TEXT NOT NULL,
            dismissed_at TEXT NOT NULL,
            PRIMARY KEY (username, notice_key)
        )
        """
    )


@MIGRATIONS()
def m0221_unit_contacts(db: Database) -> None:
    """`units.contact` / `units.phone`: a unit's 联系人 and 联系电话 for the 催报清单 ('' = not recorded)."""
    db.execute("ALTER TABLE units ADD COLUMN contact TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE units ADD COLUMN phone TEXT NOT NULL DEFAULT ''")


@MIGRATIONS()
def m0221_unit_evidence(db: Database) -> None:
    """`unit_evidence`: a 证明材料 file a unit sent for one of its own register entries (信易+场景,
    分级分类监管), pending → accepted (then stored in `evidence_files`, `file_id`) or returned with a reason."""
    db.execute(
        """
        CREATE TABLE unit_evidence (
            id           INTEGER PRIMARY KEY,
            sheet        TEXT NOT NULL,
            year         INTEGER NOT NULL,
            unit_id      TEXT NOT NULL,
            entry_name   TEXT NOT NULL,
            filename     TEXT NOT NULL,
            kind         TEXT NOT NULL,
            sha256       TEXT NOT NULL,
            content      BLOB NOT NULL,
            status       TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'returned')),
            reason       TEXT,
            file_id      INTEGER,
            submitted_by TEXT NOT NULL,
            submitted_at TEXT NOT NULL,
            decided_by   TEXT,
            decided_at   TEXT
        )
        """
    )
    db.execute("CREATE INDEX unit_evidence_status ON unit_evidence (status, unit_id)")
@MIGRATIONS()
def m0231_sgs_desk(db: Database) -> None:
    """双公示预检's two small tables, both written only through audited store parts:
    `sgs_column_maps` — a unit's remembered choice of which of its export's columns holds a field the
    alias table did not recognise, (unit, kind, field) -> the header text;
    `workday_calendar` — the 放假 and 调休上班 days the credit office entered for a year (the State
    Council's notice), read before the `chinese-calendar` package by every working-day check."""
    db.execute(
        """
        CREATE TABLE sgs_column_maps (
            unit_id  TEXT NOT NULL,
            kind     TEXT NOT NULL,      -- 许可 / 处罚
            field    TEXT NOT NULL,      -- the standard field name
            header   TEXT NOT NULL,      -- the header text in the unit's export
            saved_by TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (unit_id, kind, field)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE workday_calendar (
            day      TEXT PRIMARY KEY,   -- YYYY-MM-DD
            year     INTEGER NOT NULL,
            kind     TEXT NOT NULL CHECK (kind IN ('放假', '调休上班')),
            saved_by TEXT NOT NULL,
            saved_at TEXT NOT NULL
        )
        """
    )


_ANNUAL_PUBLISHING = [
    # An issued 年度通报 (kind 'original') or its 更正 (kind 'correction', corrects = the original's
    # id): number, chosen date, signer, the rule and the months (with their state) it was made from.
    """
    CREATE TABLE annual_publications (
        id             INTEGER PRIMARY KEY,
        year           INTEGER NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('original', 'correction')),
        number         TEXT NOT NULL UNIQUE,
        issued         TEXT NOT NULL,            -- YYYY-MM-DD chosen by the office
        signer         TEXT NOT NULL,
        corrects       INTEGER REFERENCES annual_publications(id),
        reason         TEXT NOT NULL DEFAULT '', -- 更正说明
        method         TEXT NOT NULL,            -- the framework's [annual] method then in force
        final          INTEGER NOT NULL CHECK (final IN (0, 1)),
        months         TEXT NOT NULL,            -- JSON: month -> 已签发 / 临时 when signed
        published_by   TEXT NOT NULL,
        published_at   TEXT NOT NULL
    )
    """,
    "CREATE INDEX annual_publications_year ON annual_publications (year, id)",
    """
    CREATE TABLE annual_publication_files (
        publication_id INTEGER NOT NULL REFERENCES annual_publications(id),
        format         TEXT NOT NULL CHECK (format IN ('docx', 'xlsx', 'pdf')),
        filename       TEXT NOT NULL,
        size           INTEGER NOT NULL,
        sha256         TEXT NOT NULL,
        content        BLOB NOT NULL,
        PRIMARY KEY (publication_id, format)
    )
    """,
    # The annual result as signed: what the 年度 page shows for the year from then on.
    """
    CREATE TABLE annual_results (
        publication_id INTEGER NOT NULL REFERENCES annual_publications(id),
        group_name     TEXT NOT NULL CHECK (group_name IN ('镇街', '部门')),
        unit_id        TEXT NOT NULL,
        unit           TEXT NOT NULL,
        rank           INTEGER NOT NULL,
        score          REAL NOT NULL,
        grade          TEXT NOT NULL,
        months         INTEGER NOT NULL,
        how            TEXT NOT NULL,
        PRIMARY KEY (publication_id, group_name, unit_id)
    )
    """,
    *(
        f"""
        CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}
        BEGIN SELECT RAISE(ABORT, '{label}不可{"修改" if verb == "UPDATE" else "删除"}'); END
        """
        for table, label in (
            ("annual_publications", "年度通报发布记录"),
            ("annual_publication_files", "已签发的年度通报文件"),
            ("annual_results", "已签发的年度结果"),
        )
        for verb in ("UPDATE", "DELETE")
    ),
    # One 文号 for one document: a month's 通报 and a 年度通报 cannot share a number (either way).
    """
    CREATE TRIGGER publications_number_not_annual BEFORE INSERT ON publications
    WHEN EXISTS (SELECT 1 FROM annual_publications WHERE number = NEW.number)
    BEGIN SELECT RAISE(ABORT, '该文号已用于年度通报'); END
    """,
    """
    CREATE TRIGGER annual_publications_number_not_monthly BEFORE INSERT ON annual_publications
    WHEN EXISTS (SELECT 1 FROM publications WHERE number = NEW.number)
    BEGIN SELECT RAISE(ABORT, '该文号已用于月度通报'); END
    """,
]


@MIGRATIONS()
def m0241_annual_publications(db: Database) -> None:
    """年度通报: publications of a year (通报 and 更正), their files and the signed annual result, insert-only
    like a month's; a 文号 is unique across monthly and annual publications."""
    for statement in _ANNUAL_PUBLISHING:
        db.execute(statement)


def insert_only(table: str, label: str) -> list[str]:
    """The two triggers that make `table` insert-only, with a Chinese refusal naming `label`
    (the shape every insert-only table above uses; new migrations call this instead of a copy)."""
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{label}不可{'修改' if verb == 'UPDATE' else '删除'}'); END"
        for verb in ("UPDATE", "DELETE")
    ]


@MIGRATIONS()
def m0271_backup_log(db: Database) -> None:
    """`backup_log`: every backup the platform made (nightly `backup --dir`, the 系统维护 page's
    download), so `doctor` and the maintenance page know the last one without being told where the
    backup directory is. Insert-only: a backup that happened stays on record."""
    db.execute(
        """
        CREATE TABLE backup_log (
            id         INTEGER PRIMARY KEY,
            path       TEXT NOT NULL,          -- where it was written ('' for a download)
            size       INTEGER NOT NULL,       -- bytes
            sha256     TEXT NOT NULL,
            made_by    TEXT NOT NULL,
            made_at    TEXT NOT NULL
        )
        """
    )
    for statement in insert_only("backup_log", "备份记录"):
        db.execute(statement)
