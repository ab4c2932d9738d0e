"""The long-lived services tools share, typed: built once per process and passed down in the context.

Each slot is filled on first use by its family (`tools.cost.datastore.cost_store`,
`tools.knowledge.search_knowledge.knowledge_base`, `tools.iac.checks.env_for`) or injected up front by the
runtime and by tests, so no tool reaches for a service by a string key.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from knowledge.base import KnowledgeBase
    from knowledge.embeddings import Embedder
    from tools.cost.datastore import CostStore
    from tools.iac.checks import IacEnv


@dataclass
class AccountMap:
    """What was learnt about the AWS accounts one set of credentials reaches (looked up once)."""

    # The caller's own account id.
    caller: str | None = None
    # Account id per assume-role ARN.
    by_role: dict[str, str] = field(default_factory=dict)
    # Every region name the SDK knows, to refuse a misspelt region before any call.
    known_regions: set[str] | None = None


@dataclass
class Services:
    cost_store: CostStore | None = None
    knowledge: KnowledgeBase | None = None
    embedder: Embedder | None = None
    # The configured chat model (None: no LLM), shared by the planner and IaC generation.
    chat_model: BaseChatModel | None = None
    iac_env: IacEnv | None = None
    accounts: AccountMap = field(default_factory=AccountMap)

    def for_other_account(self) -> Services:
        """The same services for credentials of another account: only the account facts differ."""
        return replace(self, accounts=AccountMap())

    def close(self) -> None:
        """Release what holds files or locks (the cost store, the embedded knowledge base)."""
        if self.knowledge is not None:
            self.knowledge.close()
            self.knowledge = None
        if self.cost_store is not None:
            self.cost_store.close()
            self.cost_store = None
