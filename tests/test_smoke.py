from tools.base import ToolContext


def test_context_builds(ctx: ToolContext) -> None:
    s3 = ctx.aws.client("s3")
    s3.create_bucket(Bucket="smoke-bucket")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["smoke-bucket"]
