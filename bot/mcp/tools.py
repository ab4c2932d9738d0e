"""The registry's tools as MCP tools, through the same agent path as a chat turn.

- A read-only tool keeps its name, description and input schema (the tool's own strict input
  model: unknown fields are refused). Its result is the structured data plus readable text.
- A mutating tool is offered only as `request_<name>`, with the same input schema: it runs the
  tool's dry run and opens a pending approval request (`Agent.call_tool` → guard → dry_run →
  `ApprovalService.request`), and returns the request's id, plan and approvers. It never
  executes anything: an approval by someone else, in Slack or the terminal, does.
- `approval_status` reports a request's state and outcome from the approval store.

Anything else (a mutating tool's own name, "apply", a made-up name) is refused and audited, as
are arguments the input model refuses (a forged `"approved": true`): nothing of the agent runs.
The access policy decides per caller which tools are listed and which run.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mcp_types as types
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.mcp.identity import Caller

if TYPE_CHECKING:
    from agent.api import Table
    from agent.messages import ApprovalView, Reply
    from agent.planner.base import ToolSpec
    from agent.turn import Agent

REQUEST_PREFIX = "request_"
APPROVAL_STATUS = "approval_status"

_TEXT_ROWS = 50  # rows of a table shown in the text content; the structured content has them all
_IMAGE_BYTES = 1_000_000
_ARGS_AUDITED = 4000  # characters of a refused call's arguments kept in the audit record


class ApprovalStatusInput(BaseModel):
    """Which approval request to report on."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, title="approval_status")

    approval_id: str = Field(
        min_length=4,
        max_length=64,
        pattern=r"^ap-[A-Za-z0-9_-]+$",
        description="The id a request_* tool returned, e.g. ap-0123456789ab",
    )


_STATUS_DESCRIPTION = (
    "Where an approval request stands: pending (waiting for one of its approvers), approved, "
    "executing, executed (with the verification), failed, stale (the resource changed since the "
    "dry run), rejected, expired or withdrawn; who decided and what the change did."
)


def _request_description(spec: ToolSpec) -> str:
    return (
        f"Request a change, for someone else to approve: {spec.description} "
        "This tool only computes the dry-run plan and opens an approval request; it never changes "
        "anything. It returns the approval id, the plan and the people who may approve it; one of "
        "them (never the requester) approves it in Slack or with `cloudpilot approvals approve ID`, "
        "and only then does the change run, once. Follow it with approval_status."
    )


