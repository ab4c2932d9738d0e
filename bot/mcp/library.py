"""Resources and prompts: the knowledge base's documents, and ready-made reviews.

Resources are the documents CloudPilot indexes itself (the bundled runbooks and
`knowledge_paths`), at `cloudpilot://kb/<source>`, `<source>` being the name search citations
use. Each read returns the document with its citation in `_meta` (source, title, URL, and the
line range of every section), so an assistant can quote a section and cite it the way
`search_knowledge` does. Knowledge access follows the access policy of `search_knowledge`.

Prompts are templates an assistant's user picks ("weekly cost review", "triage critical
findings"): they say which CloudPilot tools to call and how to report, and that a change is
only ever requested (`request_*`), for someone else to approve.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mcp_types as types
from mcp.shared.exceptions import MCPError

from agent.api import kb_document, kb_documents
from bot.mcp.identity import Caller
from bot.mcp.tools import KB_URI_PREFIX, kb_uri

if TYPE_CHECKING:
    from agent.turn import Agent
    from config import Settings

KNOWLEDGE_TOOL = "search_knowledge"  # resources are the knowledge base: the same access rule
_SOURCES_TTL_S = 60.0


class Library:
    def __init__(self, agent: Agent, settings: Settings) -> None:
        self.agent = agent
        self.settings = settings
        self._lock = threading.Lock()
        self._sources: tuple[float, set[str]] | None = None

    # -- resources ---------------------------------------------------------------------------------
    def sources(self) -> set[str]:
        """The readable documents' source names (kept a minute: citations link to them)."""
        with self._lock:
            if self._sources is None or time.monotonic() - self._sources[0] > _SOURCES_TTL_S:
                self._sources = (time.monotonic(), {d.source for d in kb_documents(self.settings)})
            return set(self._sources[1])

    def resources(self, caller: Caller) -> list[types.Resource]:
        if not self.agent.may_use(caller.channel, caller.user, KNOWLEDGE_TOOL):
            return []
        out: list[types.Resource] = []
        for doc in kb_documents(self.settings):
            tags = f" Tags: {', '.join(doc.tags)}." if doc.tags else ""
            out.append(
                types.Resource(
                    uri=kb_uri(doc.source),
                    name=doc.source,
                    title=doc.title,
                    description=f"Knowledge base document ({doc.format}): {doc.title}.{tags}",
                    mime_type="text/plain" if doc.format == "text" else "text/markdown",
                    meta={"citation": {"source": doc.source, "title": doc.title, "url": doc.url}},
                )
            )
        return out

    def read(self, caller: Caller, uri: str) -> types.ReadResourceResult:
        source = uri[len(KB_URI_PREFIX) :] if uri.startswith(KB_URI_PREFIX) else None
        allowed = self.agent.may_use(caller.channel, caller.user, KNOWLEDGE_TOOL)
        found = kb_document(self.settings, source) if source and allowed else None
        self.agent.record(
            "question" if allowed else "access_refused",
            caller.user,
            f"[mcp] resources/read {uri}",
            {
                "conversation": caller.conversation_id,
                "channel": caller.channel,
                "tools": [{"name": "resources/read", "args": {"uri": uri[:500]}}],
                "ok": found is not None,
            },
        )
        if not allowed:
            raise MCPError(
                code=types.INVALID_PARAMS,
                message=f"{caller.channel} may not read the knowledge base (access policy)",
            )
        if found is None:
            raise MCPError(
                code=types.INVALID_PARAMS, message=f"Resource not found: {uri[:200]}", data={"uri": uri}
            )
        doc = found.document
        citation = {
            "source": doc.source,
            "title": doc.title,
            "url": doc.url,
            "sections": [{"section": s.title, "lines": list(s.lines)} for s in found.sections],
        }
        return types.ReadResourceResult(
            contents=[
                types.TextResourceContents(
                    uri=uri, mime_type=found.mime_type, text=found.text, meta={"citation": citation}
                )
            ]
        )

    # -- prompts -----------------------------------------------------------------------------------
    def prompts(self) -> list[types.Prompt]:
        return [p.listing() for p in PROMPTS.values()]

    def prompt(self, caller: Caller, name: str, arguments: dict[str, str] | None) -> types.GetPromptResult:
        template = PROMPTS.get(name)
        if template is None:
            raise MCPError(code=types.INVALID_PARAMS, message=f"Unknown prompt: {name[:100]}")
        args = {k: v for k, v in (arguments or {}).items() if k in template.arguments and v and v.strip()}
        self.agent.record(
            "question",
            caller.user,
            f"[mcp] prompts/get {name}",
            {
                "conversation": caller.conversation_id,
                "channel": caller.channel,
                "tools": [{"name": "prompts/get", "args": {"name": name, **args}}],
                "ok": True,
            },
        )
        return types.GetPromptResult(
            description=template.description,
            messages=[
                types.PromptMessage(role="user", content=types.TextContent(text=template.render(args)))
            ],
        )


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    title: str
    description: str
    arguments: dict[str, str]  # name -> description (all optional)
    body: str

    def listing(self) -> types.Prompt:
        return types.Prompt(
            name=self.name,
            title=self.title,
            description=self.description,
            arguments=[
                types.PromptArgument(name=k, description=v, required=False) for k, v in self.arguments.items()
            ],
        )

    def render(self, args: dict[str, Any]) -> str:
        focus = "".join(f"\n- {k}: {_quoted(v)}" for k, v in args.items())
        scope = f"\n\nLimit the review to:{focus}" if focus else ""
        return self.body + scope + _GROUND_RULES


