"""Who someone is, whichever name they arrive under.

Four eyes means two people, not two strings: "bob", "Bob ", a Slack id and an e-mail address
can all be one person. Every name is normalised (NFKC, case-folded, trimmed) and then mapped
through the identity table (`[identities] bob = ["U024BE7LH", "bob@example.com"]`) to one
canonical name. Names that could pass for someone else without being them — invisible or
control characters, inner whitespace, letters from other scripts — are refused outright rather
than guessed at.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator

if TYPE_CHECKING:
    from config.settings import Settings

# Slack ids, Teams ids, e-mail addresses and OS user names all fit; look-alike letters from other
# scripts (Cyrillic "о" for Latin "o") do not, which is what makes the check hold. The first
# character is alphanumeric so that no identity reads as an "@group" or a command-line option.
_SAFE = re.compile(r"[a-z0-9][a-z0-9._@+-]*")
_INVISIBLE = frozenset({"Cf", "Cc"})  # zero-width, bidi controls, BOM, soft hyphen; C0/C1
MAX_LENGTH = 255


class IdentityError(ValueError):
    """A name that cannot be trusted to mean one person."""


def shown(name: str) -> str:
    """`name` safe to print or audit: invisible and non-ASCII characters as escapes, cut short."""
    text = ascii(name)[1:-1]
    return text if len(text) <= 120 else text[:117] + "..."


def normalise(name: str) -> str:
    """The comparable form of a name: NFKC, case-folded, trimmed; IdentityError if it is unsafe."""
    hidden = sorted({f"U+{ord(c):04X}" for c in name if unicodedata.category(c) in _INVISIBLE})
    if hidden:
        raise IdentityError(
            f"{shown(name)!r} is not a valid identity: it contains invisible or control characters "
            f"({', '.join(hidden)})"
        )
    # NFKC twice around the case fold: folding can produce characters that compose differently.
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold()).strip()
    if not text:
        raise IdentityError("an identity cannot be empty")
    if any(c.isspace() for c in text):
        raise IdentityError(f"{shown(name)!r} is not a valid identity: it contains whitespace")
    if len(text) > MAX_LENGTH:
        raise IdentityError(f"{shown(name)!r} is not a valid identity: longer than {MAX_LENGTH} characters")
    if not _SAFE.fullmatch(text):
        raise IdentityError(
            f"{shown(name)!r} is not a valid identity: only letters a-z, digits and . _ @ + - are "
            "allowed, starting with a letter or digit (look-alike letters from other scripts are refused)"
        )
    return text


def _aliases(table: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Every normalised name (people's own names included) → its person's canonical name."""
    owner: dict[str, str] = {}
    problems: list[str] = []
    people = {person: normalise(person) for person in table}
    for person, canonical in people.items():
        if canonical in owner:
            problems.append(f"{shown(person)!r} is listed twice (as {owner[canonical]!r})")
        owner[canonical] = canonical
    for person, aliases in table.items():
        canonical = people[person]
        for alias in aliases:
            key = normalise(alias)
            if owner.setdefault(key, canonical) != canonical:
                problems.append(f"{shown(alias)!r} names both {owner[key]!r} and {canonical!r}")
    if problems:
        raise IdentityError("identities: " + "; ".join(problems))
    return owner


def _valid_table(table: dict[str, list[str]]) -> dict[str, list[str]]:
    _aliases(table)
    return table


def _valid_name(name: str) -> str:
    normalise(name)
    return name


# Validated when the settings are loaded, so a bad table stops start-up instead of a decision.
IdentityTable = Annotated[dict[str, list[str]], AfterValidator(_valid_table)]
IdentityName = Annotated[str, AfterValidator(_valid_name)]


class Identities:
    """The identity table, built once: any name or alias → the canonical name of its person."""

    def __init__(
        self, settings: Settings | None = None, *, table: Mapping[str, Iterable[str]] | None = None
    ) -> None:
        if table is None:
            table = settings.identities if settings is not None else {}
        self._owner = _aliases(table)

    def canonical(self, name: str) -> str:
        """The person `name` stands for; a name outside the table stands for itself, normalised."""
        key = normalise(name)
        return self._owner.get(key, key)

    def same(self, a: str, b: str) -> bool:
        """Whether two names are one person; a name that cannot be normalised is nobody."""
        try:
            return self.canonical(a) == self.canonical(b)
        except IdentityError:
            return False

    def known(self, name: str) -> bool:
        """Whether `name` is a person or an alias in the table."""
        return normalise(name) in self._owner
