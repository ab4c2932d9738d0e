"""Which IAM actions in a policy let its holder raise their own permissions.

Shared by the inline- and customer-policy privilege-escalation rules. The combinations are the
well-known escalation paths (a new policy version, attaching or writing policies, passing a role to
new compute, editing trust policies, creating credentials for other users).
"""

from __future__ import annotations

from typing import Any

from tools.security.rule_kinds import allowed_actions

# A path is a set of actions that together allow escalation; any action matching a "*" wildcard
# of the same service counts.
PATHS: dict[str, tuple[str, ...]] = {
    "iam:CreatePolicyVersion": ("iam:CreatePolicyVersion",),
    "iam:SetDefaultPolicyVersion": ("iam:SetDefaultPolicyVersion",),
    "iam:AttachUserPolicy": ("iam:AttachUserPolicy",),
    "iam:AttachGroupPolicy": ("iam:AttachGroupPolicy",),
    "iam:AttachRolePolicy": ("iam:AttachRolePolicy",),
    "iam:PutUserPolicy": ("iam:PutUserPolicy",),
    "iam:PutGroupPolicy": ("iam:PutGroupPolicy",),
    "iam:PutRolePolicy": ("iam:PutRolePolicy",),
    "iam:AddUserToGroup": ("iam:AddUserToGroup",),
    "iam:UpdateAssumeRolePolicy": ("iam:UpdateAssumeRolePolicy",),
    "iam:CreateAccessKey": ("iam:CreateAccessKey",),
    "iam:CreateLoginProfile": ("iam:CreateLoginProfile",),
    "iam:UpdateLoginProfile": ("iam:UpdateLoginProfile",),
    "iam:PassRole + lambda:CreateFunction": ("iam:PassRole", "lambda:CreateFunction"),
    "iam:PassRole + ec2:RunInstances": ("iam:PassRole", "ec2:RunInstances"),
    "iam:PassRole + cloudformation:CreateStack": ("iam:PassRole", "cloudformation:CreateStack"),
    "iam:PassRole + glue:CreateDevEndpoint": ("iam:PassRole", "glue:CreateDevEndpoint"),
}


def _grants(granted: list[str], action: str) -> bool:
    service = action.split(":", 1)[0].lower()
    wanted = action.lower()
    for g in granted:
        g = g.lower()
        if g in ("*", "*:*", f"{service}:*", wanted):
            return True
        if g.endswith("*") and wanted.startswith(g[:-1]):
            return True
    return False


def escalation_paths(document: dict[str, Any] | None) -> list[str]:
    """The escalation paths the policy's Allow statements grant, by name."""
    granted = [action for action, _ in allowed_actions(document)]
    if not granted or any(g in ("*", "*:*") for g in granted):
        # Full administrators are reported by the full-admin rules.
        return []
    return [name for name, actions in PATHS.items() if all(_grants(granted, a) for a in actions)]
