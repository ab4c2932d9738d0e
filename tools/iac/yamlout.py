"""YAML output for CloudFormation and Kubernetes, with CloudFormation's short intrinsic tags.

Templates describe documents as plain data; intrinsic functions are `Tagged` values so they
print as `!Ref Bucket` rather than the long `{"Ref": "Bucket"}` form people rarely write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class Tagged:
    tag: str
    value: Any


def ref(name: str) -> Tagged:
    return Tagged("!Ref", name)


def get_att(resource: str, attribute: str) -> Tagged:
    return Tagged("!GetAtt", f"{resource}.{attribute}")


def sub(template: str) -> Tagged:
    return Tagged("!Sub", template)


def join(delimiter: str, parts: list[Any]) -> Tagged:
    return Tagged("!Join", [delimiter, parts])


def select(index: int, items: Any) -> Tagged:
    return Tagged("!Select", [index, items])


def get_azs() -> Tagged:
    return Tagged("!GetAZs", "")


def cidr(block: Any, count: int, bits: int) -> Tagged:
    return Tagged("!Cidr", [block, count, bits])


def if_(condition: str, then: Any, otherwise: Any) -> Tagged:
    return Tagged("!If", [condition, then, otherwise])


class _Dumper(yaml.SafeDumper):
    """Block style with list items indented under their key, as most people write YAML."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def choose_scalar_style(self) -> str:
        # PyYAML quotes every explicitly tagged scalar; `!Ref Bucket` reads better unquoted.
        style: str = super().choose_scalar_style()
        event = self.event
        if (
            style == "'"
            and isinstance(event, yaml.ScalarEvent)
            and (event.tag or "").startswith("!")
            and not event.style
            and self.analysis is not None
            and self.analysis.allow_block_plain
            and not self.analysis.empty
            and not self.analysis.multiline
        ):
            return ""
        return style

    def ignore_aliases(self, data: Any) -> bool:
        # CloudFormation rejects YAML anchors and aliases; repeat the value instead.
        return True


def _represent_tagged(dumper: yaml.SafeDumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value, flow_style=False)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # Multi-line strings (inline code, policies) read best as literal blocks.
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(Tagged, _represent_tagged)
_Dumper.add_representer(str, _represent_str)


def dump(document: Any) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000)


def dump_all(documents: Sequence[Any]) -> str:
    return yaml.dump_all(
        list(documents),
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        width=1000,
        explicit_start=True,
    )
