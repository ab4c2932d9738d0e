from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from config.errors import SettingsError, UnavailableError
from config.redact import mask_url
from store.models import Base


class Store:
    """Owns the SQLAlchemy engine. Repositories (approvals, audit, findings) take a Store."""

    def __init__(self, url: str) -> None:
        """Connect and create or upgrade the tables. A URL that is not a database URL raises
        `SettingsError`, a database that does not answer `UnavailableError`: one line each,
        naming `database_url` with any password masked."""
        if url.startswith("sqlite:///"):
            _make_parent(Path(url.removeprefix("sqlite:///")), url)
        self.url = url
        # pool_pre_ping: a connection the server dropped (restart, failover, idle kill) is
        # replaced on checkout instead of failing the next request.
        self.engine: Engine = _engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        try:
            Base.metadata.create_all(self.engine)
            _migrate_audit_log(self.engine)
            _migrate_approvals(self.engine)
        except OperationalError as exc:
            self.engine.dispose()
            raise UnavailableError(
                f"database_url {mask_url(url)}: the database cannot be reached or opened: {_reason(exc)}"
            ) from exc

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as s:
            yield s

    def close(self) -> None:
        self.engine.dispose()


def _engine(url: str) -> Engine:
    shown = mask_url(url)
    try:
        return create_engine(url, future=True, pool_pre_ping=True)
    except NoSuchModuleError as exc:
        scheme = url.partition("://")[0]
        raise SettingsError(
            f"database_url {shown}: unknown database kind {scheme!r} "
            "(use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB)"
        ) from exc
    except ArgumentError as exc:
        raise SettingsError(
            f"database_url {shown!r} is not a database URL (e.g. postgresql+psycopg://USER@HOST/DB): {exc}"
        ) from exc
    except ImportError as exc:  # the URL names a driver that is not installed
        raise SettingsError(f"database_url {shown}: its driver is not installed ({exc})") from exc


def _make_parent(path: Path, url: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(
            f"database_url {mask_url(url)}: cannot create the folder {path.parent}: {exc.strerror}"
        ) from exc


def _reason(exc: DBAPIError) -> str:
    """The driver's own first line ("connection refused", "unable to open database file")."""
    lines = [ln.strip() for ln in str(exc.orig or exc).splitlines() if ln.strip()]
    return lines[0] if lines else type(exc).__name__


def _migrate_audit_log(engine: Engine) -> None:
    """Give an audit_log table from before the hash chain its chain columns and unique index, and
    one from before keyed records its `idem_key` column and unique index (old rows keep NULLs).

    `create_all` never alters an existing table. Rows from before get their chain computed once,
    in id order, by store/audit.py on first use: sealing needs the audit key, which the Store
    does not hold. Idempotent, and safe when two processes start at once."""
    _upgrade(
        engine,
        "audit_log",
        {"prev_hash": "VARCHAR(64)", "hash": "VARCHAR(64)", "idem_key": "VARCHAR(255)"},
        {
            "uq_audit_log_prev_hash": "CREATE UNIQUE INDEX IF NOT EXISTS uq_audit_log_prev_hash "
            "ON audit_log (prev_hash)",
            "uq_audit_log_idem_key": "CREATE UNIQUE INDEX IF NOT EXISTS uq_audit_log_idem_key "
            "ON audit_log (idem_key)",
        },
    )


def _migrate_approvals(engine: Engine) -> None:
    """Give an approvals table from before idempotent requests its turn key columns and their
    unique index (existing rows keep NULLs, which never collide)."""
    _upgrade(
        engine,
        "approvals",
        {"turn_key": "VARCHAR(255)", "call_index": "INTEGER"},
        {
            "uq_approvals_turn_call": "CREATE UNIQUE INDEX IF NOT EXISTS uq_approvals_turn_call "
            "ON approvals (turn_key, call_index)"
        },
    )


def _upgrade(engine: Engine, table: str, columns: dict[str, str], indexes: dict[str, str]) -> None:
    """Add the `columns` (name -> SQL type) and `indexes` (name -> CREATE statement) that `table`
    lacks. Idempotent, and safe when two processes start at once."""
    insp = inspect(engine)
    have = {c["name"] for c in insp.get_columns(table)}
    have_indexes = {i["name"] for i in insp.get_indexes(table)}
    statements = [
        f"ALTER TABLE {table} ADD COLUMN {name} {kind}" for name, kind in columns.items() if name not in have
    ]
    statements += [create for name, create in indexes.items() if name not in have_indexes]
    for statement in statements:
        try:
            with engine.begin() as conn:
                conn.execute(text(statement))
        except DBAPIError as exc:
            # Another process added the column or index between our look and our statement
            # (PostgreSQL may report the index race as a duplicate key in its catalogue).
            said = str(exc).lower()
            if not any(s in said for s in ("duplicate column", "already exists", "pg_class_relname_nsp")):
                raise


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    # WAL + busy timeout: separate CLI processes (ask / approve) share the file safely.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()
