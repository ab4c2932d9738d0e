"""`cloudpilot demo`: a scripted tour on the embedded defaults (sandbox AWS, FOCUS sample, no LLM)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.rule import Rule

from agent.api import Fix
from agent.messages import ChatMessage, Reply
from agent.turn import Agent
from bot.terminal.render import audit_table, render_reply

if TYPE_CHECKING:
    from config import Settings

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


def data_note(settings: Settings) -> str:
    """Which data the tour answers from, so that its figures can be told from `cloudpilot ask`'s."""
    cloud = f"the sandbox AWS account of {settings.data_dir}" if settings.aws.mode == "sandbox" else "AWS"
    when = f", as of {settings.now:%Y-%m-%d}" if settings.now else ""
    if settings.cost_backend == "cost_explorer":
        costs = "the Cost Explorer API"
    elif settings.focus_paths:
        costs = "your billing exports (focus_paths)"
    else:
        costs = "the bundled FOCUS 1.0 sample (September 2024)"
    if settings.cost_demo_history and settings.cost_backend == "local":
        costs += (
            " plus generated history (April to mid-October 2024, in billing accounts of its own) so that "
            "spikes and forecasts have months to work on; `cloudpilot ask` leaves that history out "
            "unless CLOUDPILOT_COST_DEMO_HISTORY=true"
        )
    return f"Data: {cloud}{when}. Costs: {costs}."


def run_demo(agent: Agent, console: Console) -> int:
    thread = "demo"
    console.print(data_note(agent.rt.settings), style="dim")

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
        "(and `cloudpilot approvals list` in another terminal; CLOUDPILOT_COST_DEMO_HISTORY=true "
        "CLOUDPILOT_NOW=2024-10-15 for the tour's cost data)"
    )
    return 0


def _open_admin_port(fixes: Sequence[Fix]) -> str | None:
    """The tour closes SSH on a world-open security group: prefer a fix naming port 22."""
    closing = [f for f in fixes if f.action == "revoke_ingress"]
    for f in closing:
        if "22" in str(f.params):
            return f.resource_id
    return closing[0].resource_id if closing else None
