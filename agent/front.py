"""What a chat front-end needs about approvals and findings, beyond a turn.

The cards a platform posts, who may decide a request, what waits for whom (a home tab, a
reminder), the latest critical findings: answered here from the agent's runtime, so that no
front-end reaches into the store or the approval service itself (re-exported by
`agent/api.py`). Identities are compared as people (`config/identity.py`), never as strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.messages import ApprovalView
from config.identity import IdentityError, normalise
from store.approvals import Approval, ApprovalStatus
from store.finding_types import FindingStatus, StoredFinding
from store.findings import FindingStore

if TYPE_CHECKING:
    from agent.turn import Agent


@dataclass(frozen=True)
class ApprovalCard:
    """A request as its card needs it: where it was asked and where its buttons are."""

    id: str
    action: str
    status: str
    requester: str  # canonical
    conversation_id: str  # the conversation it was asked in (bot/chat/conversation.py)
    message_ref: str | None  # the card it was posted as (`attach_card`), None before that


@dataclass(frozen=True)
class Approvers:
    """Who may decide a request: the policy's people (canonical, the requester left out) with
    every name the identity table gives each (as written there: platform ids), and its groups."""

    people: tuple[str, ...]
    names: dict[str, tuple[str, ...]]  # person -> their names and aliases, as configured
    groups: frozenset[str]  # the policy's group names, as written (the platform resolves them)


def approval_card(agent: Agent, approval_id: str) -> ApprovalCard | None:
    """The request `approval_id`, or None when there is none."""
    approval = agent.rt.approvals.approvals.get(approval_id)
    if approval is None:
        return None
    return ApprovalCard(
        approval.id,
        approval.action,
        approval.status.value,
        approval.requester,
        approval.conversation_id,
        approval.message_ref,
    )


def attach_card(agent: Agent, approval_id: str, message_ref: str) -> None:
    """Record where the request's card is (`MessageRef.key`): a decision is honoured only from it."""
    agent.rt.approvals.approvals.set_message_ref(approval_id, message_ref)


def approver_groups(agent: Agent, action: str | None = None) -> frozenset[str]:
    """The approval policy's groups (as written) whose members may decide `action`; without
    an action, every group the policy names (e.g. to resolve someone's memberships once)."""
    policy = agent.rt.approvals.policy
    if action is None:
        return frozenset(g for rule in policy.rules for g in rule.groups)
    _, groups = policy.approvers_for(action)
    return frozenset(groups)


def approvers_of(agent: Agent, approval_id: str) -> Approvers | None:
    """Who may decide the request (the requester never): for notifying them."""
    approval = agent.rt.approvals.approvals.get(approval_id)
    if approval is None:
        return None
    users, groups = agent.rt.approvals.policy.approvers_for(approval.action)
    identities = agent.rt.approvals.identities
    people: list[str] = []
    for user in sorted(users):
        try:
            person = identities.canonical(user)
        except IdentityError:
            continue  # the settings refuse such names; never guess who one means
        if person not in people and not identities.same(person, approval.requester):
            people.append(person)
    return Approvers(tuple(people), {p: names_of(agent, p) for p in people}, frozenset(groups))


def names_of(agent: Agent, person: str) -> tuple[str, ...]:
    """Every name of `person` in the identity table (their own and their aliases, as written:
    a platform needs its ids in their own case), the canonical name first."""
    identities = agent.rt.approvals.identities
    names = [person]
    for owner, aliases in agent.rt.settings.identities.items():
        for name in [owner, *aliases]:
            try:
                if identities.same(name, person) and name not in names:
                    names.append(name)
            except IdentityError:  # pragma: no cover - the settings validate the table
                continue
    return tuple(names)


def canonical_user(agent: Agent, name: str) -> str:
    """The person `name` stands for (`IdentityError` for a name that cannot be trusted)."""
    return agent.rt.approvals.identities.canonical(name)


def same_person(agent: Agent, a: str, b: str) -> bool:
    """Whether two names are one person (a name that cannot be normalised is nobody)."""
    return agent.rt.approvals.identities.same(a, b)


def waiting_for(
    agent: Agent, approver: str, groups: Iterable[str] = (), limit: int = 20
) -> list[ApprovalView]:
    """Pending, unexpired requests that `approver` (a member of `groups`, the policy's names)
    may decide, oldest first: what waits for them."""
    service = agent.rt.approvals
    now = service.clock.now()
    member_of = set(groups)
    out: list[ApprovalView] = []
    for approval in service.approvals.in_status({ApprovalStatus.PENDING}):
        if approval.is_expired(now) or service.may_decide(approval, approver, member_of) is not None:
            continue
        out.append(_view(agent, approval))
        if len(out) >= limit:
            break
    return out


def recent_requests(agent: Agent, requester: str, limit: int = 10, scan: int = 500) -> list[ApprovalView]:
    """`requester`'s own requests, newest first (among the newest `scan` requests)."""
    try:
        person = normalise(requester)
    except IdentityError:
        return []
    service = agent.rt.approvals
    mine = [a for a in service.approvals.list(None, scan) if service.identities.same(a.requester, person)]
    return [_view(agent, a) for a in mine[:limit]]


def latest_critical_findings(
    agent: Agent, user: str, channel: str = "", limit: int = 5
) -> list[StoredFinding]:
    """Open critical findings, newest first, in the accounts the access policy lets `user`
    (in `channel`, "" for a personal view) see through `list_findings`; none if it may not."""
    settings = agent.rt.settings
    decision = settings.access.decide(
        channel=channel, user=user, tool="list_findings", aws_mode=settings.aws.mode
    )
    if not decision.allowed:
        return []
    found = FindingStore(agent.rt.store).list(
        severity="critical",
        status=FindingStatus.OPEN.value,
        now=agent.rt.ctx.clock.now(),
        accounts=decision.accounts,
        limit=1000,
    )
    found.sort(key=lambda f: f.last_seen, reverse=True)
    return found[:limit]


def _view(agent: Agent, a: Approval) -> ApprovalView:
    # As `Agent.view` shows a request, without reading it again.
    return ApprovalView(
        id=a.id,
        action=a.action,
        resource_id=a.resource_id,
        plan=a.plan,
        status=a.status.value,
        requester=a.requester,
        approvers=agent.rt.approvals.approvers(a.action),
        expires_at=a.expires_at,
        decided_by=a.decided_by,
        result=a.result,
    )
