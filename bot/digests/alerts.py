"""Runs alerts (`[[alerts]]`): evaluates each on its schedule through the agent's alert API and
posts every new occurrence once — to a chat channel through the digests' `Poster`, and/or to a
signed webhook.

Once, across runs, restarts and replicas: a schedule slot is claimed in SQL (`DigestRuns`, as
digests are), and each occurrence is claimed per destination in SQL (`AlertLog`) before it is
sent and marked sent after; a failed delivery is retried at the next evaluation. The occurrences
found in one evaluation go out together, as one message (one thread to follow up in) and one
webhook request. With PostgreSQL, `cloudpilot serve worker` runs them as a periodic job of the
durable queue (`bot/digests/tasks.py`); the single-machine default runs them in `serve digests`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent.api import (
    AlertEvaluation,
    AlertEvent,
    AlertLog,
    DigestRuns,
    agent_now,
    alert_log,
    digest_runs,
    evaluate_alert,
)
from agent.turn import Agent
from bot.digests.runner import Poster
from bot.digests.schedule import Cron, ScheduleError, parse
from bot.digests.webhook import WebhookError, WebhookSender
from config.alerts import AlertSettings
from config.settings import Settings

log = logging.getLogger("cloudpilot.alerts")

SLACK, WEBHOOK = "channel", "webhook"
SLOT_PREFIX = "alert:"
MAX_LINES = 20
_ICONS = {"critical": ":rotating_light:", "high": ":warning:", "warning": ":warning:"}


@dataclass
class Delivery:
    destination: str  # "channel" or "webhook"
    events: list[AlertEvent]
    ok: bool = True
    detail: str = ""


@dataclass
class AlertOutcome:
    name: str
    kind: str
    slot: datetime | None
    ok: bool = True
    evaluated: int = 0
    deliveries: list[Delivery] = field(default_factory=list)
    detail: str = ""

    def __str__(self) -> str:
        when = f" ({self.slot:%Y-%m-%d %H:%M %Z})" if self.slot else ""
        return f"alert {self.name}{when}: {self.detail}"

    @property
    def posted(self) -> int:
        return sum(len(d.events) for d in self.deliveries if d.ok)


class AlertRunner:
    def __init__(
        self,
        settings: Settings,
        agent: Agent,
        poster: Poster | None,
        log_: AlertLog | None = None,
        runs: DigestRuns | None = None,
        sender: WebhookSender | None = None,
    ) -> None:
        self.alerts = {a.name: a for a in settings.alerts}
        self.agent = agent
        self.poster = poster
        self.log = log_ or alert_log(agent)
        self.runs = runs or digest_runs(agent)
        self.sender = sender or WebhookSender()
        self.crons: dict[str, Cron] = {}
        for a in settings.alerts:
            try:
                self.crons[a.name] = parse(a.schedule, a.timezone)
            except ScheduleError as exc:
                raise ScheduleError(f"alert '{a.name}': {exc}") from None

    def now(self) -> datetime:
        return agent_now(self.agent)

    def next_runs(self, now: datetime) -> dict[str, datetime]:
        return {SLOT_PREFIX + name: cron.next_after(now) for name, cron in self.crons.items()}

    def run_due(self, now: datetime, owner: str | None = None, rerun: bool = False) -> list[AlertOutcome]:
        """Evaluate every alert whose current slot no scheduler has claimed yet. `owner` names the
        caller (a queued job) in its occurrence claims; `rerun`: that job ran before and may have
        claimed the slot before it was killed, so a taken slot is evaluated again (harmless: an
        evaluation reads, and each occurrence is still sent once)."""
        outcomes = []
        for name, alert in self.alerts.items():
            slot = self.crons[name].latest_at_or_before(now, timedelta(minutes=alert.grace_minutes))
            if slot is None:
                continue
            if not self.runs.claim(SLOT_PREFIX + name, slot, now) and not rerun:
                continue
            outcome = self.run(alert, slot=slot, owner=owner)
            self.runs.finish(SLOT_PREFIX + name, slot, self.now(), ok=outcome.ok, detail=outcome.detail)
            outcomes.append(outcome)
        return outcomes

    def run_all(self, *, dry_run: bool = False) -> list[AlertOutcome]:
        return [self.run(a, dry_run=dry_run) for a in self.alerts.values()]

    def run(
        self,
        alert: AlertSettings,
        *,
        slot: datetime | None = None,
        dry_run: bool = False,
        owner: str | None = None,
    ) -> AlertOutcome:
        """Evaluate one alert now and deliver what is new (or, dry, only say what would go)."""
        outcome = AlertOutcome(alert.name, alert.kind, slot)
        destinations = [d for d, on in ((SLACK, alert.channel), (WEBHOOK, alert.webhook_url)) if on]
        known = {k.split(":", 1)[1] for k in self.log.keys(alert.name) if ":" in k}
        try:
            evaluation = evaluate_alert(self.agent.rt, alert, known)
        except Exception as exc:  # a tool bug must not stop the other alerts
            log.exception("alert %s: evaluation failed", alert.name)
            outcome.ok, outcome.detail = False, f"evaluation failed: {exc}"
            return outcome
        outcome.evaluated = len(evaluation.events)
        if not evaluation.ok:
            outcome.ok, outcome.detail = False, evaluation.note
            return outcome
        if evaluation.ended and not dry_run:
            self.log.release(alert.name, [f"{d}:{k}" for d in (SLACK, WEBHOOK) for k in evaluation.ended])
        now = self.now()
        thread: str | None = None
        for destination in destinations:
            if dry_run:
                fresh = [
                    e for e in evaluation.events if not self.log.seen(alert.name, f"{destination}:{e.key}")
                ]
                if fresh:
                    outcome.deliveries.append(Delivery(destination, fresh, detail="dry run: not sent"))
                continue
            if destination == SLACK and self.poster is None:
                outcome.ok = False
                outcome.deliveries.append(
                    Delivery(
                        SLACK, [], ok=False, detail="no chat client: set slack.bot_token to post to channels"
                    )
                )
                continue
            claimed = [
                e
                for e in evaluation.events
                if self.log.claim(alert.name, f"{destination}:{e.key}", now, e.title, owner=owner)
            ]
            if not claimed:
                continue
            delivery = Delivery(destination, claimed)
            try:
                if destination == SLACK:
                    thread = self._post(alert, evaluation, claimed)
                    delivery.detail = f"posted to {alert.channel} (thread {thread})"
                else:
                    status = self._send(alert, evaluation, claimed, thread)
                    delivery.detail = f"webhook answered {status}"
            except Exception as exc:
                delivery.ok, delivery.detail = False, _reason(exc)
                outcome.ok = False
                log.warning("alert %s: %s delivery failed: %s", alert.name, destination, delivery.detail)
            finished = self.now()
            for event in claimed:
                key = f"{destination}:{event.key}"
                self.log.finish(alert.name, key, finished, ok=delivery.ok, detail=delivery.detail)
                if delivery.ok and event.covers:
                    self.log.cover(alert.name, [f"{destination}:{c}" for c in event.covers], finished, by=key)
            outcome.deliveries.append(delivery)
        outcome.detail = _summary(outcome, evaluation, dry_run)
        return outcome

    def _post(self, alert: AlertSettings, evaluation: AlertEvaluation, events: Sequence[AlertEvent]) -> str:
        assert self.poster is not None and alert.channel
        return self.poster.post_text(alert.channel, slack_text(alert, evaluation, events))

    def _send(
        self,
        alert: AlertSettings,
        evaluation: AlertEvaluation,
        events: Sequence[AlertEvent],
        thread: str | None,
    ) -> int:
        assert alert.webhook_url and alert.webhook_secret
        payload = webhook_payload(alert, evaluation, events, self.now(), thread)
        return self.sender.send(
            alert.webhook_url, alert.webhook_secret.get_secret_value(), payload, str(payload["delivery"])
        )


def delivery_id(alert: str, events: Sequence[AlertEvent]) -> str:
    digest = hashlib.sha256("\n".join([alert, *sorted(e.key for e in events)]).encode()).hexdigest()
    return f"al-{digest[:24]}"


def slack_text(alert: AlertSettings, evaluation: AlertEvaluation, events: Sequence[AlertEvent]) -> str:
    worst = min((e.severity for e in events), key=_rank)
    noun = "occurrence" if len(events) == 1 else "occurrences"
    lines = [f"{_ICONS.get(worst, ':bell:')} *Alert {alert.name}* ({alert.kind}) — {len(events)} new {noun}"]
    for event in events[:MAX_LINES]:
        lines.append(f"• {event.title}")
        if event.detail:
            lines.append(f"   {event.detail[:300]}")
    if len(events) > MAX_LINES:
        lines.append(f"…and {len(events) - MAX_LINES} more.")
    if evaluation.followup:
        lines.append(f"_Reply in this thread to ask a follow-up, e.g. “{evaluation.followup}”_")
    return "\n".join(lines)


def webhook_payload(
    alert: AlertSettings,
    evaluation: AlertEvaluation,
    events: Sequence[AlertEvent],
    now: datetime,
    thread: str | None = None,
) -> dict[str, object]:
    payload: dict[str, object] = {
        "type": "cloudpilot.alert",
        "delivery": delivery_id(alert.name, events),
        "alert": alert.name,
        "kind": alert.kind,
        "sent_at": now.isoformat(),
        "events": [
            {"key": e.key, "severity": e.severity, "title": e.title, "detail": e.detail, "data": e.data}
            for e in events
        ],
        "followup": {
            "question": evaluation.followup,
            "hint": f"Ask CloudPilot (Slack thread or `cloudpilot ask`): “{evaluation.followup}”",
        },
    }
    if thread and alert.channel:
        payload["thread"] = {"channel": alert.channel, "ts": thread}
    return payload


def _rank(severity: str) -> int:
    return {"critical": 0, "high": 1, "warning": 1, "medium": 2, "low": 3}.get(severity, 4)


def _summary(outcome: AlertOutcome, evaluation: AlertEvaluation, dry_run: bool) -> str:
    parts = [f"{outcome.evaluated} current"]
    for d in outcome.deliveries:
        verb = "would send" if dry_run else ("sent" if d.ok else "FAILED")
        parts.append(
            f"{d.destination}: {verb} {len(d.events)} ({d.detail})"
            if d.detail
            else f"{d.destination}: {verb}"
        )
    if not outcome.deliveries:
        parts.append("nothing new")
    if evaluation.note:
        parts.append(evaluation.note)
    return "; ".join(parts)


def _reason(exc: Exception) -> str:
    if isinstance(exc, WebhookError):
        return str(exc)
    response = getattr(exc, "response", None)
    error = response.get("error") if response is not None and hasattr(response, "get") else None
    return str(error or exc)