class McpTools:
    """Lists and calls the tools for one caller. Synchronous: the server runs it off the event loop."""

    def __init__(self, agent: Agent, known_sources: Callable[[], set[str]] | None = None) -> None:
        self.agent = agent
        specs = agent.tool_specs()
        self._read = {s.name: s for s in specs if not s.mutating}
        self._change = {REQUEST_PREFIX + s.name: s for s in specs if s.mutating}
        # Which citation sources are readable as resources (cloudpilot://kb/...), for links.
        self._known_sources = known_sources or (lambda: set())

    # -- tools/list --------------------------------------------------------------------------------
    def schema_of(self, name: str) -> dict[str, Any] | None:
        if name == APPROVAL_STATUS:
            return ApprovalStatusInput.model_json_schema()
        spec = self._read.get(name) or self._change.get(name)
        return spec.parameters if spec else None

    def listing(self, caller: Caller) -> list[types.Tool]:
        """The tools this caller may use (the access policy hides the others)."""
        tools: list[types.Tool] = []
        for spec in self._read.values():
            if self.agent.may_use(caller.channel, caller.user, spec.name):
                tools.append(
                    types.Tool(
                        name=spec.name,
                        description=spec.description,
                        input_schema=spec.parameters,
                        annotations=types.ToolAnnotations(read_only_hint=True, open_world_hint=True),
                    )
                )
        for name, spec in self._change.items():
            if self.agent.may_use(caller.channel, caller.user, spec.name):
                tools.append(
                    types.Tool(
                        name=name,
                        title=f"Request {spec.name.replace('_', ' ')} (needs someone else's approval)",
                        description=_request_description(spec),
                        input_schema=spec.parameters,
                        # Writes a request, never the cloud: not read-only, not destructive.
                        annotations=types.ToolAnnotations(
                            read_only_hint=False, destructive_hint=False, idempotent_hint=False
                        ),
                    )
                )
        tools.append(
            types.Tool(
                name=APPROVAL_STATUS,
                description=_STATUS_DESCRIPTION,
                input_schema=ApprovalStatusInput.model_json_schema(),
                annotations=types.ToolAnnotations(read_only_hint=True, open_world_hint=False),
            )
        )
        return tools

    # -- tools/call --------------------------------------------------------------------------------
    def call(self, caller: Caller, name: str, args: dict[str, Any] | None) -> types.CallToolResult:
        args = dict(args or {})
        if name == APPROVAL_STATUS:
            return self._status(caller, args)
        if name in self._read:
            return self._read_only(caller, name, args)
        spec = self._change.get(name)
        if spec is not None:
            return self._request(caller, name, spec.name, args)
        self._refuse(caller, name, args, _unknown_reason(name, self._change))
        raise MCPError(
            code=types.INVALID_PARAMS, message=f"Unknown tool: {name[:100]}. {_hint(self._change)}"
        )

    def _read_only(self, caller: Caller, name: str, args: dict[str, Any]) -> types.CallToolResult:
        reply = self.agent.call_tool(caller.message(_question(name, args)), name, args)
        structured: dict[str, Any] = {
            "tool": name,
            "ok": reply.ok,
            "answer": reply.text,
            "data": reply.data,
            "citations": [c.model_dump(mode="json") for c in reply.citations],
            "tables": [t.model_dump(mode="json") for t in reply.tables],
        }
        if reply.error_ref:
            structured["error_ref"] = reply.error_ref
        content: list[types.ContentBlock] = [types.TextContent(text=_text(reply))]
        content += self._links(reply)
        content += _images(reply)
        return types.CallToolResult(content=content, structured_content=structured, is_error=not reply.ok)

    def _request(self, caller: Caller, name: str, tool: str, args: dict[str, Any]) -> types.CallToolResult:
        # The mutating tool's own name goes to the agent: its guard sends it to the dry run only.
        reply = self.agent.call_tool(caller.message(_question(name, args)), tool, args)
        approval = reply.approval
        structured: dict[str, Any] = {
            "tool": name,
            "ok": reply.ok,
            "answer": reply.text,
            "approval": _approval(approval) if approval else None,
            # Nothing an MCP client sends executes a change; an approver's decision does.
            "executed": False,
        }
        if approval is None:
            structured["data"] = reply.data
        text = reply.text
        if approval is not None:
            text += "\n\n" + _approval_text(approval)
        return types.CallToolResult(
            content=[types.TextContent(text=text)], structured_content=structured, is_error=not reply.ok
        )

    def _status(self, caller: Caller, args: dict[str, Any]) -> types.CallToolResult:
        try:
            wanted = ApprovalStatusInput.model_validate(args)
        except ValidationError as exc:
            reason = "invalid arguments: " + _explain(exc)
            self._refuse(caller, APPROVAL_STATUS, args, reason)
            return _error(f"Could not run {APPROVAL_STATUS}: {reason}")
        view = self.agent.view(wanted.approval_id)
        self.agent.record(
            "question",
            caller.user,
            _question(APPROVAL_STATUS, args),
            {
                "conversation": caller.conversation_id,
                "channel": caller.channel,
                "tools": [{"name": APPROVAL_STATUS, "args": args}],
                "ok": view is not None,
            },
        )
        if view is None:
            return _error(f"There is no approval request with id {wanted.approval_id!r}.")
        return types.CallToolResult(
            content=[types.TextContent(text=_approval_text(view))],
            structured_content={"tool": APPROVAL_STATUS, "ok": True, "approval": _approval(view)},
        )

    # -- refusals ----------------------------------------------------------------------------------
    def _refuse(self, caller: Caller, name: str, args: dict[str, Any], reason: str) -> None:
        shown = json.dumps(args, sort_keys=True, default=str)
        detail: dict[str, Any] = {
            "channel": caller.channel,
            "reason": reason,
            "via": f"mcp/{caller.transport}",
            "args": args if len(shown) <= _ARGS_AUDITED else {"truncated": shown[:_ARGS_AUDITED]},
        }
        self.agent.record("refused", caller.user, name[:200], detail)

    def _links(self, reply: Reply) -> list[types.ContentBlock]:
        """Cited knowledge documents as links to their resources (read them whole)."""
        known = self._known_sources() if reply.citations else set()
        seen: set[str] = set()
        links: list[types.ContentBlock] = []
        for c in reply.citations:
            if c.source in known and c.source not in seen:
                seen.add(c.source)
                links.append(
                    types.ResourceLink(
                        name=c.source, uri=kb_uri(c.source), description=c.section or None, mime_type=None
                    )
                )
        return links


