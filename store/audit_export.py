"""Copies of audit records outside the database: a JSON-lines file and/or syslog.

The hash chain shows records edited, deleted or inserted in the middle, but not records cut off
the end; a copy the database's writers cannot reach covers that. A sink that fails is logged and
never fails the append: the record is already committed when it is exported.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import threading
from pathlib import Path
from typing import Any, Protocol

from config.audit import AuditSettings, syslog_address

log = logging.getLogger("cloudpilot.audit.export")


class AuditSink(Protocol):
    def emit(self, record: dict[str, Any]) -> None: ...


class _Syslog(logging.handlers.SysLogHandler):
    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        # logging's default prints a traceback to stderr; ours goes to the log like other failures.
        log.warning("audit export to syslog failed", exc_info=True)


class AuditExport:
    """Appends each committed record as one JSON line to `path` and/or sends it to syslog."""

    def __init__(self, path: Path | None = None, syslog: str | None = None) -> None:
        self.path = path
        self.syslog = syslog
        self._lock = threading.Lock()
        self._handler: _Syslog | None = None

    def emit(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)
        if self.path is not None:
            self._write(self.path, line)
        if self.syslog is not None:
            self._send(self.syslog, line)

    def _write(self, path: Path, line: str) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # One write() on an O_APPEND descriptor: lines from several processes never interleave.
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (line + "\n").encode())
            finally:
                os.close(fd)
        except OSError as exc:
            log.warning("audit export to %s failed: %s", path, exc)

    def _send(self, target: str, line: str) -> None:
        try:
            with self._lock:
                if self._handler is None:
                    self._handler = _Syslog(
                        address=syslog_address(target), facility=logging.handlers.SysLogHandler.LOG_AUTH
                    )
                    self._handler.ident = "cloudpilot-audit: "
                handler = self._handler
        except (OSError, ValueError) as exc:
            log.warning("audit export to syslog %s failed: %s", target, exc)
            return
        handler.handle(logging.LogRecord("cloudpilot.audit", logging.INFO, __file__, 0, line, None, None))

    def close(self) -> None:
        with self._lock:
            if self._handler is not None:
                self._handler.close()
                self._handler = None


_SINKS: dict[tuple[Path | None, str | None], AuditExport] = {}
_SINKS_LOCK = threading.Lock()


def sink_for(settings: AuditSettings) -> AuditExport | None:
    """The process's one sink for these settings (None when nothing is configured): audit logs
    are built per use in places, and a syslog socket should not be opened for each."""
    if settings.export_path is None and settings.syslog is None:
        return None
    key = (settings.export_path, settings.syslog)
    with _SINKS_LOCK:
        sink = _SINKS.get(key)
        if sink is None:
            sink = _SINKS[key] = AuditExport(settings.export_path, settings.syslog)
        return sink
