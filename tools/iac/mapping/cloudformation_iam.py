"""CloudFormation IAM resources -> normalised Resources: users, managed and standalone policies,
and the inline policies of users, roles and groups."""

from __future__ import annotations

from typing import Any

from tools.iac.mapping.cloudformation_template import Template
from tools.iac.mapping.common import Mapped, as_list

# Read into the user it belongs to.
IAM_COMPANIONS = frozenset({"AWS::IAM::AccessKey"})


def _policy(
    lid: str, name: str, document: Any, attachments: int, mapped: Mapped, inline_of: str | None = None
) -> None:
    attrs: dict[str, Any] = {
        "document": document if isinstance(document, dict) else None,
        "attachment_count": attachments,
        "path": "/",
        "default_version": "v1",
    }
    if inline_of:
        attrs["inline_of"] = inline_of
    mapped.add("iam_policy", id=lid, name=name, region="global", attributes=attrs)


def map_managed_policy(t: Template, lid: str, mapped: Mapped) -> None:
    p = t.props(lid)
    attachments = sum(len(as_list(p.get(k))) for k in ("Roles", "Users", "Groups"))
    for kind in ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"):
        for other in t.of_type(kind):
            arns = as_list(t.props(other).get("ManagedPolicyArns"))
            attachments += sum(1 for arn in arns if t.target(arn) == lid)
    _policy(lid, t.literal(p.get("ManagedPolicyName")) or lid, p.get("PolicyDocument"), attachments, mapped)


def map_inline_policies(t: Template, lid: str, mapped: Mapped) -> list[str]:
    names = []
    for i, entry in enumerate(as_list(t.props(lid).get("Policies"))):
        if isinstance(entry, dict):
            name = t.literal(entry.get("PolicyName")) or f"inline-{i}"
            _policy(f"{lid}:{name}", name, entry.get("PolicyDocument"), 1, mapped, inline_of=lid)
            names.append(name)
    return names


def map_user(t: Template, lid: str, mapped: Mapped) -> None:
    p = t.props(lid)
    name = t.literal(p.get("UserName")) or lid
    attached = [str(t.target(a) or a) for a in as_list(p.get("ManagedPolicyArns"))]
    attached += [
        o
        for o in t.of_type("AWS::IAM::ManagedPolicy") + t.of_type("AWS::IAM::Policy")
        if any(t.target(u) == lid for u in as_list(t.props(o).get("Users")))
    ]
    attrs = {
        "console_access": "LoginProfile" in p,
        "mfa_devices": 0,
        "active_access_keys": len(t.pointing_at("AWS::IAM::AccessKey", "UserName", lid)),
        "access_keys": [],
        "attached_policies": attached,
        "inline_policies": map_inline_policies(t, lid, mapped),
        "created": None,
        "password_last_used": None,
        "path": t.literal(p.get("Path")) or "/",
    }
    mapped.add("iam_user", id=lid, name=name, region="global", attributes=attrs, tags=t.tags(p))


def map_policy(t: Template, lid: str, mapped: Mapped) -> None:
    """An AWS::IAM::Policy: attached to every identity it lists."""
    p = t.props(lid)
    attachments = sum(len(as_list(p.get(k))) for k in ("Roles", "Users", "Groups"))
    _policy(lid, t.literal(p.get("PolicyName")) or lid, p.get("PolicyDocument"), attachments, mapped)
