"""Reading values out of a parsed Terraform file, for the Terraform mappers.

Arguments are resolved only as far as the file alone allows (a variable's default, a local's
value); a companion resource is joined to its parent by reference or by the same literal name,
the way the provider joins them.
"""

from __future__ import annotations

from typing import Any

from tools.iac.mapping.common import as_list
from tools.iac.validate.terraform import TfBlock, TfDoc, jsonencode_object, reference_target


def literal(doc: TfDoc, value: Any) -> str | None:
    value = doc.resolve(value)
    if isinstance(value, str) and "${" not in value:
        return value
    return None


def first(value: Any) -> dict[str, Any]:
    items = as_list(value)
    return items[0] if items and isinstance(items[0], dict) else {}


def refers_to(doc: TfDoc, value: Any, parent: TfBlock, parent_name: str | None = None) -> bool:
    if reference_target(value) == parent.address:
        return True
    found = literal(doc, value)
    return found is not None and parent_name is not None and found == parent_name


def linked(
    doc: TfDoc, kind: str, attr: str, parent: TfBlock, parent_name: str | None = None
) -> list[TfBlock]:
    return [o for o in doc.by_type(kind) if refers_to(doc, o.body.get(attr), parent, parent_name)]


def tags(doc: TfDoc, body: dict[str, Any]) -> dict[str, str]:
    found = body.get("tags")
    if not isinstance(found, dict):
        return {}
    return {str(k): str(doc.resolve(v)) for k, v in found.items()}


def policy_document(doc: TfDoc, value: Any) -> dict[str, Any] | None:
    """A policy argument as IAM JSON: jsonencode({...}), a JSON string, or a policy document data source."""
    target = value if isinstance(value, str) else None
    prefix = "${data.aws_iam_policy_document."
    if target and target.startswith(prefix):
        name = target[len(prefix) :].split(".")[0]
        source = next((d for d in doc.data if d.type == "aws_iam_policy_document" and d.name == name), None)
        return _document_from_data(doc, source.body) if source else None
    found = jsonencode_object(doc.resolve(value))
    return found if isinstance(found, dict) else None


def _document_from_data(doc: TfDoc, body: dict[str, Any]) -> dict[str, Any]:
    statements = []
    for st in as_list(body.get("statement")):
        if not isinstance(st, dict):
            continue
        out: dict[str, Any] = {"Effect": doc.resolve(st.get("effect", "Allow"))}
        if "actions" in st:
            out["Action"] = doc.resolve(st["actions"])
        if "resources" in st:
            out["Resource"] = doc.resolve(st["resources"])
        principals: dict[str, list[Any]] = {}
        for p in as_list(st.get("principals")):
            if isinstance(p, dict):
                principals.setdefault(str(p.get("type")), []).extend(
                    as_list(doc.resolve(p.get("identifiers")))
                )
        if principals:
            if set(principals) == {"*"}:
                out["Principal"] = "*"
            else:
                out["Principal"] = {k: v[0] if len(v) == 1 else v for k, v in principals.items()}
        conditions: dict[str, dict[str, Any]] = {}
        for c in as_list(st.get("condition")):
            if isinstance(c, dict):
                conditions.setdefault(str(c.get("test")), {})[str(c.get("variable"))] = c.get("values")
        if conditions:
            out["Condition"] = conditions
        statements.append(out)
    return {"Version": "2012-10-17", "Statement": statements}
