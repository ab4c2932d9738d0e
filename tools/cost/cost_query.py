"""cost_query: how much did we spend, on what, where — from the bill itself.

Answers come from billing exports in the local store (FOCUS, CUR 2.0), or from the Cost
Explorer API when settings choose it. Figures are summed exactly and rounded half-up to the
cent once, after summing.
"""

from __future__ import annotations

from typing import ClassVar

from tools.base import ReadOnlyTool, ToolContext, ToolInput, ToolResult
from tools.cost.ce_answer import answer_from_cost_explorer
from tools.cost.cost_query_local import LocalAnswer
from tools.cost.cost_query_models import CostQueryInput, CostQueryResult
from tools.cost.options import cost_options
from tools.cost.periods import explicit_period, resolve_period


class CostQuery(ReadOnlyTool[CostQueryInput, CostQueryResult]):
    name: ClassVar[str] = "cost_query"
    description: ClassVar[str] = (
        "Cloud spend from billing data (FOCUS and CUR exports, all providers; or AWS Cost Explorer): "
        "total billed, effective or list cost for a period, optionally filtered by service, region, "
        "account, resource, charge category and tags, broken down by service, region, account, resource, "
        "charge category, day, month or a tag, per day or month, and compared with another period."
    )
    input_model: ClassVar[type[ToolInput]] = CostQueryInput
    result_model: ClassVar[type[ToolResult]] = CostQueryResult
    # Local answers read billing exports already on disk and need no IAM action; the Cost
    # Explorer backend (chosen in settings) calls ce:GetCostAndUsage.
    # Only with cost_backend = "cost_explorer"; exports are read from disk or S3 (s3:GetObject).
    permissions: ClassVar[tuple[str, ...]] = ("ce:GetCostAndUsage", "ce:GetCostAndUsageWithResources")

    def run(self, ctx: ToolContext, args: CostQueryInput) -> CostQueryResult:
        if args.start is not None and args.end is not None:
            period = explicit_period(args.start, args.end)
        else:
            period = resolve_period(args.period, ctx.clock.now())
        if cost_options(ctx.settings).backend == "cost_explorer":
            return answer_from_cost_explorer(ctx, args, period)
        return LocalAnswer(ctx, args, period).answer()
