"""The history in an SQLite file (the standard library's sqlite3): the embedded default store.

The file holds four tables::

    duban_schema  one row: application 'duban', the schema version
    periods       as_of (key), the rules' source and sha256, counts by light and severity
    findings      (as_of, subject, rule) → what a difference and a person need
    items         (as_of, id) → title, kind, unit, leader, light, score, tier, rank

Safety, in the order a person would worry about it:

- a file of another schema version, a file that is not a duban history and a
  corrupt file are refused with one located line, never misread; a row that
  does not read back as what duban wrote is refused the same way;
- one period is recorded in one transaction (``BEGIN IMMEDIATE``): a writer
  killed half-way leaves the history as it was (SQLite rolls the journal back
  on the next open);
- two processes recording at once take turns: SQLite's lock, waited for up to
  :data:`BUSY_TIMEOUT` seconds.

A file that does not exist yet reads as an empty history; it is created by
the first record.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterator, Optional, Union

from pydantic import TypeAdapter, ValidationError

from ..errors import HistoryError
from ..report import Report
from .records import LIGHTS, PeriodInfo, RecordedFinding, RecordedItem
from .store import HistoryStore

__all__ = ["SCHEMA_VERSION", "BUSY_TIMEOUT", "PAUSE_ENV", "SQLiteHistory"]

SCHEMA_VERSION = 1
APPLICATION = "duban"
# Seconds a record waits for another process's record to finish.
BUSY_TIMEOUT = 60.0
# Tests only: a folder; a record then waits inside its transaction (see _pause_if_asked).
PAUSE_ENV = "DUBAN_TEST_PAUSE_IN_RECORD"

_SEVERITIES = ("red", "yellow", "blue")
_FINDING_COLUMNS = ("subject", "subject_kind", "subject_title", "rule", "title", "severity", "message", "points",
                    "category", "escalated_from", "periods")
_ITEM_COLUMNS = ("id", "title", "kind", "unit", "leader", "light", "score", "tier", "rank")
_PERIOD_COLUMNS = ("as_of", "rules_source", "rules_sha256", "items", "red", "yellow", "green",
                   "red_findings", "yellow_findings", "blue_findings")

_CREATE = (
    "CREATE TABLE duban_schema (application TEXT NOT NULL, version INTEGER NOT NULL)",
    "CREATE TABLE periods (as_of TEXT PRIMARY KEY, rules_source TEXT NOT NULL, rules_sha256 TEXT NOT NULL,"
    " items INTEGER NOT NULL, red INTEGER NOT NULL, yellow INTEGER NOT NULL, green INTEGER NOT NULL,"
    " red_findings INTEGER NOT NULL, yellow_findings INTEGER NOT NULL, blue_findings INTEGER NOT NULL)",
    "CREATE TABLE findings (as_of TEXT NOT NULL, subject TEXT NOT NULL, subject_kind TEXT NOT NULL,"
    " subject_title TEXT NOT NULL, rule TEXT NOT NULL, title TEXT NOT NULL, severity TEXT NOT NULL,"
    " message TEXT NOT NULL, points REAL NOT NULL, category TEXT NOT NULL, escalated_from TEXT,"
    " periods INTEGER, PRIMARY KEY (as_of, subject, rule)) WITHOUT ROWID",
    "CREATE TABLE items (as_of TEXT NOT NULL, id TEXT NOT NULL, title TEXT NOT NULL, kind TEXT NOT NULL,"
    " unit TEXT, leader TEXT, light TEXT NOT NULL, score REAL NOT NULL, tier TEXT NOT NULL,"
    " rank INTEGER NOT NULL, PRIMARY KEY (as_of, id)) WITHOUT ROWID",
)
# The columns each table must have, for refusing a file that only looks like a history.
_TABLES = {
    "duban_schema": ("application", "version"),
    "periods": _PERIOD_COLUMNS,
    "findings": ("as_of",) + _FINDING_COLUMNS,
    "items": ("as_of",) + _ITEM_COLUMNS,
}

# SQLite's error names (by prefix), told in Chinese.
_CAUSES = (
    ("SQLITE_READONLY", "文件只读,无法记录"),
    ("SQLITE_BUSY", f"被其他进程占用超过 {BUSY_TIMEOUT:.0f} 秒,请稍后再试"),
    ("SQLITE_LOCKED", f"被其他进程占用超过 {BUSY_TIMEOUT:.0f} 秒,请稍后再试"),
    ("SQLITE_NOTADB", "不是 duban 历史库(不是 SQLite 数据库,或文件已损坏)"),
    ("SQLITE_CORRUPT", "文件已损坏,无法读取"),
    ("SQLITE_CANTOPEN", "无法打开(所在目录不存在或无权访问)"),
    ("SQLITE_PERM", "无权访问"),
    ("SQLITE_AUTH", "无权访问"),
    ("SQLITE_FULL", "磁盘已满,未记录"),
    ("SQLITE_IOERR", "读写出错"),
)


def _cause(exc: sqlite3.Error) -> str:
    name = getattr(exc, "sqlite_errorname", "") or ""
    for prefix, cause in _CAUSES:
        if name.startswith(prefix):
            return cause
    if isinstance(exc, sqlite3.IntegrityError):
        return f"记录失败,报告中有重复的预警或事项({exc})"
    return f"无法读写: {exc}"


class SQLiteHistory(HistoryStore):
    """A history kept in the SQLite file ``path`` (created by the first record).

    ``must_exist`` refuses a missing file (for commands that only read a
    history, such as ``duban history``). Opening checks the file at once: a
    bad file is refused before anything is evaluated.
    """

    def __init__(self, path: Union[str, os.PathLike], *, must_exist: bool = False) -> None:
        self.path = Path(path)
        self.location = str(path)
        self._db: Optional[sqlite3.Connection] = None
        self._reading = 0
        self._ready = False  # the schema was seen and checked
        try:
            exists = self.path.exists()
            if self.path.is_dir():
                raise HistoryError.at(self.location, "", "是目录,不是历史库文件")
            if not exists and not self.path.parent.is_dir():
                raise HistoryError.at(self.location, "", "所在目录不存在")
        except OSError as exc:
            raise HistoryError.at(self.location, "", f"无法访问: {exc.strerror or exc}") from None
        if exists:
            with self._errors():
                self._has_schema(self._connect())
        elif must_exist:
            raise HistoryError.at(self.location, "", "文件不存在")

    # -- reading

    def periods(self) -> list[PeriodInfo]:
        rows = self._select(f"SELECT {', '.join(_PERIOD_COLUMNS)} FROM periods ORDER BY as_of")
        return self._read(_PERIOD_LIST, [_period_info(row) for row in rows], "", "periods")

    def findings(self, as_of: str) -> list[RecordedFinding]:
        rows = self._select(f"SELECT {', '.join(_FINDING_COLUMNS)} FROM findings WHERE as_of = ? "
                            "ORDER BY subject, rule", (as_of,))
        return self._read(_FINDING_LIST, [dict(zip(_FINDING_COLUMNS, row)) for row in rows], as_of, "findings")

    def items(self, as_of: str) -> list[RecordedItem]:
        rows = self._select(f"SELECT {', '.join(_ITEM_COLUMNS)} FROM items WHERE as_of = ? ORDER BY rank, id",
                            (as_of,))
        return self._read(_ITEM_LIST, [dict(zip(_ITEM_COLUMNS, row)) for row in rows], as_of, "items")

    # The view's reads: only the columns it needs, checked as cheaply as they are read.

    def finding_keys(self, as_of: str) -> set[tuple[str, str]]:
        rows = self._select("SELECT subject, rule FROM findings WHERE as_of = ?", (as_of,))
        keys = set(rows)
        if any(type(subject) is not str or type(rule) is not str for subject, rule in keys):
            raise HistoryError.at(self.location, f"findings {as_of}", "文件已损坏: subject 或 rule 不是文本")
        return keys  # type: ignore[return-value]

    def item_states(self, as_of: str) -> dict[str, tuple[str, float]]:
        rows = self._select("SELECT id, light, score FROM items WHERE as_of = ?", (as_of,))
        for item_id, light, score in rows:
            if type(item_id) is not str or light not in LIGHTS or type(score) not in (float, int):
                raise HistoryError.at(self.location, f"items {as_of}",
                                      f"文件已损坏: 事项 {item_id!r} 的灯 {light!r} 或得分 {score!r} 不是 duban 写入的")
        return {item_id: (light, float(score)) for item_id, light, score in rows}

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """One read transaction around several reads: a record waits until it ends."""
        if self._db is None or self._reading:
            self._reading += 1
            try:
                yield
            finally:
                self._reading -= 1
            return
        with self._errors():
            self._db.execute("BEGIN")
        self._reading += 1
        try:
            yield
        finally:
            self._reading -= 1
            with self._errors():
                self._db.execute("COMMIT")

    # -- writing

    def record(self, report: Report) -> Optional[str]:
        # Written straight from the report's findings (not its waived ones) and items:
        # they carry every column, already validated.
        as_of = report.as_of
        lights = {light: sum(1 for i in report.items if i.light == light) for light in LIGHTS}
        severities = {s: sum(1 for f in report.findings if f.severity == s) for s in _SEVERITIES}
        with self._errors():
            db = self._db or self._connect()
            db.execute("BEGIN IMMEDIATE")
            try:
                if not self._has_schema(db):
                    for statement in _CREATE:
                        db.execute(statement)
                    db.execute("INSERT INTO duban_schema VALUES (?, ?)", (APPLICATION, SCHEMA_VERSION))
                replaced = db.execute("SELECT 1 FROM periods WHERE as_of = ?", (as_of,)).fetchone()
                for table in ("findings", "items", "periods"):
                    db.execute(f"DELETE FROM {table} WHERE as_of = ?", (as_of,))
                db.execute(f"INSERT INTO periods VALUES ({', '.join('?' * len(_PERIOD_COLUMNS))})", (
                    as_of, report.rules.source, report.rules.sha256, len(report.items),
                    *(lights[light] for light in LIGHTS), *(severities[s] for s in _SEVERITIES),
                ))
                db.executemany(
                    f"INSERT INTO findings VALUES (?, {', '.join('?' * len(_FINDING_COLUMNS))})",
                    ((as_of, *(getattr(f, c) for c in _FINDING_COLUMNS)) for f in report.findings),
                )
                db.executemany(
                    f"INSERT INTO items VALUES (?, {', '.join('?' * len(_ITEM_COLUMNS))})",
                    ((as_of, *(getattr(i, c) for c in _ITEM_COLUMNS)) for i in report.items),
                )
                _pause_if_asked()
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        return f"基准日 {as_of} 的记录已存在,已替换" if replaced else None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- the file

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: transactions are begun and ended here, explicitly.
        self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        return self._db

    def _has_schema(self, db: sqlite3.Connection) -> bool:
        """True for a duban history of this version, False for an empty database; else refused."""
        if self._ready:
            return True
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return False
        if "duban_schema" not in tables:
            raise HistoryError.at(self.location, "", "不是 duban 历史库(SQLite 数据库中没有 duban_schema 表)")
        rows = db.execute("SELECT application, version FROM duban_schema").fetchall()
        if len(rows) != 1 or rows[0][0] != APPLICATION:
            raise HistoryError.at(self.location, "duban_schema", "不是 duban 历史库,或版本记录已损坏")
        version = rows[0][1]
        if version != SCHEMA_VERSION:
            raise HistoryError.at(self.location, "duban_schema",
                                  f"由另一版本的 duban 写入(历史库版本 {version!r},"
                                  f"本版本读写版本 {SCHEMA_VERSION}),不能读取")
        for table, columns in _TABLES.items():
            found = tuple(row[1] for row in db.execute(f"PRAGMA table_info({table})"))
            if found != columns:
                raise HistoryError.at(self.location, table, "文件已损坏: 表的结构与历史库版本 1 不符")
        self._ready = True
        return True

    def _select(self, sql: str, args: tuple = ()) -> list[tuple]:
        if self._db is None:
            return []
        with self._errors():
            if not self._has_schema(self._db):
                return []
            return self._db.execute(sql, args).fetchall()

    def _read(self, adapter: TypeAdapter, rows: list[dict], as_of: str, table: str) -> Any:
        """Rows as the models duban wrote them, or the file is refused: never misread."""
        try:
            return adapter.validate_python(rows)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(part) for part in error["loc"][1:])
            raise HistoryError.at(self.location, f"{table} {as_of}".strip(),
                                  f"文件已损坏: {field} 的值 {error.get('input')!r} 不是 duban 写入的") from None

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite's errors as one located line."""
        try:
            yield
        except sqlite3.Error as exc:
            raise HistoryError.at(self.location, "", _cause(exc)) from None


# Validating a whole list at once costs far less than one row at a time.
_PERIOD_LIST = TypeAdapter(list[PeriodInfo])
_FINDING_LIST = TypeAdapter(list[RecordedFinding])
_ITEM_LIST = TypeAdapter(list[RecordedItem])


def _period_info(row: tuple) -> dict:
    values = dict(zip(_PERIOD_COLUMNS, row))
    return {
        "as_of": values["as_of"],
        "rules_source": values["rules_source"],
        "rules_sha256": values["rules_sha256"],
        "items": values["items"],
        "lights": {light: values[light] for light in LIGHTS},
        "findings": {s: values[f"{s}_findings"] for s in _SEVERITIES},
    }


def _pause_if_asked() -> None:
    """Tests only: wait inside the record's transaction, so that a test can kill this process there.

    With :data:`PAUSE_ENV` naming a folder, the record writes ``inside-<pid>``
    there once every row is written and before it commits, then waits until
    a file ``go`` appears in the folder.
    """
    folder = os.environ.get(PAUSE_ENV)
    if not folder:
        return
    Path(folder, f"inside-{os.getpid()}").touch()
    while not Path(folder, "go").exists():
        time.sleep(0.02)
