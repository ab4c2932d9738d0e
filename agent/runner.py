"""Runs one tool step and turns any failure into an outcome: the agent never crashes on a tool."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
from pydantic import BaseModel, Field

from tools.base import ToolResult, ToolStatus, UserFacingError

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


def error_ref() -> str:
    return "err-" + secrets.token_hex(4)


def run_step(name: str, args: dict[str, Any], call_id: str, step: Callable[[], ToolResult]) -> Outcome:
    try:
        result = step()
    except UserFacingError as exc:
        return Outcome(call_id=call_id, name=name, args=args, status=ToolStatus.ERROR, message=str(exc))
    except EndpointConnectionError as exc:
        return Outcome(
            call_id=call_id,
            name=name,
            args=args,
            status=ToolStatus.ERROR,
            message=f"cannot reach the cloud API ({exc.kwargs.get('endpoint_url', '?')}); "
            "for the demo, `cloudpilot sandbox status` tells whether the sandbox runs",
        )
    except ClientError as exc:
        err = exc.response.get("Error", {})
        return Outcome(
            call_id=call_id,
            name=name,
            args=args,
            status=ToolStatus.ERROR,
            message=f"the cloud API refused: {err.get('Code', '?')}: {err.get('Message', '')}".strip(),
        )
    except BotoCoreError as exc:
        return Outcome(
            call_id=call_id, name=name, args=args, status=ToolStatus.ERROR, message=f"cloud API error: {exc}"
        )
    except Exception:
        ref = error_ref()
        log.exception("tool %s failed (ref %s)", name, ref)
        return Outcome(
            call_id=call_id,
            name=name,
            args=args,
            status=ToolStatus.ERROR,
            message=f"{name} failed with an internal error (reference {ref})",
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
    )