# -- shapes ----------------------------------------------------------------------------------------

KB_URI_PREFIX = "cloudpilot://kb/"


def kb_uri(source: str) -> str:
    return KB_URI_PREFIX + source


def _question(name: str, args: dict[str, Any]) -> str:
    """What the audit log records as the question of an MCP call."""
    return f"[mcp] {name} {json.dumps(args, sort_keys=True, default=str)}"[:2000]


def _approval(a: ApprovalView) -> dict[str, Any]:
    return {
        "id": a.id,
        "status": a.status,
        "action": a.action,
        "resource_id": a.resource_id,
        "plan": a.plan,
        "requester": a.requester,
        "approvers": a.approvers,
        "expires_at": a.expires_at.isoformat() if a.expires_at else None,
        "decided_by": a.decided_by,
        "result": a.result,
    }


def _approval_text(a: ApprovalView) -> str:
    plan = a.plan
    lines = [f"Approval {a.id}: {a.action} on {a.resource_id}, requested by {a.requester}: {a.status}."]
    if plan.get("summary"):
        lines.append(f"Plan: {plan['summary']}")
    lines += [f"  - {change}" for change in plan.get("changes", [])]
    if a.status == "pending":
        approvers = ", ".join(a.approvers) or "nobody (check approvals.rules)"
        until = f" until {a.expires_at:%Y-%m-%d %H:%M} UTC" if a.expires_at else ""
        lines.append(
            f"Nothing has changed. Waiting{until} for one of: {approvers} (not the requester), in Slack "
            f"or with `cloudpilot approvals approve {a.id}`."
        )
    elif a.decided_by:
        lines.append(f"Decided by {a.decided_by}.")
    result = a.result or {}
    for key in ("verification", "error"):
        if result.get(key):
            lines.append(f"{key.capitalize()}: {result[key]}")
    return "\n".join(lines)


def _text(reply: Reply) -> str:
    parts = [reply.text]
    parts += [_markdown_table(t) for t in reply.tables]
    parts += [f"```{c.language}\n{c.code}\n```" for c in reply.code]
    if reply.citations:
        cited = []
        for i, c in enumerate(reply.citations, 1):
            where = f" § {c.section}" if c.section else ""
            lines = f", lines {c.lines[0]}-{c.lines[1]}" if c.lines else ""
            link = f" ({c.url})" if c.url else ""
            cited.append(f"[{i}] {c.source}{where}{lines}{link}")
        parts.append("Sources:\n" + "\n".join(cited))
    return "\n\n".join(p for p in parts if p)


def _cell(value: Any) -> str:
    return str("" if value is None else value).replace("|", "\\|").replace("\n", " ")


def _markdown_table(table: Table) -> str:
    head = f"**{table.title}**\n\n" if table.title else ""
    rows = table.rows[:_TEXT_ROWS]
    lines = [
        "| " + " | ".join(_cell(c) for c in table.columns) + " |",
        "|" + "|".join("---" for _ in table.columns) + "|",
    ]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    more = len(table.rows) - len(rows)
    tail = f"\n({more} more rows in the structured content)" if more > 0 else ""
    return head + "\n".join(lines) + tail


def _images(reply: Reply) -> list[types.ContentBlock]:
    images: list[types.ContentBlock] = []
    for chart in reply.charts:
        path = Path(chart.path)
        try:
            if path.suffix.lower() != ".png" or path.stat().st_size > _IMAGE_BYTES:
                continue
            data = base64.b64encode(path.read_bytes()).decode("ascii")
        except OSError:
            continue
        images.append(types.ImageContent(data=data, mime_type="image/png"))
    return images


def _error(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)


def _explain(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.errors())


def _hint(change: dict[str, ToolSpec]) -> str:
    names = ", ".join(sorted(change)) or "none"
    return f"Changes can only be requested, for someone else to approve ({names})."


def _unknown_reason(name: str, change: dict[str, ToolSpec]) -> str:
    if REQUEST_PREFIX + name in change:
        return f"{name} changes the cloud: MCP clients may only request it ({REQUEST_PREFIX}{name})"
    return f"unknown tool {name[:100]!r}"
