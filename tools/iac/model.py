"""The shared vocabulary of IaC generation: formats, rendered files, check results."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, get_args

IacFormat = Literal["terraform", "cloudformation", "kubernetes"]
FORMATS: tuple[IacFormat, ...] = get_args(IacFormat)

FORMAT_LABELS: dict[IacFormat, str] = {
    "terraform": "Terraform",
    "cloudformation": "CloudFormation",
    "kubernetes": "Kubernetes",
}
FILENAMES: dict[IacFormat, str] = {
    "terraform": "main.tf",
    "cloudformation": "template.yaml",
    "kubernetes": "k8s.yaml",
}
LANGUAGES: dict[IacFormat, str] = {
    "terraform": "hcl",
    "cloudformation": "yaml",
    "kubernetes": "yaml",
}


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One problem a check found. Errors fail the code; warnings are shown but do not."""

    check: str
    message: str
    level: Level = Level.ERROR
    location: str = ""

    def line(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"[{self.check}] {where}{self.message}"


@dataclass
class CheckRun:
    """The outcome of one check over one file: what ran, on what, and what it found."""

    check: str
    tool: str
    issues: list[Issue] = field(default_factory=list)
    detail: str = ""
    skipped: bool = False

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == Level.ERROR]

    @property
    def passed(self) -> bool:
        return not self.skipped and not self.errors
