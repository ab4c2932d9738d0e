"""Match what people call a cloud provider ("azure", "gcp") to the data's FOCUS ProviderName values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tools.cost.services import compact


@dataclass(frozen=True)
class ProviderAlias:
    # The name FOCUS exports give the provider (ProviderName).
    name: str
    # What people call it, lower case.
    aliases: tuple[str, ...]


KNOWN_PROVIDERS: tuple[ProviderAlias, ...] = (
    ProviderAlias("AWS", ("aws", "amazon web services")),
    ProviderAlias("Microsoft", ("azure", "microsoft azure", "microsoft")),
    ProviderAlias("Google Cloud", ("gcp", "google cloud", "google cloud platform", "google")),
    ProviderAlias("Oracle", ("oci", "oracle cloud", "oracle")),
    ProviderAlias("Alibaba Cloud", ("alibaba cloud", "alibaba", "aliyun")),
    ProviderAlias("IBM Cloud", ("ibm cloud",)),
)


def known_provider(query: str) -> ProviderAlias | None:
    wanted = compact(query)
    for provider in KNOWN_PROVIDERS:
        if wanted in {compact(provider.name), *(compact(a) for a in provider.aliases)}:
            return provider
    return None


def match_provider(query: str, available: Iterable[str]) -> tuple[str, ...]:
    """The ProviderName values in `available` (the data's) that `query` means; empty when none."""
    names = sorted(set(available))
    wanted = compact(query)
    exact = tuple(n for n in names if compact(n) == wanted)
    if exact:
        return exact
    provider = known_provider(query)
    if provider is None:
        return ()
    spellings = {compact(provider.name), *(compact(a) for a in provider.aliases)}
    return tuple(n for n in names if compact(n) in spellings or compact(n).startswith(compact(provider.name)))


def provider_label(query: str) -> str:
    """How to name the provider in an answer: 'Microsoft (Azure)' for 'azure'."""
    provider = known_provider(query)
    if provider is None:
        return query
    if compact(query) == compact(provider.name):
        return provider.name
    said = query.strip()
    if said.islower():
        said = said.upper() if len(said) <= 4 else said.title()
    return f"{provider.name} ({said})"
