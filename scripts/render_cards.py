"""Render CloudPilot's Teams cards to PNG, to look at what people see in Teams (issue #17).

    .venv/bin/python scripts/render_cards.py [--out docs/teams-cards] [--json-only]

A developer tool, not part of `./dev.sh test`: it needs Node.js, `npm install` in
`scripts/render_cards/` (Microsoft's `adaptivecards` renderer, markdown-it, playwright-core) and a
Chromium (`apt-get install -y chromium`; `CHROMIUM=` names another). CI has no Node.

The cards come from the real code: the agent (offline planner, every tool) answers questions on
the demo data (`cost_demo_history`, the clock pinned to 2024-10-15) against a private in-process
moto server seeded like the sandbox, and `bot/teams/cards.py` / `bot/teams/home.py` turn the
replies into cards. The very long answer comes from the chat tests' `Report` double
(`tests/bot/chat/doubles.py`) with 200 rows and a real chart. "<name>-details-shown" is
the card as it is after a click on "Show details". Each card is written as <name>.json beside
<name>.png (a reply of several cards: <name>-1, <name>-2, ...); the size of
each is printed, and any card over Teams' limit is an error.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

from agent.messages import ApprovalView, ChatMessage, Reply  # noqa: E402
from agent.runtime import Runtime  # noqa: E402
from agent.turn import Agent  # noqa: E402
from bot.teams import cards  # noqa: E402
from bot.teams.digests import _plain  # noqa: E402
from bot.teams.home import home_card  # noqa: E402
from config import Settings, load_settings  # noqa: E402

NOW = "2024-10-15"
RENDERER = ROOT / "scripts" / "render_cards"
KEY = b"render-cards-key"


@contextmanager
def _moto() -> Iterator[str]:
    """A private moto server seeded as the sandbox is (never the shared sandbox's port)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
        yield endpoint
    finally:
        server.stop()


def _settings(data_dir: Path, endpoint: str) -> Settings:
    aws = {"mode": "sandbox", "endpoint_url": endpoint, "regions": ["us-east-1", "eu-west-1"]}
    return load_settings(data_dir=data_dir, now=NOW, aws=aws, cost_demo_history=True, log_level="WARNING")


def _ask(agent: Agent, text: str, user: str = "alice") -> Reply:
    return agent.handle(ChatMessage(user=user, text=text, platform="teams", channel="render"))


def _long_reply(tmp: Path, chart: Path) -> Reply:
    """A very long answer: the chat tests' Report double with 200 rows, long text and code."""
    from tests.bot.chat.doubles import Report
    from tools.base import ToolContext

    tool = Report(chart)
    # The double reads nothing from its context.
    result = tool.run(cast(ToolContext, None), tool.parse({"rows": 200}))
    text = "\n\n".join(
        f"Paragraph {i}: " + "the spend moved as the table below shows. " * 12 for i in range(30)
    )
    return Reply(
        text=text,
        tables=result.tables,
        charts=result.charts,
        citations=result.citations,
        code=result.code,
        suggestions=["break it down by region", "compare with the previous month"],
    )


def cards_for(tmp: Path) -> dict[str, list[dict[str, Any]]]:
    """Every card to look at, by name, from the real code."""
    from sandbox.seed import seed
    from sandbox.seed_savings import seed_savings
    from tools.inventory.aws import AwsClients

    out: dict[str, list[dict[str, Any]]] = {}
    with _moto() as endpoint:
        settings = _settings(tmp / "data", endpoint)
        aws = AwsClients(settings.aws)
        seed(aws)
        seed_savings(aws)
        runtime = Runtime.build(settings)
        agent = Agent(runtime)
        try:
            questions = {
                "cost-answer": "how much did we spend on EC2 last month",
                "cost-breakdown": "break down last month by service",
                "cost-many-rows": "show the daily cost last month",
                "security-scan": "are any buckets public?",
                "iac-terraform": "write Terraform for a private S3 bucket with versioning",
                "runbook": "what is our runbook for a full disk?",
                "unclear": "huh spend thing",
            }
            replies = {name: _ask(agent, text) for name, text in questions.items()}
            for name, reply in replies.items():
                out[name] = cards.render_reply(reply)
            out["digest"] = [
                cards.notice_card(
                    _plain(f"*Digest weekly* — {datetime(2024, 10, 14, 9):%A %d %B %Y, %H:%M} UTC")
                ),
                *cards.render_reply(_ask(agent, "any cost spikes recently?", user="cloudpilot-digest")),
            ]
            ask = "close port 22 to the world on security group acme-bastion"
            # Rejected first: once approved and executed, there is nothing left to ask for.
            rejected = _approval(agent, ask)
            decided = _decided(agent, rejected.approval, "carol", False)
            out["approval-rejected"] = [cards.decided_card(decided[1], decided[0].text)]
            approved = _approval(agent, ask)
            out["remediation-reply"] = cards.render_reply(approved)
            assert approved.approval is not None
            out["approval-card"] = [cards.approval_card(approved.approval, KEY)]
            out["home-approver"] = [home_card(agent, "carol", set())]
            decided = _decided(agent, approved.approval, "bob", True)
            out["approval-approved"] = [cards.decided_card(decided[1], decided[0].text)]
            # What a click on "Show details" shows (the same card, the hidden details visible).
            for name in ("approval-card", "approval-approved"):
                out[f"{name}-details-shown"] = [_details_shown(out[name][0])]
        finally:
            runtime.close()
    with _moto() as dead:
        pass  # the server is stopped: its port refuses, as an unreachable cloud does
    broken = Runtime.build(_settings(tmp / "broken", dead))
    logging.disable(logging.ERROR)  # the failure's traceback is logged; the reply is what we want
    try:
        out["error"] = cards.render_reply(_ask(Agent(broken), "list security groups in eu-west-1"))
    finally:
        logging.disable(logging.NOTSET)
        broken.close()
    chart = next((tmp / "data").rglob("*.png"), None)
    if chart is not None:
        out["long-answer"] = cards.render_reply(_long_reply(tmp, chart))
    return out


def _approval(agent: Agent, text: str) -> Reply:
    reply = _ask(agent, text)
    if reply.approval is None:
        raise SystemExit(f"no approval for {text!r}: {reply.text}")
    return reply


def _decided(
    agent: Agent, view: ApprovalView | None, actor: str, approve: bool
) -> tuple[Reply, ApprovalView]:
    assert view is not None
    reply = agent.decide(view.id, actor, approve)
    after = agent.view(view.id)
    if after is None:
        raise SystemExit(f"{view.id} vanished")
    return reply, after


def _details_shown(card: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = json.loads(json.dumps(card))
    for element in shown["body"]:
        if element.get("id") == cards.DETAILS_ID:
            element["isVisible"] = True
    return shown


def write(out: Path, rendered: dict[str, list[dict[str, Any]]]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.json"):
        old.unlink()
    files: list[Path] = []
    too_big = []
    for name, card_list in rendered.items():
        for i, card in enumerate(card_list, start=1):
            stem = name if len(card_list) == 1 else f"{name}-{i}"
            path = out / f"{stem}.json"
            path.write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n")
            size = cards.size_of(card)
            print(f"{stem}: {size} bytes")
            if size > cards.CARD_LIMIT:
                too_big.append(stem)
            files.append(path)
    if too_big:
        raise SystemExit(f"over the card limit: {', '.join(too_big)}")
    return files


def render(out: Path, files: list[Path]) -> None:
    if not (RENDERER / "node_modules").is_dir():
        raise SystemExit(f"run `npm install` in {RENDERER} first")
    for old in out.glob("*.png"):
        old.unlink()
    subprocess.run(["node", str(RENDERER / "render.mjs"), str(out), *map(str, files)], check=True)
    _shrink(out)


def _shrink(out: Path) -> None:
    """A 128-colour palette: the screenshots stay sharp at a third of the size in the repository."""
    from PIL import Image

    for png in out.glob("*.png"):
        with Image.open(png) as image:
            small = image.convert("RGB").quantize(colors=128)
        small.save(png, optimize=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "teams-cards")
    parser.add_argument("--json-only", action="store_true", help="write the cards' JSON, render nothing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = write(args.out, cards_for(Path(tmp)))
    if not args.json_only:
        render(args.out, files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
