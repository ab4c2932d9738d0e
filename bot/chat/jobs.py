"""Jobs as JSON: how a platform's job dataclasses cross to a worker (process or durable queue).

A platform's jobs are frozen dataclasses with a `key` (the identity of what the platform sent);
`JobCodec` names each class by its kind and turns a job into `{"kind": ..., **fields}` and back.
A field that is itself a dataclass (Slack's `Answer.incoming`) is named in `nested`, so that it
is rebuilt from its JSON object.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Generic, TypeVar

J = TypeVar("J")


@dataclass(frozen=True)
class ApprovalClick:
    """Approve / Reject pressed on an approval card: which request, which way, and who (the
    platform's user id). A platform's click job adds where the card is, then its `key`."""

    approval_id: str
    approve: bool
    user: str


class BadJob(ValueError):
    """What came off the queue is not a job of this platform."""


class JobCodec(Generic[J]):
    def __init__(
        self, platform: str, kinds: dict[str, type[Any]], nested: dict[str, type[Any]] | None = None
    ) -> None:
        self.platform = platform
        self.kinds = kinds
        self.names = {cls: name for name, cls in kinds.items()}
        self.nested = nested or {}

    def kind_of(self, job: J) -> str:
        return self.names[type(job)]

    def encode(self, job: J) -> dict[str, Any]:
        return {"kind": self.kind_of(job), **asdict(job)}  # type: ignore[call-overload]

    def decode(self, data: dict[str, Any]) -> J:
        kind = data.get("kind")
        cls = self.kinds.get(str(kind))
        if cls is None:
            raise BadJob(f"unknown {self.platform} job kind {kind!r}")
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        try:
            for name, inner in self.nested.items():
                if name in values:
                    value = values[name]
                    if not isinstance(value, dict):
                        raise TypeError(f"{name} is not an object")
                    values[name] = inner(**value)
            job: J = cls(**values)
        except TypeError as exc:
            raise BadJob(f"malformed {self.platform} {kind} job: {exc}") from None
        return job
