"""Terraform IAM resources -> normalised Resources: users (with their login profile, access keys
and attachments), managed policies, inline policies and the inline policies of roles."""

from __future__ import annotations

from tools.iac.mapping.common import Mapped, as_list
from tools.iac.mapping.terraform_values import linked, literal, policy_document, refers_to, tags
from tools.iac.validate.terraform import TfBlock, TfDoc, reference_target

_ATTACHMENTS = (
    "aws_iam_role_policy_attachment",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_policy_attachment",
)
# Inline policy resource -> the argument naming the identity it belongs to.
INLINE_POLICIES = {
    "aws_iam_role_policy": "role",
    "aws_iam_user_policy": "user",
    "aws_iam_group_policy": "group",
}
# Read into the user or policy they belong to.
IAM_COMPANIONS = frozenset({"aws_iam_user_login_profile", "aws_iam_access_key", *_ATTACHMENTS})


def map_user(doc: TfDoc, user: TfBlock, mapped: Mapped) -> None:
    name = literal(doc, user.body.get("name")) or user.address
    attached = [a.address for a in linked(doc, "aws_iam_user_policy_attachment", "user", user, name)]
    attached += [
        a.address
        for a in doc.by_type("aws_iam_policy_attachment")
        if any(refers_to(doc, u, user, name) for u in as_list(a.body.get("users")))
    ]
    attrs = {
        "console_access": bool(linked(doc, "aws_iam_user_login_profile", "user", user, name)),
        "mfa_devices": 0,
        "active_access_keys": len(linked(doc, "aws_iam_access_key", "user", user, name)),
        "access_keys": [],
        "attached_policies": attached,
        "inline_policies": [p.address for p in linked(doc, "aws_iam_user_policy", "user", user, name)],
        "created": None,
        "password_last_used": None,
        "path": literal(doc, user.body.get("path")) or "/",
    }
    mapped.add(
        "iam_user", id=user.address, name=name, region="global", attributes=attrs, tags=tags(doc, user.body)
    )


def map_managed_policy(doc: TfDoc, policy: TfBlock, mapped: Mapped) -> None:
    attachments = 0
    for kind in _ATTACHMENTS:
        for a in doc.by_type(kind):
            if refers_to(doc, a.body.get("policy_arn"), policy):
                attachments += (
                    1
                    if kind != "aws_iam_policy_attachment"
                    else max(1, sum(len(as_list(a.body.get(k))) for k in ("users", "roles", "groups")))
                )
    name = literal(doc, policy.body.get("name")) or policy.address
    attrs = {
        "document": policy_document(doc, policy.body.get("policy")),
        "attachment_count": attachments,
        "path": literal(doc, policy.body.get("path")) or "/",
        "default_version": "v1",
    }
    mapped.add(
        "iam_policy",
        id=policy.address,
        name=name,
        region="global",
        attributes=attrs,
        tags=tags(doc, policy.body),
    )


def map_inline_policy(doc: TfDoc, policy: TfBlock, mapped: Mapped) -> None:
    # An inline policy is attached to exactly its one identity.
    owner = INLINE_POLICIES[policy.type]
    attrs = {
        "document": policy_document(doc, policy.body.get("policy")),
        "attachment_count": 1,
        "path": "/",
        "default_version": "v1",
        "inline_of": reference_target(policy.body.get(owner)) or literal(doc, policy.body.get(owner)),
    }
    name = literal(doc, policy.body.get("name")) or policy.address
    mapped.add("iam_policy", id=policy.address, name=name, region="global", attributes=attrs)


def map_role(doc: TfDoc, role: TfBlock, mapped: Mapped) -> None:
    """A role's inline_policy blocks are policies attached to it; the role itself has no rule."""
    for i, block in enumerate(as_list(role.body.get("inline_policy"))):
        if isinstance(block, dict) and block.get("policy"):
            attrs = {
                "document": policy_document(doc, block.get("policy")),
                "attachment_count": 1,
                "path": "/",
                "default_version": "v1",
                "inline_of": role.address,
            }
            label = literal(doc, block.get("name")) or f"inline-{i}"
            mapped.add(
                "iam_policy", id=f"{role.address}:{label}", name=label, region="global", attributes=attrs
            )
