"""`cloudpilot iam-policy`: the least-privilege IAM policy for what the registered tools call.

The policy is built from the tools' declared permissions (agent/api.py `iam_policy`), so it
changes with the code; docs/AWS.md shows how to deploy it and the member-account roles."""

from __future__ import annotations

import json

import click

from agent.api import PolicyError, PolicyMode, iam_member_roles_template, iam_policy
from bot.core.cli_state import cli_state


@click.command("iam-policy")
@click.option("--read-only", "read_only", is_flag=True, help="Only what the read-only tools call.")
@click.option(
    "--remediation",
    is_flag=True,
    help="Only what remediation calls (its writes and the reads that check them).",
)
@click.option(
    "--billing-bucket",
    "buckets",
    multiple=True,
    metavar="BUCKET",
    help="Also read billing exports from this S3 bucket (cost ingest s3://…); repeatable.",
)
@click.option(
    "--cloudformation",
    is_flag=True,
    help="Print a CloudFormation template with the member-account roles instead (for a StackSet).",
)
@click.pass_context
def iam_policy_command(
    ctx: click.Context, read_only: bool, remediation: bool, buckets: tuple[str, ...], cloudformation: bool
) -> None:
    """Print the least-privilege IAM policy (JSON) derived from the tools' declared permissions.

    Without a flag: everything (read-only and remediation). sts:AssumeRole on the roles in
    aws.assume_role_arns / aws.remediation_role_arns is added when the settings list any."""
    if read_only and remediation:
        raise click.UsageError("--read-only and --remediation exclude each other")
    try:
        if cloudformation:
            if buckets:
                raise click.UsageError("--billing-bucket applies to the hub policy, not --cloudformation")
            document = iam_member_roles_template(remediation=not read_only)
        else:
            mode: PolicyMode = "read-only" if read_only else "remediation" if remediation else "all"
            document = iam_policy(cli_state(ctx).settings, mode, buckets)
    except PolicyError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(json.dumps(document, indent=2))
