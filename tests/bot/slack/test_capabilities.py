"""Every capability from Slack, with the real registry and offline planner: costs, security
(find -> fix it -> approve -> verified -> resolved), runbooks with citations, validated IaC."""

from __future__ import annotations

import json

from store.findings import FindingStore
from tests.bot.slack.conftest import BOB, Harness
from tests.bot.slack.test_e2e import _answers, e2e  # noqa: F401  (the end-to-end fixture)


def _last_blocks(h: Harness) -> str:
    return json.dumps(h.fake.of("chat.update")[-1].args.get("blocks", []))


def _uploaded_names(h: Harness) -> list[str]:
    return [str(c.args.get("filename", "")) for c in h.fake.of("files.getUploadURLExternal")]


def test_cost_questions(e2e: Harness) -> None:  # noqa: F811
    for question in (
        "what did we spend on EC2 last month",
        "break down last month by service",
        "any cost spikes recently?",
        "what will we spend this month?",
        "where can we save money?",
    ):
        e2e.mention(question)
        e2e.settle()
    answers = _answers(e2e)
    assert len(answers) == 5
    assert "$16.04" in answers[0] and "September 2024" in answers[0]
    assert "by service" in answers[1].lower() and "Elastic Compute Cloud" in answers[1]
    for answer in answers[2:]:
        assert answer.strip() and "went wrong" not in answer, answer
    assert any(name.endswith(".png") for name in _uploaded_names(e2e)), "a chart is uploaded"


def test_public_bucket_found_fixed_verified_and_resolved(e2e: Harness) -> None:  # noqa: F811
    s3 = e2e.agent.rt.ctx.aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="acme-slack-public")
    s3.put_bucket_acl(Bucket="acme-slack-public", ACL="public-read")
    _, root = e2e.mention("are any buckets public?")
    e2e.settle()
    assert "acme-slack-public" in _last_blocks(e2e)
    e2e.message("fix it", thread_ts=root)
    e2e.settle()
    approval_id, message_ts, posted = e2e.approval_message()
    assert "acme-slack-public" in posted["text"]
    e2e.click(approval_id, user=BOB, message_ts=message_ts)
    e2e.settle()
    assert [r.kind for r in e2e.agent.audit(approval_id)][-2:] == ["execution", "verification"]
    assert e2e.agent.view(approval_id).status == "executed"  # type: ignore[union-attr]
    e2e.message("are any buckets public?", thread_ts=root)
    e2e.settle()
    assert "resolved" in _answers(e2e)[-1], _answers(e2e)[-1]
    findings = FindingStore(e2e.agent.rt.store)
    public = findings.list(resource_id="acme-slack-public", rule_id="s3-bucket-public", status=None)
    assert [f.status for f in public] == ["resolved"]


def test_runbook_answer_cites_and_off_topic_has_no_source(e2e: Harness) -> None:  # noqa: F811
    e2e.mention("what is our runbook for a full disk on a database host?")
    e2e.settle()
    blocks = _last_blocks(e2e)
    assert ".md" in blocks, "citations name their source documents"
    e2e.mention("who won the football world cup in 1966?")
    e2e.settle()
    assert "no source found" in _answers(e2e)[-1].lower()


def test_iac_requests_return_validated_code_and_a_file(e2e: Harness) -> None:  # noqa: F811
    e2e.mention("write Terraform for a private S3 bucket with versioning")
    e2e.settle()
    assert "aws_s3_bucket_versioning" in _last_blocks(e2e)
    e2e.mention("a Kubernetes deployment for nginx with 3 replicas and a service")
    e2e.settle()
    blocks = _last_blocks(e2e)
    assert "replicas: 3" in blocks and "kind: Service" in blocks
    names = _uploaded_names(e2e)
    assert any(n.endswith(".tf") for n in names) and any(n.endswith((".yaml", ".yml")) for n in names)
