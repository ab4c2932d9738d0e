"""The tool contract: strict input model, result model, run(ctx, input), and metadata.

Mutating tools never expose `run`: they expose `plan` (a side-effect-free dry run),
`apply` and `verify`, and only the agent's apply node (after an approval) calls `apply`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from tools.presentation import Chart, Citation, CodeBlock, Table
from tools.services import Services

if TYPE_CHECKING:
    from config import Clock, Settings
    from store import Store
    from tools.inventory.aws import AwsClients


class ToolStatus(StrEnum):
    OK = "ok"
    ERROR = "error"
    NO_DATA = "no_data"
    APPROVAL_REQUIRED = "approval_required"


class ToolInput(BaseModel):
    """Base of every tool input: unknown arguments are refused, never ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Fix(BaseModel):
    """Something a result found that a mutating tool can act on, so that "fix it" can refer to it."""

    action: str
    resource_id: str
    region: str | None = None
    # The resource's account (scans can cover member accounts); None for the caller's own.
    account: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    title: str = ""
    # The finding this fix resolves, so "fix finding <id>" can find it.
    finding_id: str | None = None


class Fixable(Protocol):
    """A finding or opportunity that names the remediation action fixing it."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def resource_id(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def account(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def remediation_action(self) -> str | None: ...
    @property
    def remediation_params(self) -> Mapping[str, Any]: ...


def fixes_from(items: Iterable[Fixable], own_account: str | None) -> list[Fix]:
    """The open items that name an action; only accounts other than the caller's are named."""
    return [
        Fix(
            action=item.remediation_action,
            resource_id=item.resource_id,
            region=item.region or None,
            account=item.account if item.account and item.account != own_account else None,
            params=dict(item.remediation_params),
            title=item.title,
            finding_id=item.id,
        )
        for item in items
        if item.remediation_action and item.status == "open"
    ]


class ToolResult(BaseModel):
    """What a tool returns. `message` is the short human summary (also what an LLM sees).

    Besides its data, a result offers typed hooks the agent reads without knowing the tool:
    `fixes()` (what "fix it" may act on next) and `cited_passages()` (document passages the
    answer must cite).
    """

    status: ToolStatus = ToolStatus.OK
    message: str = ""
    tables: list[Table] = Field(default_factory=list)
    charts: list[Chart] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    code: list[CodeBlock] = Field(default_factory=list)

    PRESENTATION_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"status", "message", "tables", "charts", "citations", "code"}
    )

    def data(self) -> dict[str, Any]:
        """The tool-specific typed fields, as JSON-able data."""
        return self.model_dump(mode="json", exclude=set(self.PRESENTATION_FIELDS))

    def fixes(self) -> list[Fix]:
        return []

    def cited_passages(self) -> int:
        return 0


class ErrorResult(ToolResult):
    status: ToolStatus = ToolStatus.ERROR


class UserFacingError(Exception):
    """An error whose message is safe and useful to show to the user as written."""


@dataclass
class ToolContext:
    """Everything a tool may use; built once per process and passed down."""

    settings: Settings
    clock: Clock
    aws: AwsClients
    store: Store
    services: Services = field(default_factory=Services)
    # The AWS accounts this call may read or change (the access policy, set per call by the
    # agent); None means every configured account.
    allowed_accounts: frozenset[str] | None = None

    def may_use_account(self, account: str) -> bool:
        return self.allowed_accounts is None or account in self.allowed_accounts

    def require_account(self, account: str) -> None:
        """Refuse an explicit request for an account the access policy does not allow here."""
        if not self.may_use_account(account):
            raise UserFacingError(f"Account {account} is not allowed here (access policy).")


In = TypeVar("In", bound=ToolInput)
R = TypeVar("R", bound=ToolResult)


class Tool(ABC, Generic[In, R]):
    name: ClassVar[str]
    description: ClassVar[str]
    input_model: ClassVar[type[ToolInput]]
    result_model: ClassVar[type[ToolResult]]
    mutating: ClassVar[bool] = False
    # IAM actions the tool needs, e.g. "ec2:DescribeInstances".
    permissions: ClassVar[tuple[str, ...]] = ()

    def parse(self, args: dict[str, Any]) -> In:
        return self.input_model.model_validate(args)  # type: ignore[return-value]


class ReadOnlyTool(Tool[In, R]):
    @abstractmethod
    def run(self, ctx: ToolContext, args: In) -> R: ...


class ChangePlan(BaseModel):
    """A dry run: exactly what would change, computed without changing anything."""

    action: str
    resource_id: str
    summary: str
    changes: list[str] = Field(default_factory=list)
    region: str | None = None
    account: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    # False when the dry run found nothing to do (already compliant) or cannot proceed.
    applicable: bool = True


class Verification(BaseModel):
    ok: bool
    message: str


class MutatingTool(Tool[In, R]):
    mutating: ClassVar[bool] = True

    @abstractmethod
    def plan(self, ctx: ToolContext, args: In) -> ChangePlan:
        """Dry run. Must not change anything."""

    @abstractmethod
    def apply(self, ctx: ToolContext, args: In, plan: ChangePlan, idempotency_key: str) -> R:
        """Execute the change once. Only the agent's apply node may call this."""

    @abstractmethod
    def verify(self, ctx: ToolContext, args: In, plan: ChangePlan) -> Verification:
        """Re-check the resource after apply."""


AnyTool = Tool[Any, Any]
