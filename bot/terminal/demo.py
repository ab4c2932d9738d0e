"""`cloudpilot demo`: a scripted tour on the embedded defaults (sandbox AWS, FOCUS sample, no LLM)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.rule import Rule

from agent.api import Fix
from agent.messages import ChatMessage, Reply
from agent.turn import Agent
from bot.terminal.render import audit_table, render_reply

QUESTIONS = [
    "hello, what can you do?",
    "how much did we spend on EC2 last month?",
    "break down last month by service",
    "any cost spikes recently?",
    "what will we spend this month?",
    "where can we save money?",
    "list our EC2 instances",
    "are any buckets public?",
    "run a security scan",
]


def run_demo(agent: Agent, console: Console) -> int:
    thread = "demo"

    def say(user: str, text: str) -> Reply:
        console.print(Rule(f"[bold]{user}[/bold]: {text}", align="left"))
        reply = agent.handle(ChatMessage(user=user, channel="demo", thread=thread, text=text))
        render_reply(console, reply)
        return reply

    scan: Reply | None = None
    for question in QUESTIONS:
        scan = say("alice", question)
    target = _open_admin_port(scan.fixes if scan else [])
    if target is None:
        console.print("The scan found no security group open to the world; skipping the approval tour.")
        return 0
    request = say("alice", f"close port 22 to the world on {target}")
    if request.approval is None:
        console.print("No approval was requested; stopping the tour.", style="yellow")
        return 1
    approval_id = request.approval.id
    for who in ("alice", "bob", "bob"):
        console.print(Rule(f"[bold]{who}[/bold] approves {approval_id}", align="left"))
        render_reply(console, agent.decide(approval_id, who, approve=True))
    console.print(audit_table(agent.audit(approval_id)))
    console.print(
        "\nTry it yourself: .venv/bin/cloudpilot chat --as alice   "
        "(and `cloudpilot approvals list` in another terminal)"
    )
    return 0


def _open_admin_port(fixes: Sequence[Fix]) -> str | None:
    """The tour closes SSH on a world-open security group: prefer a fix naming port 22."""
    closing = [f for f in fixes if f.action == "revoke_ingress"]
    for f in closing:
        if "22" in str(f.params):
            return f.resource_id
    return closing[0].resource_id if closing else None
