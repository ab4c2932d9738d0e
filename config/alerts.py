"""Alerts (`[[alerts]]`): budgets, cost anomalies and new security findings, each posted once per
occurrence to a Slack channel and/or a signed webhook.

```toml
[[alerts]]
name = "ec2-budget"
kind = "budget"                 # budget | anomaly | findings
amount = 1000                   # per calendar month, in the bill's currency
service = "EC2"                 # scope: any of service, account, tags (none: the whole bill)
thresholds = [80, 100]          # % of amount, on the actual month-to-date spend
forecast_thresholds = [100]     # % of amount, on the month-end forecast
channel = "C0123ABCD"           # Slack channel id, and/or:
webhook_url = "https://hooks.example.com/cloudpilot"
webhook_secret = "…"            # HMAC-SHA256 key; required with webhook_url
schedule = "0 * * * *"          # when to evaluate (cron, timezone); default hourly
```
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

AlertSeverity = Literal["critical", "high", "medium", "low"]
SEVERITY_RANK: dict[str, int] = {"critical": 0, "high": 1, "medium": 2, "low": 3}


class AlertBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,55}$")
    channel: str | None = Field(default=None, min_length=1, description="Slack channel id, e.g. C0123ABC")
    webhook_url: str | None = Field(default=None, description="POST the alert as signed JSON here")
    webhook_secret: SecretStr | None = Field(default=None, description="Shared HMAC-SHA256 key")
    schedule: str = Field(default="0 * * * *", description="Cron: when to evaluate the alert")
    timezone: str = "UTC"
    # A slot missed by more than this (the scheduler was down) is skipped: the next one catches up.
    grace_minutes: int = Field(default=60, ge=1, le=1440)

    @field_validator("webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("webhook_url must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _destination(self) -> AlertBase:
        if not self.channel and not self.webhook_url:
            raise ValueError(f"alert '{self.name}': give a channel, a webhook_url or both")
        if self.webhook_url and not (self.webhook_secret and self.webhook_secret.get_secret_value()):
            raise ValueError(f"alert '{self.name}': webhook_url needs webhook_secret (deliveries are signed)")
        return self


def _percentages(value: list[float]) -> list[float]:
    if any(p <= 0 or p > 1000 for p in value):
        raise ValueError("thresholds are percentages of the amount, between 0 and 1000")
    return sorted(set(value))


class BudgetAlert(AlertBase):
    """A monthly budget for a scope: the whole bill, or a service, an account, tags (combined)."""

    kind: Literal["budget"]
    amount: Decimal = Field(gt=0)
    service: str | None = None
    account: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    cost_type: Literal["billed", "effective"] = "billed"
    thresholds: list[float] = Field(default_factory=lambda: [80.0, 100.0])
    forecast_thresholds: list[float] = Field(default_factory=lambda: [100.0])

    _pct = field_validator("thresholds", "forecast_thresholds")(_percentages)

    @model_validator(mode="after")
    def _some_threshold(self) -> BudgetAlert:
        if not self.thresholds and not self.forecast_thresholds:
            raise ValueError(f"alert '{self.name}': give thresholds or forecast_thresholds")
        return self


class AnomalyAlert(AlertBase):
    """Cost anomalies at or above a severity."""

    kind: Literal["anomaly"]
    min_severity: AlertSeverity = "high"
    group_by: Literal["service", "account"] = "service"
    service: str | None = None
    account: str | None = None
    period: str = Field(default="last_7_days", description="The days searched at each evaluation")
    sensitivity: Literal["low", "medium", "high"] = "medium"


class FindingsAlert(AlertBase):
    """Runs a security scan on its schedule and alerts on findings that are new at or above a
    severity (critical, or critical and high). A finding alerts again only after it was resolved
    and came back."""

    kind: Literal["findings"]
    min_severity: Literal["critical", "high"] = "high"
    schedule: str = Field(default="0 6 * * *", description="Cron: when to scan (default daily 06:00)")
    services: list[str] = Field(default_factory=list, description="Scan only these services (all when empty)")


AlertSettings = Annotated[BudgetAlert | AnomalyAlert | FindingsAlert, Field(discriminator="kind")]


def unique_alert_names(value: list[AlertSettings]) -> list[AlertSettings]:
    names = [a.name for a in value]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"alert names must be unique: {', '.join(repeated)}")
    return value
