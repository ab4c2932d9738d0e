"""Audit log settings: the chain key and where records are copied to outside the database."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class AuditSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # With a key the chain is HMAC-SHA256: someone who can write the database but does not hold
    # the key cannot rebuild the chain after editing it. Set it before the first record is
    # written; records sealed without it do not verify with it.
    key: SecretStr | None = None
    # A copy outside the database (JSON lines, appended after each commit), so that records
    # deleted from the end of the chain, which the chain alone cannot show, are still on file.
    export_path: Path | None = None
    syslog: str | None = Field(
        default=None, description="'/dev/log' (or another socket path) or 'host:port' (UDP)"
    )

    @field_validator("syslog")
    @classmethod
    def _syslog_target(cls, value: str | None) -> str | None:
        if value is not None:
            syslog_address(value)
        return value

    def key_bytes(self) -> bytes | None:
        if self.key is None or not self.key.get_secret_value():
            return None
        return self.key.get_secret_value().encode()


def syslog_address(value: str) -> str | tuple[str, int]:
    """'/dev/log' (a socket path) or 'host:port' (UDP), as SysLogHandler takes it."""
    if value.startswith("/"):
        return value
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"audit.syslog must be a socket path or host:port, not {value!r}")
    return host.strip("[]"), int(port)
