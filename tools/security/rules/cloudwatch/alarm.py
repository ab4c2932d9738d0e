"""What the CIS section 4 rules share: does a metric filter on the trail's log group match a
pattern, and does an alarm with an action watch its metric?

Reads the normalised `cloudwatch_account` attributes log_groups and monitors
([{log_group, filter_name, pattern, metric_name, namespace, alarms: [{name, actions}]}]).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import Rule, Severity, Violation


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def pattern_matches(pattern: str, required: tuple[str, ...]) -> bool:
    """Whether a filter pattern contains every required term (spacing and case ignored)."""
    squashed = _squash(pattern)
    return all(_squash(term) in squashed for term in required)


def alarmed(monitor: dict[str, Any]) -> bool:
    return any(int(a.get("actions") or 0) > 0 for a in monitor.get("alarms") or [])


class MetricAlarmRule(Rule):
    """A rule that passes when a monitored pattern covering `required` has an alarm with an action."""

    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "cloudwatch_account"
    # Terms the metric filter pattern must contain, e.g. '$.eventName = "StopLogging"'.
    required: ClassVar[tuple[str, ...]]
    # What is watched, for the finding text: "root account usage".
    watched: ClassVar[str]

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "monitors" not in attrs:
            return None
        if not attrs.get("log_groups"):
            return Violation(
                detail=f"No logging multi-region trail delivers to CloudWatch Logs, so {self.watched} "
                "cannot raise an alarm."
            )
        matching = [m for m in attrs["monitors"] if pattern_matches(str(m.get("pattern", "")), self.required)]
        if any(alarmed(m) for m in matching):
            return None
        if matching:
            names = ", ".join(str(m.get("metric_name")) for m in matching)
            return Violation(
                detail=f"A metric filter for {self.watched} exists ({names}) but no alarm acts on it."
            )
        return Violation(detail=f"No metric filter and alarm for {self.watched}.")


REMEDIATION = (
    "On the log group of the multi-region trail, create a metric filter with the CIS pattern for this "
    "control, a CloudWatch alarm on its metric (threshold >= 1), and point the alarm at an SNS topic with "
    "at least one subscriber."
)
