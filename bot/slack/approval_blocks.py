"""The approval request message: the plan with Approve / Reject buttons, and its decided form."""

from __future__ import annotations

import re
from typing import Any

from agent.messages import ApprovalView
from bot.slack import blocks as bk
from bot.slack.groups import is_group_id

APPROVE_ACTION = "cloudpilot_approve"
REJECT_ACTION = "cloudpilot_reject"
ACTION_PATTERN = re.compile(rf"^({APPROVE_ACTION}|{REJECT_ACTION})$")
MAX_CHANGES = 20

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
# Requesters and deciders are canonical identities (config/identity.py): a Slack user who is not in
# [identities] arrives case-folded, e.g. u024be7lh, and Slack ids are upper case.
_FOLDED_USER_ID = re.compile(r"^[uw][a-z0-9]{2,}$")

_OUTCOME = {
    "approved": (":white_check_mark:", "Approved"),
    "executing": (":hourglass_flowing_sand:", "Approved, being applied"),
    "executed": (":white_check_mark:", "Approved and applied"),
    "failed": (":x:", "Approved, but applying it failed"),
    "rejected": (":no_entry_sign:", "Rejected"),
    "expired": (":alarm_clock:", "Expired"),
}


def unfold(name: str) -> str:
    """A canonical identity shaped like a case-folded Slack id, back in Slack's upper case."""
    return name.upper() if _FOLDED_USER_ID.match(name) else name


def who(name: str, *, folded: bool = False) -> str:
    """A Slack mention for user ids and user group ids; anything else as plain text. `folded`: the
    name is a canonical identity, where a Slack id is lower case."""
    if folded:
        name = unfold(name)
    if _USER_ID.match(name):
        return f"<@{name}>"
    if name.startswith("@") and is_group_id(name[1:]):
        return f"<!subteam^{name[1:]}>"
    return bk.escape(name)


def _plan(view: ApprovalView) -> str:
    plan: dict[str, Any] = view.plan
    summary = str(plan.get("summary") or f"{view.action} {view.resource_id}")
    changes = [str(c) for c in plan.get("changes") or []]
    lines = [f"*{bk.escape(summary)}*"]
    lines += [f"• {bk.escape(c)}" for c in changes[:MAX_CHANGES]]
    if len(changes) > MAX_CHANGES:
        lines.append(f"_…and {len(changes) - MAX_CHANGES} more changes_")
    return "\n".join(lines)


def _facts(view: ApprovalView) -> list[str]:
    approvers = ", ".join(who(a) for a in view.approvers) or "nobody (check the approval policy)"
    facts = [
        f"*Action*\n`{bk.escape(view.action)}`",
        f"*Resource*\n`{bk.escape(view.resource_id)}`",
        f"*Requested by*\n{who(view.requester, folded=True)}",
        f"*Approvers*\n{approvers}",
    ]
    if view.expires_at is not None:
        stamp = int(view.expires_at.timestamp())
        facts.append(
            f"*Expires*\n<!date^{stamp}^{{date_short_pretty}} {{time}}|{view.expires_at:%Y-%m-%d %H:%M} UTC>"
        )
    return facts


def _confirm(title: str, text: str, confirm: str) -> dict[str, Any]:
    return {
        "title": bk.plain(title, 100),
        "text": {"type": "mrkdwn", "text": bk.truncate(text, 300)},
        "confirm": bk.plain(confirm, 30),
        "deny": bk.plain("Cancel", 30),
    }


def pending_message(view: ApprovalView) -> tuple[str, list[bk.Block]]:
    target = f"`{bk.escape(view.action)}` on `{bk.escape(view.resource_id)}`"
    buttons = [
        {
            "type": "button",
            "action_id": APPROVE_ACTION,
            "value": view.id,
            "style": "primary",
            "text": bk.plain("Approve", 75),
            "confirm": _confirm(
                "Approve this change?", f"CloudPilot will apply {target} right away.", "Approve"
            ),
        },
        {
            "type": "button",
            "action_id": REJECT_ACTION,
            "value": view.id,
            "style": "danger",
            "text": bk.plain("Reject", 75),
            "confirm": _confirm("Reject this change?", f"Nothing will be changed on {target}.", "Reject"),
        },
    ]
    blocks = [
        bk.header(f"Approval required: {view.action}"),
        bk.section(_plan(view)),
        bk.fields_section(_facts(view)),
        *bk.context([f"Dry run: nothing has changed yet. Approval id `{bk.escape(view.id)}`."]),
        {"type": "actions", "block_id": f"approval:{view.id}", "elements": buttons},
    ]
    text = f"Approval required: {view.action} on {view.resource_id} (requested by {unfold(view.requester)})"
    return text, blocks


def decided_message(view: ApprovalView) -> tuple[str, list[bk.Block]]:
    emoji, label = _OUTCOME.get(view.status, (":grey_question:", view.status.capitalize()))
    by = f" by {who(view.decided_by, folded=True)}" if view.decided_by else ""
    outcome = f"{emoji} *{label}*{by}"
    result = view.result or {}
    details = [str(result[k]) for k in ("applied", "verification", "error") if result.get(k)]
    if details:
        outcome += "\n" + bk.escape(bk.truncate("\n".join(details), 1500))
    blocks = [
        bk.header(f"{label}: {view.action}"),
        bk.section(_plan(view)),
        bk.fields_section(_facts(view)[:3]),
        bk.section(outcome),
        *bk.context([f"Approval id `{bk.escape(view.id)}`."]),
    ]
    by_text = f" by {unfold(view.decided_by)}" if view.decided_by else ""
    text = f"{label}{by_text}: {view.action} on {view.resource_id}"
    return text, blocks
