"""Settings: env prefix CLOUDPILOT_, optional TOML file, built once at start-up and passed down."""

from __future__ import annotations

import json
import os
import re
import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings import SettingsError as PydanticSettingsError

from config.access import AccessPolicy
from config.alerts import AlertSettings, unique_alert_names
from config.audit import AuditSettings
from config.clock import Clock
from config.errors import SettingsError
from config.identity import IdentityName, IdentityTable
from config.mcp import McpSettings
from config.redact import mask_url
from config.teams import TeamsSettings

DEFAULT_REGIONS = ["us-east-1", "eu-west-1"]


class ApprovalRule(BaseModel):
    """Who may approve which remediation actions ("*" matches every action)."""

    model_config = ConfigDict(extra="forbid")

    actions: list[str] = Field(default_factory=lambda: ["*"])
    users: list[IdentityName] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list, description="Chat user groups, e.g. Slack handles")

    def covers(self, action: str) -> bool:
        return "*" in self.actions or action in self.actions


class ApprovalPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[ApprovalRule] = Field(
        default_factory=lambda: [ApprovalRule(actions=["*"], users=["bob", "carol"])]
    )
    expiry_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    # One message (or model turn) may open at most this many approval requests.
    max_requests_per_turn: int = Field(default=3, ge=1, le=50)
    # The reconciler leaves a request alone this long after its last step, so it never races a
    # live process that is about to take the next step itself.
    reconcile_grace_s: float = Field(default=30.0, ge=0)
    # How often long-running services (Slack) run the reconciler.
    reconcile_interval_s: float = Field(default=60.0, gt=0)

    def approvers_for(self, action: str) -> tuple[set[str], set[str]]:
        users: set[str] = set()
        groups: set[str] = set()
        for rule in self.rules:
            if rule.covers(action):
                users.update(rule.users)
                groups.update(rule.groups)
        return users, groups


class LlmSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: Literal["none", "openai", "ollama", "anthropic"] = "none"
    model: str = "gpt-4o-mini"
    base_url: str | None = None
    api_key: SecretStr | None = None
    temperature: float = 0.0
    # One HTTP request to the model; the turn deadline below bounds the whole turn whatever this says.
    timeout_s: float = Field(default=60.0, gt=0)
    max_repair_rounds: int = Field(default=2, ge=0, le=5)
    # The agent loop: model -> guard -> read-only tools -> model ..., at most this many model steps.
    max_steps: int = Field(default=5, ge=1, le=20)
    # Every model call of one turn must finish by then; else the built-in planner answers.
    turn_deadline_s: float = Field(default=45.0, gt=0, le=600)
    # What the model reads of one tool result, at most (the rest is cut and the cut is said).
    tool_result_chars: int = Field(default=4000, ge=500, le=100_000)


class AwsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["sandbox", "real"] = "sandbox"
    regions: list[str] = Field(default_factory=lambda: list(DEFAULT_REGIONS))
    endpoint_url: str | None = None
    profile: str | None = None
    access_key_id: SecretStr | None = None
    secret_access_key: SecretStr | None = None
    assume_role_arns: list[str] = Field(default_factory=list)
    # Roles remediation assumes in member accounts, one per account (the account is read from the
    # ARN); an account without one here is changed through its assume_role_arns entry.
    remediation_role_arns: list[str] = Field(default_factory=list)
    # The port of this data dir's own sandbox server; 0: a free port chosen when it starts (recorded
    # in <data_dir>/sandbox/server.json). Unused when endpoint_url is set.
    sandbox_port: int = Field(default=0, ge=0, le=65535)
    max_workers: int = Field(default=8, ge=1, le=64)


class SlackSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bot_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    app_token: SecretStr | None = None
    api_url: str = "https://slack.com/api/"
    mode: Literal["http", "socket"] = "http"
    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=0, le=65535)
    rate_limit_per_minute: int = Field(default=20, ge=1)


