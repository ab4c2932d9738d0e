"""Shapes many rules share: a setting that must have a given value, and a resource policy that
must not admit everyone. Each rule still lives in its own file and only sets its metadata."""

from __future__ import annotations

from typing import Any, ClassVar

from tools.inventory.exposure import public_policy_actions
from tools.inventory.resources import Resource
from tools.security.rule import Rule, Violation


class SettingRule(Rule):
    """Fails when the normalised `attribute` is known and is not one of `passing`.

    A missing attribute (None) means unknown, so it never fails on its own.
    """

    attribute: ClassVar[str]
    passing: ClassVar[tuple[Any, ...]] = (True,)
    # The finding text: "{name}" is the resource's name, "{value}" the attribute's value.
    failure: ClassVar[str]

    def evaluate(self, resource: Resource) -> Violation | None:
        value = resource.attributes.get(self.attribute)
        if value is None or value in self.passing:
            return None
        return Violation(
            detail=self.failure.format(name=resource.name, value=value),
            remediation_params=self.params(resource),
        )

    def params(self, resource: Resource) -> dict[str, Any]:
        """Parameters of the remediation action, if the rule has one."""
        return {}


class PublicPolicyRule(Rule):
    """Fails when the resource policy in `attribute` allows everyone (principal "*") without a
    condition that limits the callers to some accounts, networks or organisations."""

    attribute: ClassVar[str] = "policy"
    # "{name}" and "{actions}" (the actions allowed to everyone).
    failure: ClassVar[str] = "{name}: its resource policy allows anyone to call {actions}."

    def evaluate(self, resource: Resource) -> Violation | None:
        policy = resource.attributes.get(self.attribute)
        actions = public_policy_actions(policy if isinstance(policy, dict) else None)
        if not actions:
            return None
        shown = ", ".join(sorted(set(map(str, actions)))[:5])
        return Violation(detail=self.failure.format(name=resource.name, actions=shown))


def policy_statements(document: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The statements of an IAM policy document, always as a list of dicts."""
    statements = (document or {}).get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    return [s for s in statements if isinstance(s, dict)]


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def allowed_actions(document: dict[str, Any] | None) -> list[tuple[str, list[str]]]:
    """(action, resources) for every action an Allow statement grants (NotAction is left out)."""
    out: list[tuple[str, list[str]]] = []
    for st in policy_statements(document):
        if st.get("Effect") != "Allow":
            continue
        resources = as_list(st.get("Resource"))
        out.extend((a, resources) for a in as_list(st.get("Action")))
    return out


def grants_full_access(document: dict[str, Any] | None, service: str | None = None) -> bool:
    """An Allow of "*" (or "<service>:*") on resource "*"."""
    wanted = {"*", "*:*"} if service is None else {f"{service}:*"}
    return any(
        action.lower() in wanted and "*" in resources for action, resources in allowed_actions(document)
    )
