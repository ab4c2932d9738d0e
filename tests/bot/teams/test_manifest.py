"""The Teams app package: `teams/manifest.json` and its two icons.

The published manifest schema (developer.microsoft.com/json-schemas/teams/v1.19) is not
reachable from the tests, so the rules an upload is refused for are written out here: the
required fields, their lengths and formats, the bot's scopes and commands, the icon sizes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from PIL import Image

ROOT = Path(__file__).resolve().parents[3] / "teams"
GUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
HTTPS = "^https://"

COMMAND: dict[str, Any] = {
    "type": "object",
    "required": ["title", "description"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 32},
        "description": {"type": "string", "minLength": 1, "maxLength": 128},
    },
    "additionalProperties": False,
}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "manifestVersion",
        "version",
        "id",
        "developer",
        "name",
        "description",
        "icons",
        "accentColor",
    ],
    "properties": {
        "$schema": {"type": "string", "pattern": "/teams/v1\\.19/MicrosoftTeams\\.schema\\.json$"},
        "manifestVersion": {"const": "1.19"},
        "version": {"type": "string", "pattern": "^[0-9]+\\.[0-9]+\\.[0-9]+$"},
        "id": {"type": "string", "pattern": GUID},
        "developer": {
            "type": "object",
            "required": ["name", "websiteUrl", "privacyUrl", "termsOfUseUrl"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 32},
                "websiteUrl": {"type": "string", "pattern": HTTPS, "maxLength": 2048},
                "privacyUrl": {"type": "string", "pattern": HTTPS, "maxLength": 2048},
                "termsOfUseUrl": {"type": "string", "pattern": HTTPS, "maxLength": 2048},
            },
        },
        "name": {
            "type": "object",
            "required": ["short"],
            "properties": {
                "short": {"type": "string", "minLength": 1, "maxLength": 30},
                "full": {"type": "string", "maxLength": 100},
            },
        },
        "description": {
            "type": "object",
            "required": ["short", "full"],
            "properties": {
                "short": {"type": "string", "minLength": 1, "maxLength": 80},
                "full": {"type": "string", "minLength": 1, "maxLength": 4000},
            },
        },
        "icons": {
            "type": "object",
            "required": ["color", "outline"],
            "properties": {"color": {"type": "string"}, "outline": {"type": "string"}},
        },
        "accentColor": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
        "bots": {
            "type": "array",
            "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["botId", "scopes"],
                "properties": {
                    "botId": {"type": "string", "pattern": GUID},
                    "scopes": {
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": True,
                        "items": {"enum": ["team", "personal", "groupChat", "copilot"]},
                    },
                    "supportsFiles": {"type": "boolean"},
                    "isNotificationOnly": {"type": "boolean"},
                    "commandLists": {
                        "type": "array",
                        "maxItems": 3,
                        "items": {
                            "type": "object",
                            "required": ["scopes", "commands"],
                            "properties": {
                                "scopes": {
                                    "type": "array",
                                    "items": {"enum": ["team", "personal", "groupChat"]},
                                },
                                "commands": {"type": "array", "maxItems": 10, "items": COMMAND},
                            },
                        },
                    },
                },
            },
        },
        "permissions": {"type": "array", "items": {"enum": ["identity", "messageTeamMembers"]}},
        "validDomains": {"type": "array", "items": {"type": "string", "pattern": "^[^/:]+$"}},
    },
}


def test_the_manifest_has_what_teams_requires() -> None:
    manifest = json.loads((ROOT / "manifest.json").read_text())
    jsonschema.validate(manifest, SCHEMA)
    bot = manifest["bots"][0]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}  # chats, channels, group chats
    commands = [c["title"] for lst in bot["commandLists"] for c in lst["commands"]]
    assert "home" in commands  # the approvers' view


def test_the_icons_have_the_sizes_teams_requires() -> None:
    manifest = json.loads((ROOT / "manifest.json").read_text())
    color = Image.open(ROOT / manifest["icons"]["color"])
    outline = Image.open(ROOT / manifest["icons"]["outline"])
    assert color.format == outline.format == "PNG"
    assert color.size == (192, 192)
    assert outline.size == (32, 32)
    # The outline icon is white on a transparent background.
    raw = outline.convert("RGBA").tobytes()
    pixels = [raw[i : i + 4] for i in range(0, len(raw), 4)]
    assert all(p[3] == 0 or p[:3] == b"\xff\xff\xff" for p in pixels)