DEFAULT_DIGEST_QUESTIONS = (
    "how much did we spend last week by service?",
    "any cost spikes in the last 7 days?",
    "run a security scan",
    "where can we save money?",
)


class DigestSettings(BaseModel):
    """A digest: questions asked on a schedule, the answers posted to a Slack or Teams channel."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    # Where it is posted: a Slack channel id (C0123ABC); for Teams a key of `teams.channels` or
    # a Teams channel id (19:…@thread.tacv2).
    channel: str = Field(min_length=1, description="Slack channel id, e.g. C0123ABC, or a Teams channel")
    platform: Literal["slack", "teams"] = "slack"
    schedule: str = Field(description="Cron: minute hour day month weekday, e.g. '0 9 * * MON'")
    timezone: str = "UTC"
    questions: list[str] = Field(default_factory=lambda: list(DEFAULT_DIGEST_QUESTIONS), min_length=1)
    # A run missed by more than this (the scheduler was down) is skipped, not posted late.
    grace_minutes: int = Field(default=60, ge=1, le=1440)


class CliSettings(BaseModel):
    """The terminal's warm agent process (bot/daemon/, docs/ARCHITECTURE.md "The warm agent process")."""

    model_config = ConfigDict(extra="forbid")

    # "auto": `ask`, `scan` and `chat` use it when their output is a terminal; "on": always (scripts,
    # benchmarks); "off": every command answers in its own process. `--no-daemon` is "off" once.
    daemon: Literal["auto", "on", "off"] = "auto"
    # An agent process with no command for this long exits (it is started again on demand).
    daemon_idle_s: int = Field(default=900, ge=5, le=86400)


class Settings(BaseSettings):
    """Everything CloudPilot can be configured with. Nested fields use `__` in env names,
    e.g. CLOUDPILOT_LLM__PROVIDER=ollama."""

    model_config = SettingsConfigDict(
        env_prefix="CLOUDPILOT_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    data_dir: Path = Path(".cloudpilot")
    database_url: str | None = None
    checkpoint_url: str | None = None
    redis_url: str | None = None
    now: datetime | None = None
    focus_paths: list[Path] = Field(default_factory=list)
    cost_backend: Literal["local", "cost_explorer"] = "local"
    # Adds generated months of FOCUS history (its own billing account) for the demo.
    cost_demo_history: bool = False
    knowledge_paths: list[Path] = Field(default_factory=list)
    qdrant_url: str | None = None
    qdrant_api_key: SecretStr | None = None
    embedding_model: str = "all-MiniLM-L6-v2"
    torch_threads: int = Field(default=1, ge=1, le=64)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    # The independent IaC checkers' environment (checkov; scripts/setup_checks.sh). Unset:
    # <repo>/.venv-checks when it exists.
    iac_checks_venv: Path | None = None
    llm: LlmSettings = Field(default_factory=LlmSettings)
    aws: AwsSettings = Field(default_factory=AwsSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    # Microsoft Teams front-end (config/teams.py, docs/TEAMS.md).
    teams: TeamsSettings = Field(default_factory=TeamsSettings)
    approvals: ApprovalPolicy = Field(default_factory=ApprovalPolicy)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    access: AccessPolicy = Field(default_factory=AccessPolicy)
    # Fault injection for the crash-recovery tests (config/failpoints.py); never set in production.
    failpoint: str | None = None
    digests: list[DigestSettings] = Field(default_factory=list)
    # Budgets, cost anomalies, new findings (config/alerts.py).
    alerts: list[AlertSettings] = Field(default_factory=list)
    identities: IdentityTable = Field(default_factory=dict)  # person -> aliases (config/identity.py)
    # `cloudpilot serve mcp`: HTTP address and per-person bearer tokens, stored hashed (config/mcp.py).
    mcp: McpSettings = Field(default_factory=McpSettings)
    # The terminal's warm agent process (`cloudpilot agent`).
    cli: CliSettings = Field(default_factory=CliSettings)

    @field_validator("digests")
    @classmethod
    def _unique_digest_names(cls, value: list[DigestSettings]) -> list[DigestSettings]:
        names = [d.name for d in value]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"digest names must be unique: {', '.join(repeated)}")
        return value

    _unique_alert_names = field_validator("alerts")(unique_alert_names)

    @field_validator("now", mode="before")
    @classmethod
    def _date_means_midnight(cls, value: Any) -> Any:
        if isinstance(value, date) and not isinstance(value, datetime):
            return datetime.combine(value, time())
        if isinstance(value, str) and len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time())
        return value

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'cloudpilot.db'}"

    @property
    def checkpoint_target(self) -> str:
        """A postgres URL, or a SQLite file path."""
        return self.checkpoint_url or str(self.data_dir / "checkpoints.sqlite")

    def clock(self) -> Clock:
        return Clock(self.now)

    def masked(self) -> dict[str, Any]:
        """Effective settings as JSON-able data, secrets shown as '**********' and passwords in
        URLs as '****'."""
        masked: dict[str, Any] = _mask(self.model_dump(mode="json"), self)
        return masked


