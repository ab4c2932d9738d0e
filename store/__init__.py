"""Persistence: approvals, audit log, scans and findings (SQLAlchemy 2.0; SQLite or Postgres)."""

from store.db import Store

__all__ = ["Store"]
