"""The one typed settings object, its defaults, the approval policy and the access policy."""

from config.access import AccessDecision, AccessPolicy, AccessRule
from config.audit import AuditSettings
from config.clock import Clock
from config.settings import (
    ApprovalPolicy,
    ApprovalRule,
    AwsSettings,
    LlmSettings,
    Settings,
    SlackSettings,
    load_settings,
)

__all__ = [
    "AccessDecision",
    "AccessPolicy",
    "AccessRule",
    "ApprovalPolicy",
    "ApprovalRule",
    "AuditSettings",
    "AwsSettings",
    "Clock",
    "LlmSettings",
    "Settings",
    "SlackSettings",
    "load_settings",
]
