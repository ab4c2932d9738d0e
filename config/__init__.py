"""The one typed settings object, its defaults and the approval policy."""

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
    "ApprovalPolicy",
    "ApprovalRule",
    "AwsSettings",
    "Clock",
    "LlmSettings",
    "Settings",
    "SlackSettings",
    "load_settings",
]
