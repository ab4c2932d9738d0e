"""Errors a person can act on, each with the exit status the `cloudpilot` command gives it.

Any layer may raise them; `bot/main.py` prints `str(error)` as one line on stderr and exits with
`exit_code` (a traceback only with `--debug`). The message names what to fix: the setting, the
file with its line and column, the unknown id, the service that did not answer.
"""

from __future__ import annotations

# The `cloudpilot` command's exit statuses (README, "Commands").
EXIT_FAILED = 1  # the command ran and reports a failure, or an unexpected error
EXIT_USAGE = 2  # the command line or a setting (file, environment variable) is wrong
EXIT_NOT_FOUND = 3  # an id or a path that does not exist
EXIT_BAD_INPUT = 4  # a file that cannot be read as what it should be (a billing export)
EXIT_UNAVAILABLE = 5  # a service did not answer: the database, the sandbox, AWS


class CloudPilotError(Exception):
    """An error whose one-line message is meant for the person running the command."""

    exit_code = EXIT_FAILED


class SettingsError(CloudPilotError, ValueError):
    """A setting is invalid; the message names the setting (and the file or variable it came from)."""

    exit_code = EXIT_USAGE


class NotFoundError(CloudPilotError, LookupError):
    """Something named by the user (an approval id, a file) does not exist."""

    exit_code = EXIT_NOT_FOUND


class InputFileError(CloudPilotError, ValueError):
    """A file is malformed; the message names the file, the line (and column) and the problem."""

    exit_code = EXIT_BAD_INPUT


class UnavailableError(CloudPilotError):
    """A service the command needs did not answer; the message says which and where."""

    exit_code = EXIT_UNAVAILABLE
