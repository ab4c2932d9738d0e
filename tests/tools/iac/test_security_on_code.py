"""The security rules that judge live resources judge the resources declared in code: the same
rule objects, fed the same normalised Resource. Insecure code is caught; secure code is not."""

from __future__ import annotations

from typing import Any

from tools.iac.checks import IacEnv, check_code
from tools.iac.mapping.cloudformation import map_cloudformation
from tools.iac.mapping.terraform import map_terraform
from tools.iac.validate.terraform import parse_terraform
from tools.inventory.collectors.ec2 import security_group_resource
from tools.security.engine import evaluate
from tools.security.rules import all_rules

PROVIDERS = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 6.0" }
  }
}
"""

INSECURE_TF = (
    PROVIDERS
    + """
variable "ssh_from" {
  default = "0.0.0.0/0"
}
resource "aws_s3_bucket" "site" {
  bucket = "acme-public-site"
}
resource "aws_s3_bucket_public_access_block" "site" {
  bucket                  = aws_s3_bucket.site.id
  block_public_acls       = false
  block_public_policy     = false
  ignore_public_acls      = false
  restrict_public_buckets = false
}
resource "aws_s3_bucket_policy" "site" {
  bucket = aws_s3_bucket.site.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.site.arn}/*"
    }]
  })
}
resource "aws_security_group" "ssh" {
  name = "ssh-anywhere"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.ssh_from]
  }
}
resource "aws_vpc_security_group_ingress_rule" "pg" {
  security_group_id = aws_security_group.ssh.id
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_ipv4         = "0.0.0.0/0"
}
resource "aws_db_instance" "db" {
  identifier          = "orders"
  engine              = "postgres"
  instance_class      = "db.t4g.micro"
  publicly_accessible = true
}
resource "aws_ebs_volume" "data" {
  availability_zone = "us-east-1a"
  size              = 10
}
resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
resource "aws_iam_role_policy_attachment" "admin" {
  role       = "ops"
  policy_arn = aws_iam_policy.admin.arn
}
resource "aws_instance" "web" {
  ami                         = "ami-0123456789abcdef0"
  instance_type               = "t3.micro"
  associate_public_ip_address = true
}
resource "aws_kms_key" "k" {
  description = "no rotation"
}
"""
)

INSECURE_CFN = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-public-site
  SitePolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Site
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: !Sub "${Site.Arn}/*"
  Ssh:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh from anywhere
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t4g.micro
      AllocatedStorage: "20"
      MasterUsername: admin
      ManageMasterUserPassword: true
      PubliclyAccessible: true
  Admin:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: "*"
            Resource: "*"
      Roles: [ops]
"""

EXPECTED_TF = {
    "s3-bucket-public",
    "ec2-sg-open-admin-ports",
    "ec2-sg-open-database-ports",
    "rds-instance-public",
    "rds-instance-unencrypted",
    "ebs-volume-unencrypted",
    "iam-policy-full-admin",
}


def _rule_ids(findings: list[Any]) -> set[str]:
    return {f.rule_id for f in findings}


def test_insecure_terraform_is_flagged_by_the_live_rules(iac_env: IacEnv) -> None:
    report = check_code(iac_env, INSECURE_TF, "terraform")
    assert report.valid, [i.line() for i in report.errors()]
    found = _rule_ids(report.findings)
    assert found >= EXPECTED_TF, found
    live_rule_ids = {r.id for r in all_rules()}
    assert found <= live_rule_ids
    assert not report.ok
    by_rule = {f.rule_id: f for f in report.findings}
    assert by_rule["ec2-sg-open-admin-ports"].resource_id == "aws_security_group.ssh"
    assert "0.0.0.0/0" in by_rule["ec2-sg-open-admin-ports"].detail


def test_insecure_cloudformation_is_flagged_by_the_live_rules(iac_env: IacEnv) -> None:
    report = check_code(iac_env, INSECURE_CFN, "cloudformation")
    found = _rule_ids(report.findings)
    assert {
        "s3-bucket-public",
        "ec2-sg-open-admin-ports",
        "rds-instance-public",
        "iam-policy-full-admin",
    } <= found
    assert not report.ok


def test_one_rule_definition_for_live_and_code() -> None:
    """A security group read from AWS and the same group declared in Terraform: same rule, same verdict."""
    live = security_group_resource(
        {
            "GroupId": "sg-0123abcd",
            "GroupName": "ssh-anywhere",
            "IpPermissions": [
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            ],
        },
        "us-east-1",
    )
    declared = [
        r
        for r in map_terraform(parse_terraform(INSECURE_TF), "us-east-1").resources
        if r.type == "security_group"
    ]
    rules = all_rules()
    live_findings = evaluate([live], rules)
    code_findings = evaluate(declared, rules)
    assert "ec2-sg-open-admin-ports" in _rule_ids(live_findings)
    assert "ec2-sg-open-admin-ports" in _rule_ids(code_findings)
    keys = ("protocol", "from_port", "to_port", "cidr")
    assert [live.attributes["ingress"][0][k] for k in keys] == [
        declared[0].attributes["ingress"][0][k] for k in keys
    ]


def test_defaults_are_the_providers_defaults() -> None:
    """An argument left out is judged as AWS would apply it, not as secure."""
    doc = parse_terraform(
        PROVIDERS + 'resource "aws_db_instance" "db" {\n  instance_class = "db.t4g.micro"\n}\n'
    )
    (db,) = map_terraform(doc, "eu-west-1").resources
    assert db.region == "eu-west-1"
    assert db.attributes["storage_encrypted"] is False
    assert db.attributes["backup_retention_period"] == 1
    assert db.attributes["deletion_protection"] is False


def test_policy_document_data_sources_are_read() -> None:
    code = (
        PROVIDERS
        + """
data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}
resource "aws_iam_role_policy" "inline" {
  role   = "ops"
  policy = data.aws_iam_policy_document.p.json
}
"""
    )
    findings = evaluate(map_terraform(parse_terraform(code), "us-east-1").resources, all_rules())
    assert "iam-policy-full-admin" in _rule_ids(findings)


def test_cloudformation_parameter_defaults_are_resolved() -> None:
    template = {
        "Parameters": {"Cidr": {"Type": "String", "Default": "0.0.0.0/0"}},
        "Resources": {
            "Sg": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {"GroupDescription": "x"},
            },
            "Rdp": {
                "Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {
                    "GroupId": {"Ref": "Sg"},
                    "IpProtocol": "tcp",
                    "FromPort": 3389,
                    "ToPort": 3389,
                    "CidrIp": {"Ref": "Cidr"},
                },
            },
        },
    }
    findings = evaluate(map_cloudformation(template, "us-east-1").resources, all_rules())
    assert "ec2-sg-open-admin-ports" in _rule_ids(findings)


def test_low_severity_findings_warn_without_failing(iac_env: IacEnv) -> None:
    code = (
        PROVIDERS
        + """
resource "aws_s3_bucket" "b" {
  bucket = "plain"
}
resource "aws_s3_bucket_public_access_block" "b" {
  bucket                  = aws_s3_bucket.b.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  bucket = aws_s3_bucket.b.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "${aws_s3_bucket.b.arn}/*",
                   Condition = { Bool = { "aws:SecureTransport" = "false" } } }]
  })
}
"""
    )
    report = check_code(iac_env, code, "terraform")
    assert "s3-bucket-versioning" in _rule_ids(report.findings)
    assert {f.severity for f in report.findings} == {"low"}
    assert report.ok
    assert any("s3-bucket-versioning" in w.message for w in report.warnings())
