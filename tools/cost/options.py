"""Cost settings read from the one settings object.

`cost_backend` and `cost_demo_history` are read with defaults so the cost tools work before
those fields exist on Settings (the lead adds them; see the report).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from config import Settings

Backend = Literal["local", "cost_explorer"]


@dataclass(frozen=True)
class CostOptions:
    # "local": billing exports in the store; "cost_explorer": the AWS Cost Explorer API.
    backend: Backend
    # Add the generated demo history (several months, separate billing account) to the store.
    demo_history: bool


def cost_options(settings: Settings) -> CostOptions:
    return CostOptions(backend=settings.cost_backend, demo_history=settings.cost_demo_history)