def _mask(data: Any, model: Any) -> Any:
    if isinstance(model, BaseModel) and isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            attr = getattr(model, key, None)
            if isinstance(attr, SecretStr):
                out[key] = "**********" if attr.get_secret_value() else ""
            else:
                out[key] = _mask(value, attr)
        return out
    if isinstance(data, list) and isinstance(model, list):
        return [_mask(d, m) for d, m in zip(data, model, strict=False)]
    if isinstance(data, str):
        # Connection URLs (database, checkpoint, Redis, Qdrant, LLM, endpoints) may embed a password.
        return mask_url(data)
    return data


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings once: explicit overrides > environment > TOML file > defaults.

    A value that does not validate raises pydantic's `ValidationError` (its locations name the
    settings); a settings file that is not TOML, or an environment value that is not the JSON a
    list or table needs, raises `SettingsError` naming the file (line, column) or the variable."""
    try:
        return _load(config_file, overrides)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"settings file {config_file}{_toml_where(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise SettingsError(f"settings file {config_file} is not UTF-8 text ({exc.reason})") from exc
    except PydanticSettingsError as exc:
        raise SettingsError(_env_problem(exc)) from exc


def _toml_where(exc: tomllib.TOMLDecodeError) -> str:
    """', line 2, column 5: Expected ']' ...' from the parser's '... (at line 2, column 5)'."""
    message = str(exc)
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if found is None:
        return f": {message}"
    return f", line {found[1]}, column {found[2]}: {message[: found.start()]}"


def _env_problem(exc: PydanticSettingsError) -> str:
    """Which environment variable holds a list or table that is not JSON."""
    field = re.search(r'field "([^"]+)"', str(exc))
    if field is None:
        return f"invalid settings: {exc}"
    name = f"CLOUDPILOT_{field[1].upper()}"
    culprits = sorted(
        key
        for key, value in os.environ.items()
        if (key.upper() == name or key.upper().startswith(name + "__")) and not _is_json(value)
    )
    shown = ", ".join(f"{key}={os.environ[key]!r}" for key in culprits) or name
    return (
        f"invalid settings: {shown}: setting {field[1]} needs JSON here "
        "(lists and tables in environment variables are JSON, e.g. CLOUDPILOT_AWS__REGIONS='[\"us-east-1\"]')"
    )


def _is_json(value: str) -> bool:
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


def _load(config_file: Path | None, overrides: dict[str, Any]) -> Settings:
    if config_file is None:
        return Settings(**overrides)
    if not config_file.is_file():
        raise FileNotFoundError(f"config file not found: {config_file}")
    path = config_file

    class _FileSettings(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=path))

    return _FileSettings(**overrides)
