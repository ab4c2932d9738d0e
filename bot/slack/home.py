"""The App Home tab: what waits for my approval, my recent requests, the latest critical findings.

Published with `views.publish` each time the user opens the tab (`app_home_opened`); a view
replaces the last one, so publishing twice is harmless. Built from `agent/api.py` only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agent.api import Finding
from agent.messages import ApprovalView
from bot.slack import blocks as bk
from bot.slack.approval_blocks import who

MAX_WAITING = 10
MAX_MINE = 5
MAX_FINDINGS = 5

_STATUS = {
    "pending": ":hourglass_flowing_sand:",
    "approved": ":white_check_mark:",
    "executing": ":hourglass_flowing_sand:",
    "executed": ":white_check_mark:",
    "failed": ":x:",
    "stale": ":warning:",
    "rejected": ":no_entry_sign:",
    "expired": ":alarm_clock:",
    "withdrawn": ":leftwards_arrow_with_hook:",
}


def _when(at: datetime) -> str:
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{at:%Y-%m-%d %H:%M} UTC>"


def _summary(view: ApprovalView) -> str:
    return bk.escape(str(view.plan.get("summary") or f"{view.action} {view.resource_id}"))


def _waiting(view: ApprovalView) -> str:
    line = f"`{bk.escape(view.id)}` *{_summary(view)}*\nrequested by {who(view.requester, folded=True)}"
    if view.expires_at is not None:
        line += f", expires {_when(view.expires_at)}"
    return line


def _mine(view: ApprovalView) -> str:
    emoji = _STATUS.get(view.status, ":grey_question:")
    by = f" by {who(view.decided_by, folded=True)}" if view.decided_by else ""
    return f"{emoji} `{bk.escape(view.id)}` {_summary(view)}: *{bk.escape(view.status)}*{by}"


def _finding(f: Finding) -> str:
    return (
        f":rotating_light: *{bk.escape(f.title)}*\n`{bk.escape(f.resource_id)}` "
        f"({bk.escape(f.service)}, {bk.escape(f.account)} {bk.escape(f.region)}), "
        f"last seen {_when(f.last_seen)}"
    )


def _part(title: str, lines: list[str], empty: str) -> list[bk.Block]:
    blocks: list[bk.Block] = [bk.section(f"*{title}*")]
    blocks += [bk.section(line) for line in lines] or bk.context([empty])
    return blocks


def home_view(
    waiting: list[ApprovalView], mine: list[ApprovalView], findings: list[Finding], now: datetime
) -> dict[str, Any]:
    blocks: list[bk.Block] = [bk.header("CloudPilot")]
    blocks += _part(
        "Waiting for your approval",
        [_waiting(v) for v in waiting[:MAX_WAITING]],
        "Nothing waits for you. Requests appear here when you are one of their approvers.",
    )
    blocks.append(bk.divider())
    blocks += _part(
        "Your recent requests",
        [_mine(v) for v in mine[:MAX_MINE]],
        "You have not asked for any change. Ask me to fix something in a channel or here.",
    )
    blocks.append(bk.divider())
    blocks += _part(
        "Latest critical findings",
        [_finding(f) for f in findings[:MAX_FINDINGS]],
        "No open critical findings (from the last security scan you may see).",
    )
    blocks += bk.context([f"Updated {_when(now)}. Open this tab again to refresh."])
    return {"type": "home", "blocks": blocks}