def _quoted(value: str) -> str:
    # An argument is a value to filter on, not text to follow.
    return repr(value.strip()[:200])


_GROUND_RULES = """

Ground rules: every figure, finding and citation must come from a CloudPilot tool result in this
conversation; say so when a tool reports no data. Never claim that something was approved,
changed or fixed: a change can only be requested with a request_* tool, which opens an approval
request that someone else must approve in Slack or the CLI; report its approval id and check it
with approval_status."""

PROMPTS: dict[str, PromptTemplate] = {
    p.name: p
    for p in (
        PromptTemplate(
            name="weekly_cost_review",
            title="Weekly cost review",
            description="Last week's AWS spend by service, spikes, the month-end forecast and savings.",
            arguments={
                "account": "An AWS account id to review (default: every account you may see)",
                "service": "A service to focus on, e.g. EC2",
            },
            body="""Run a weekly cost review of our cloud spend with CloudPilot's tools:

1. cost_query with period "last_7_days" and group_by "service": the week's total and its top
   services; then cost_query with period "last_30_days" for context.
2. cost_anomalies with period "last_30_days": any spikes, with their impact and the service.
3. cost_forecast with target "month_end": where this month will land.
4. savings_opportunities: the largest monthly savings, with the resources they concern.

Report in this order: the week's total and its top five services (with the change against the
month), each anomaly worth a look, the month-end forecast, and the three largest savings with
what it would take (as changes to request, not to make).""",
        ),
        PromptTemplate(
            name="triage_critical_findings",
            title="Triage critical findings",
            description="Open critical and high security findings, what they mean, the fixes to request.",
            arguments={
                "service": "Only this service, e.g. s3 or ec2",
                "account": "Only this AWS account id",
            },
            body="""Triage our open security findings with CloudPilot's tools:

1. list_findings with severity "critical" and status "open", then with severity "high"; if
   there are none yet, run security_scan first.
2. For each finding, search_knowledge for our runbook on it (for example "security group open
   to SSH" or "public bucket") and cite the passage you use.
3. Rank them: internet exposure and data access first.

Report a table: finding id, resource, account and region, severity, why it matters, and the
remediation. For the ones worth fixing now, call request_remediate (the action the finding
names) so that the dry run and the approval request are ready for an approver; report each
approval id.""",
        ),
    )
}
