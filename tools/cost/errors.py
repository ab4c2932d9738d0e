"""Errors of reading billing exports: shown to the user as written, with the CLI's exit status.

Both are `UserFacingError`s (a turn shows them as written) and carry the `cloudpilot` exit status
of their kind (`config/errors.py`): a missing export is "not found", a malformed one "bad input".
"""

from __future__ import annotations

from config.errors import InputFileError, NotFoundError
from tools.base import UserFacingError


class ExportError(UserFacingError, InputFileError):
    """An export that cannot be read; the message names the file, the line and the column."""


class ExportNotFound(UserFacingError, NotFoundError):
    """A path (or S3 prefix) with no billing export."""
