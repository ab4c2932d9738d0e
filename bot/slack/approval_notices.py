"""Approvers hear of a request in a direct message, besides the card in the conversation.

Who: the approval policy's people for the action (their Slack ids, from the identity table or
their canonical names) and the members of its user groups, never the requester, at most
`MAX_NOTIFIED`. Each message is a step of the job's record (`Steps`), so a job run again does not
send it twice. A message that cannot be sent (no `im:write` scope, a deactivated user) is logged
and skipped: the card in the conversation is the request; the message only points at it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from agent.api import approvers_of, same_person
from agent.messages import ApprovalView
from agent.turn import Agent
from bot.chat.conversation import MessageRef
from bot.slack import blocks as bk
from bot.slack.approval_blocks import unfold, who
from bot.slack.backend import SlackBackend
from bot.slack.groups import is_group_id

log = logging.getLogger("cloudpilot.slack")

MAX_NOTIFIED = 25
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def approver_ids(agent: Agent, backend: SlackBackend, view: ApprovalView) -> list[str]:
    """The Slack ids of who may decide the request (the requester left out), sorted."""
    approvers = approvers_of(agent, view.id)
    if approvers is None:
        return []
    ids: set[str] = set()
    for person in approvers.people:
        names = (unfold(n) for n in approvers.names.get(person, (person,)))
        ids.update(u for u in names if _USER_ID.match(u))
    if approvers.groups:
        ids.update(group_members(backend.client, approvers.groups))
    return sorted(u for u in ids if not same_person(agent, u, view.requester))


def group_members(client: WebClient, names: Iterable[str]) -> set[str]:
    """The members of the policy's groups (ids or handles, as written), in one `usergroups.list`
    call. Deliberately apart from the click's `GroupResolver` and its cache: a click is judged
    on its own lookup, never on one made for a notice minutes before."""
    wanted = {n if is_group_id(n) else n.lstrip("@") for n in names}
    try:
        listed = client.usergroups_list(include_users=True, include_disabled=False)
    except (SlackApiError, SlackClientError) as exc:
        log.warning("cannot list user groups to notify their members: %s", exc)
        return set()
    members: set[str] = set()
    for group in listed.get("usergroups") or []:
        if str(group.get("id")) in wanted or str(group.get("handle")) in wanted:
            members.update(str(u) for u in group.get("users") or [])
    return members


def notice_text(view: ApprovalView, card: MessageRef) -> str:
    summary = str(view.plan.get("summary") or f"{view.action} {view.resource_id}")
    channel = card.conversation.channel
    place = f"in <#{channel}>" if channel[:1] in ("C", "G") else "in their direct messages with me"
    return (
        f":raising_hand: {who(view.requester, folded=True)} asks for your approval ({view.id}): "
        f"*{bk.escape(summary)}*. Approve or reject it on the request {place}."
    )


def notify_approvers(agent: Agent, backend: SlackBackend, view: ApprovalView, card: MessageRef) -> None:
    users = approver_ids(agent, backend, view)
    if len(users) > MAX_NOTIFIED:
        log.warning("approval %s: %d approvers, messaging the first %d", view.id, len(users), MAX_NOTIFIED)
    text = notice_text(view, card)
    for user in users[:MAX_NOTIFIED]:
        try:
            backend.post_private(user, text)
        except Exception:  # the request stands without the message; the log says who missed it
            log.warning("approval %s: could not message approver %s", view.id, user, exc_info=True)
