"""Security posture: the rule engine, its rules, and the tools built on them.

Rules only ever look at the normalised `Resource`s of `tools.inventory`, so the same rules can
judge live resources and resources parsed from Terraform or CloudFormation. The tools (one
module each, named after the tool) scan, score, list, compare and suppress findings.
"""
