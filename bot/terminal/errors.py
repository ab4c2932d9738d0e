"""A command's error as one line on stderr (`Error: …`) with the exit status of its kind."""

from __future__ import annotations

import click

from config.errors import EXIT_FAILED, CloudPilotError


class CommandError(click.ClickException):
    """Shown by click as `Error: message` on stderr; the command exits with `exit_code`."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(one_line(message))
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it off the instance


def command_error(exc: Exception) -> CommandError:
    """`exc` as a command error: its message, and its kind's exit status when it has one."""
    return CommandError(str(exc), exc.exit_code if isinstance(exc, CloudPilotError) else EXIT_FAILED)


def one_line(text: str) -> str:
    """The first lines of a message joined into one, without the dumps some libraries append."""
    kept: list[str] = []
    for line in (ln.strip() for ln in text.splitlines()):
        if line.startswith(("(Background on this error", "[SQL:", "Possible fixes")):
            break
        if line:
            kept.append(line)
    return " ".join(kept[:3])
