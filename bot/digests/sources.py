"""Where digests and alerts are posted, per platform, as the composition root (`bot/main.py`)
gives them: each platform contributes a `PosterSource` (Slack's in `bot/slack/digests.py`,
Teams' in `bot/teams/digests.py`), so that this package knows no chat platform.

`digest_runner` opens the posters the configured digests need (a digest names its platform) and
puts the alerts in the same loop; `serve digests`, `digest send` and the queue's periodic digest
job (`bot/digests/tasks.py`) all build their runner with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass

from agent.turn import Agent
from bot.digests.alerts import AlertRunner
from bot.digests.runner import DigestRunner, Poster
from config import Settings

# Builds the alert runner with the platforms' posters (None: webhooks only), for the loop's life.
AlertSource = Callable[[Settings, Agent], AbstractContextManager[AlertRunner]]


class DigestConfigError(ValueError):
    """The settings cannot run the digests; the message says what to set."""


@dataclass(frozen=True)
class PosterSource:
    """One platform's poster: whether the settings let it post (`ready`), what to set when they
    do not (`missing`), and the poster itself, open for the runner's life (`open`)."""

    platform: str
    ready: Callable[[Settings], bool]
    missing: str
    open: Callable[[Settings, Agent], AbstractContextManager[Poster]]


@contextmanager
def digest_runner(
    settings: Settings,
    agent: Agent,
    sources: Sequence[PosterSource],
    alerts: AlertSource | None = None,
) -> Iterator[DigestRunner]:
    """A runner with a poster for each platform the digests name, and the alerts (`alerts`,
    when `[[alerts]]` are configured) in the same loop."""
    if not settings.digests and not settings.alerts:
        raise DigestConfigError(
            "No digests or alerts configured: add [[digests]] or [[alerts]] entries to the settings (README)."
        )
    by_platform = {s.platform: s for s in sources}
    wanted: dict[str, PosterSource] = {}
    for digest in settings.digests:
        source = by_platform.get(digest.platform)
        if source is None:
            raise DigestConfigError(f"digest '{digest.name}': no {digest.platform} poster here")
        if not source.ready(settings):
            raise DigestConfigError(f"digest '{digest.name}' posts to {digest.platform}: {source.missing}")
        wanted[source.platform] = source
    with ExitStack() as stack:
        posters = {name: stack.enter_context(s.open(settings, agent)) for name, s in wanted.items()}
        runner = DigestRunner(settings, agent, posters)
        if settings.alerts and alerts is not None:
            runner.also.append(stack.enter_context(alerts(settings, agent)))
        yield runner
