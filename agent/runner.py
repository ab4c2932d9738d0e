"""Runs one tool step and turns any failure into an outcome: the agent never crashes on a tool."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from agent.failures import database_unavailable
from tools.base import Fix, ToolResult, ToolStatus, UserFacingError
from tools.errors import cloud_error_message

log = logging.getLogger("cloudpilot.agent")


class Outcome(BaseModel):
    """One executed step as stored in graph state (JSON-able)."""

    call_id: str = ""
    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    status: str
    message: str
    data: Any = None
    presentation: dict[str, Any] = Field(default_factory=dict)
    error_ref: str | None = None
    # The result's hooks, kept with the outcome: what "fix it" may act on, passages to cite.
    fixes: list[Fix] = Field(default_factory=list)
    cited_passages: int = 0


def error_ref() -> str:
    return "err-" + secrets.token_hex(4)


def run_step(name: str, args: dict[str, Any], call_id: str, step: Callable[[], ToolResult]) -> Outcome:
    try:
        result = step()
    except UserFacingError as exc:
        return Outcome(call_id=call_id, name=name, args=args, status=ToolStatus.ERROR, message=str(exc))
    except Exception as exc:
        cloud = cloud_error_message(exc)
        if cloud is not None:
            return Outcome(call_id=call_id, name=name, args=args, status=ToolStatus.ERROR, message=cloud)
        ref = error_ref()
        log.exception("tool %s failed (ref %s)", name, ref)
        reason = (
            "the database is unavailable, try again" if database_unavailable(exc) else "an internal error"
        )
        return Outcome(
            call_id=call_id,
            name=name,
            args=args,
            status=ToolStatus.ERROR,
            message=f"{name} failed with {reason} (reference {ref})",
            error_ref=ref,
        )
    return from_result(name, args, call_id, result)


def from_result(name: str, args: dict[str, Any], call_id: str, result: ToolResult) -> Outcome:
    return Outcome(
        call_id=call_id,
        name=name,
        args=args,
        status=result.status,
        message=result.message,
        data=result.data(),
        presentation=result.model_dump(mode="json", include={"tables", "charts", "citations", "code"}),
        fixes=result.fixes(),
        cited_passages=result.cited_passages(),
    )
