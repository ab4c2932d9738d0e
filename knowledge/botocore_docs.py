"""The AWS API reference that ships inside botocore, as an optional corpus.

Each service becomes one generated Markdown document with a section per operation: what it
does, what it returns (the output shape's members, one level down into structures and
lists), and its request parameters. Citations link to the operation's page in the AWS API
reference through the SDK's stable "goto" link.
"""

from __future__ import annotations

import html
import re
from typing import Any

from knowledge.source_docs import BOTOCORE, Root, SourceDoc, SourceError

DEFAULT_SERVICES = ("ec2", "s3", "iam", "rds", "sts")
_TAG = re.compile(r"<[^>]+>")
_GOTO = "https://docs.aws.amazon.com/goto/WebAPI/{uid}/{{section}}"


def botocore_root(spec: str) -> Root:
    import botocore
    from botocore.loaders import create_loader

    loader = create_loader()
    available = set(loader.list_available_services("service-2"))
    services = [s.strip().lower() for s in spec.split(",") if s.strip()] or list(DEFAULT_SERVICES)
    unknown = [s for s in services if s not in available]
    if unknown:
        raise SourceError(f"botocore has no service named {', '.join(unknown)}")
    root = Root(prefix="")
    for service in services:
        model = loader.load_service_model(service, "service-2")
        text = service_markdown(model, botocore.__version__)
        data = text.encode()
        uid = model["metadata"].get("uid")
        root.docs.append(
            SourceDoc(
                doc_key=f"{BOTOCORE}:{service}",
                source=f"{BOTOCORE}/{service}/{model['metadata'].get('apiVersion', '')}",
                fmt="markdown",
                read=lambda data=data: data,  # type: ignore[misc]
                kind=BOTOCORE,
                url_template=_GOTO.format(uid=uid) if uid else None,
                tags=("aws-api", service),
                cite_lines=False,
            )
        )
    return root


def plain(doc: str | None, sentences: int | None = None) -> str:
    text = " ".join(html.unescape(_TAG.sub(" ", doc or "")).split())
    if sentences is None:
        return text
    parts = re.split(r"(?<=[.!?])\s+", text)
    return " ".join(parts[:sentences])


def _type_name(shapes: dict[str, Any], name: str) -> str:
    shape = shapes.get(name, {})
    if shape.get("type") == "list":
        return f"list of {_type_name(shapes, shape['member']['shape'])}"
    if shape.get("type") == "map":
        key, value = shape["key"]["shape"], shape["value"]["shape"]
        return f"map of {_type_name(shapes, key)} to {_type_name(shapes, value)}"
    if shape.get("type") == "structure":
        return name
    return str(shape.get("type", name))


def _members(shapes: dict[str, Any], name: str) -> list[str]:
    shape = shapes.get(name, {})
    lines = []
    for member, spec in shape.get("members", {}).items():
        desc = plain(spec.get("documentation"), 1)
        lines.append(f"- {member} ({_type_name(shapes, spec['shape'])}){': ' + desc if desc else ''}")
    return lines


def _element_structure(shapes: dict[str, Any], name: str) -> str | None:
    """The structure a member holds, directly or as the elements of a list."""
    shape = shapes.get(name, {})
    if shape.get("type") == "list":
        return _element_structure(shapes, shape["member"]["shape"])
    return name if shape.get("type") == "structure" else None


def operation_markdown(shapes: dict[str, Any], op: dict[str, Any]) -> str:
    parts = [f"## {op['name']}", "", plain(op.get("documentation"), 3), ""]
    output = op.get("output", {}).get("shape")
    if output and shapes.get(output, {}).get("members"):
        parts.append(f"{op['name']} returns {output}:")
        parts.extend(_members(shapes, output))
        seen: set[str] = set()
        for spec in shapes[output]["members"].values():
            inner = _element_structure(shapes, spec["shape"])
            if inner and inner not in seen and len(seen) < 2:
                seen.add(inner)
                fields = ", ".join(shapes[inner].get("members", {}))
                if fields:
                    parts.append(f"Each {inner} has: {fields}.")
    else:
        parts.append(f"{op['name']} returns no data on success.")
    parts.append("")
    inp = op.get("input", {}).get("shape")
    if inp and shapes.get(inp, {}).get("members"):
        required = set(shapes[inp].get("required", []))
        params = [f"{m}{' (required)' if m in required else ''}" for m in shapes[inp]["members"]]
        parts.append(f"Request parameters of {op['name']}: {', '.join(params)}.")
    return "\n".join(parts) + "\n"


def service_markdown(model: dict[str, Any], version: str) -> str:
    meta = model["metadata"]
    title = f"{meta.get('serviceFullName', meta.get('serviceId'))} API reference"
    head = [
        "---",
        f"title: {title}",
        "---",
        f"# {title}",
        "",
        f"From botocore {version}, API version {meta.get('apiVersion')}.",
        "",
    ]
    shapes = model.get("shapes", {})
    body = [operation_markdown(shapes, model["operations"][name]) for name in sorted(model["operations"])]
    return "\n".join(head) + "\n".join(body)
