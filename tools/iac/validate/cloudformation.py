"""CloudFormation: cfn-lint's Python API, offline (it ships the resource specifications).

Loading cfn-lint's rules takes about a second, so the loaded rules are kept by `CfnLinter`
(one per ToolContext) and every template after the first lints in about 0.1 s.
"""

from __future__ import annotations

import json
from typing import Any

from tools.iac.model import CheckRun, Issue, Level

LINTER = "cfn-lint"


class CfnLinter:
    """cfn-lint with its rules loaded once."""

    def __init__(self) -> None:
        self._rules: Any = None

    def _loaded_rules(self) -> Any:
        if self._rules is None:
            from cfnlint.config import ConfigMixIn
            from cfnlint.runner.cli import Runner

            self._rules = Runner(ConfigMixIn(regions=["us-east-1"])).rules
        return self._rules

    def warm_up(self) -> None:
        self._loaded_rules()

    def lint(self, code: str, region: str) -> tuple[dict[str, Any] | None, list[CheckRun]]:
        from cfnlint.config import ConfigMixIn
        from cfnlint.decode.decode import decode_str
        from cfnlint.helpers import REGIONS
        from cfnlint.runner import run_template_by_data

        parse = CheckRun("syntax", "cfn-lint decoder")
        template, errors = decode_str(code)
        if errors or template is None:
            for match in errors or []:
                parse.issues.append(Issue("syntax", str(match.message), location=f"line {match.linenumber}"))
            if template is None and not parse.issues:
                parse.issues.append(Issue("syntax", "the template is empty"))
            return None, [parse]
        if not isinstance(template, dict):
            parse.issues.append(Issue("syntax", "a template must be a mapping with a Resources section"))
            return None, [parse]
        plain: dict[str, Any] = json.loads(json.dumps(template, default=str))
        parse.detail = f"{len(plain.get('Resources') or {})} resources"

        lint = CheckRun("lint", LINTER)
        regions = [region] if region in REGIONS else ["us-east-1"]
        matches = run_template_by_data(template, ConfigMixIn(regions=regions), self._loaded_rules())
        for match in matches:
            rule_id = str(getattr(match.rule, "id", ""))
            if rule_id.startswith("I"):
                continue
            level = Level.ERROR if rule_id.startswith("E") else Level.WARNING
            lint.issues.append(
                Issue("lint", f"{rule_id} {match.message}", level=level, location=f"line {match.linenumber}")
            )
        lint.detail = f"cfn-lint rules for {regions[0]}"
        return plain, [parse, lint]
