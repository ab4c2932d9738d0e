"""A CloudFormation template as the mappers read it: resources by logical id, and intrinsics
resolved as far as the template alone allows (a Ref to a parameter becomes its Default, a Ref or
GetAtt to a resource names that resource's logical id)."""

from __future__ import annotations

from typing import Any

from tools.iac.mapping.common import as_list


class Template:
    def __init__(self, template: dict[str, Any]) -> None:
        self.resources: dict[str, dict[str, Any]] = {
            k: v for k, v in (template.get("Resources") or {}).items() if isinstance(v, dict)
        }
        self.parameters: dict[str, Any] = template.get("Parameters") or {}

    def value(self, v: Any) -> Any:
        """Parameter Refs resolved to their Default; other intrinsics left as they are."""
        if isinstance(v, dict) and set(v) == {"Ref"}:
            param = self.parameters.get(str(v["Ref"]))
            if isinstance(param, dict) and "Default" in param:
                return param["Default"]
        return v

    def literal(self, v: Any) -> str | None:
        v = self.value(v)
        return str(v) if isinstance(v, str | int | float) and not isinstance(v, bool) else None

    @staticmethod
    def target(v: Any) -> str | None:
        """The logical id a Ref / GetAtt points at."""
        if isinstance(v, dict):
            if "Ref" in v:
                return str(v["Ref"])
            att = v.get("Fn::GetAtt")
            if isinstance(att, list) and att:
                return str(att[0])
            if isinstance(att, str):
                return att.split(".")[0]
        return None

    def props(self, logical_id: str) -> dict[str, Any]:
        props = self.resources[logical_id].get("Properties")
        return props if isinstance(props, dict) else {}

    def of_type(self, resource_type: str) -> list[str]:
        return [k for k, v in self.resources.items() if v.get("Type") == resource_type]

    def pointing_at(self, resource_type: str, prop: str, logical_id: str) -> list[str]:
        return [o for o in self.of_type(resource_type) if self.target(self.props(o).get(prop)) == logical_id]

    def tags(self, props: dict[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for tag in as_list(props.get("Tags")):
            if isinstance(tag, dict) and "Key" in tag:
                out[str(tag["Key"])] = str(self.value(tag.get("Value", "")))
        return out
