"""Security scan benchmark: a large moto organisation (two accounts, three regions, thousands of
resources of the types the rules read), scanned concurrently and one task at a time
(max_workers=1). Reports wall time, AWS API calls, resources, findings, collection errors and
peak memory.

Self-contained: it starts its own moto server on a free port, seeds it with boto3 directly (the
caller's account and a member account reached through an assumed role, as `aws.assume_role_arns`
configures it), runs each scan in a fresh child process (so peak memory is that scan's own),
prints a Markdown table and stops the server.

moto answers from memory in one Python process, so against it a scan is CPU-bound and threads
gain little; real AWS calls spend most of their time on the network. `--latency-ms` puts a
delaying proxy in front of moto to model that round trip (0 = moto as it is).

    .venv/bin/python bench/scan_bench.py                  # 2 accounts, 3 regions, 0 and 50 ms, 3 runs
    .venv/bin/python bench/scan_bench.py --repeat 1 --latency-ms 0
    .venv/bin/python bench/scan_bench.py --accounts 1 --scale 0.5 --repeat 1 --latency-ms 0
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from config import load_settings  # noqa: E402
from store import Store  # noqa: E402
from tools.base import ToolContext  # noqa: E402
from tools.inventory.aws import AwsClients  # noqa: E402
from tools.security.security_scan import SecurityScan  # noqa: E402

DEFAULT_REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
AMI = "ami-0c1a7f89451184c8b"
# The member account, reached the way aws.assume_role_arns configures it (moto acts in the account
# the role ARN names).
MEMBER_ROLE = "arn:aws:iam::210987654321:role/BenchAudit"
LAMBDA_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("moto server did not start")


class _Hop(ThreadingHTTPServer):
    daemon_threads = True
    target: tuple[str, int]
    delay_s: float


class _Delayed(BaseHTTPRequestHandler):
    """Forwards each request to moto after a fixed delay, like a round trip to a remote API."""

    protocol_version = "HTTP/1.1"
    server: _Hop

    def _forward(self) -> None:
        time.sleep(self.server.delay_s)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        upstream = http.client.HTTPConnection(*self.server.target, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        upstream.request(self.command, self.path, body=body or None, headers=headers)
        resp = upstream.getresponse()
        payload = resp.read()
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        upstream.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

    def log_message(self, *args: object) -> None:
        pass


def start_delay_proxy(endpoint: str, delay_ms: float) -> tuple[_Hop, str]:
    host, port = endpoint.removeprefix("http://").split(":")
    server = _Hop(("127.0.0.1", 0), _Delayed)
    server.target = (host, int(port))
    server.delay_s = delay_ms / 1000
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def settings_for(
    endpoint: str, regions: list[str], workers: int, data_dir: Path, roles: list[str] | None = None
) -> Any:
    return load_settings(
        data_dir=data_dir,
        aws={
            "mode": "sandbox",
            "endpoint_url": endpoint,
            "regions": regions,
            "max_workers": workers,
            "assume_role_arns": roles or [],
        },
    )


def member_roles(accounts: int) -> list[str]:
    return [MEMBER_ROLE] if accounts > 1 else []


def _n(base: int, scale: float) -> int:
    return max(1, round(base * scale))


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    return buf.getvalue()


def seed_account(aws: AwsClients, prefix: str, regions: list[str], scale: float) -> dict[str, int]:
    """One account of a company spread over `regions`: per region ~350 resources at scale 1
    (EC2, EBS, VPC, RDS, KMS, DynamoDB, SQS, SNS, ECR, Lambda, ALBs, secrets), plus global S3
    and IAM. About a quarter of each type carries a misconfiguration the rules report."""
    created: dict[str, int] = {}

    def count(kind: str, n: int = 1) -> None:
        created[kind] = created.get(kind, 0) + n

    iam = aws.client("iam", regions[0])
    fn_role = iam.create_role(RoleName=f"{prefix}-fn", AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    code = _zip()
    for i, region in enumerate(regions):
        ec2 = aws.client("ec2", region)
        vpc = ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{i}.{n}.0/24", AvailabilityZone=f"{region}{zone}")[
                "Subnet"
            ]["SubnetId"]
            for n, zone in ((1, "a"), (2, "b"))
        ]
        subnet = subnets[0]
        count("vpc")
        for n in range(_n(20, scale)):
            extra = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{i}.{10 + n}.0/24")["Subnet"]["SubnetId"]
            if n % 4 == 0:
                ec2.modify_subnet_attribute(SubnetId=extra, MapPublicIpOnLaunch={"Value": True})
        count("subnet", _n(20, scale) + 2)
        for n in range(_n(10, scale)):
            acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
            acl_ports = {"From": 22, "To": 22} if n % 3 else {"From": 443, "To": 443}
            ec2.create_network_acl_entry(
                NetworkAclId=acl,
                RuleNumber=100,
                Protocol="6",
                RuleAction="allow",
                Egress=False,
                CidrBlock="0.0.0.0/0" if n % 2 == 0 else "10.0.0.0/8",
                PortRange=acl_ports,
            )
        count("network_acl", _n(10, scale))
        groups = []
        for g in range(_n(40, scale)):
            sg = ec2.create_security_group(GroupName=f"app-{g}", Description="bench", VpcId=vpc)["GroupId"]
            port = (22, 443, 5432, 8080)[g % 4]
            cidr = "0.0.0.0/0" if g % 5 == 0 else "10.0.0.0/8"
            ec2.authorize_security_group_ingress(
                GroupId=sg,
                IpPermissions=[
                    {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}
                ],
            )
            groups.append(sg)
        count("security_group", len(groups))
        n_inst = _n(40, scale)
        ec2.run_instances(
            ImageId=AMI,
            MinCount=n_inst,
            MaxCount=n_inst,
            InstanceType="t3.micro",
            SubnetId=subnet,
            SecurityGroupIds=groups[:1],
            MetadataOptions={"HttpTokens": "optional"},
        )
        count("ec2_instance + root volume", 2 * n_inst)
        volumes = []
        for v in range(_n(20, scale)):
            volumes.append(
                ec2.create_volume(AvailabilityZone=f"{region}a", Size=10 + v, Encrypted=v % 3 != 0)[
                    "VolumeId"
                ]
            )
        count("ebs_volume", len(volumes))
        for v in volumes[: _n(10, scale)]:
            ec2.create_snapshot(VolumeId=v)
        count("ebs_snapshot", _n(10, scale))
        for _ in range(_n(5, scale)):
            ec2.allocate_address(Domain="vpc")
        count("elastic_ip", _n(5, scale))
        kms = aws.client("kms", region)
        for k in range(_n(5, scale)):
            key = kms.create_key()["KeyMetadata"]["KeyId"]
            if k % 2:
                kms.enable_key_rotation(KeyId=key)
        count("kms_key", _n(5, scale))
        rds = aws.client("rds", region)
        for d in range(_n(3, scale)):
            rds.create_db_instance(
                DBInstanceIdentifier=f"db-{d}",
                Engine="postgres",
                DBInstanceClass="db.t3.micro",
                AllocatedStorage=20,
                MasterUsername="bench",
                MasterUserPassword="bench-Pa55word",
                PubliclyAccessible=d == 0,
            )
        count("rds_instance", _n(3, scale))
        ddb = aws.client("dynamodb", region)
        for t in range(_n(30, scale)):
            ddb.create_table(
                TableName=f"table-{t}",
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
            if t % 4:
                ddb.update_continuous_backups(
                    TableName=f"table-{t}",
                    PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
                )
        count("dynamodb_table", _n(30, scale))
        sqs, sns = aws.client("sqs", region), aws.client("sns", region)
        for q in range(_n(30, scale)):
            attrs = {"SqsManagedSseEnabled": "true"} if q % 4 else {"SqsManagedSseEnabled": "false"}
            sqs.create_queue(QueueName=f"queue-{q}", Attributes=attrs)
            sns.create_topic(
                Name=f"topic-{q}", Attributes={"KmsMasterKeyId": "alias/aws/sns"} if q % 4 else {}
            )
        count("sqs_queue", _n(30, scale))
        count("sns_topic", _n(30, scale))
        ecr = aws.client("ecr", region)
        for r in range(_n(20, scale)):
            ecr.create_repository(
                repositoryName=f"repo-{r}", imageScanningConfiguration={"scanOnPush": r % 4 != 0}
            )
        count("ecr_repository", _n(20, scale))
        lam = aws.client("lambda", region)
        for f in range(_n(20, scale)):
            lam.create_function(
                FunctionName=f"fn-{f}",
                Runtime="python3.12" if f % 4 else "python3.7",
                Role=fn_role,
                Handler="handler.handler",
                Code={"ZipFile": code},
            )
        count("lambda_function", _n(20, scale))
        elb = aws.client("elbv2", region)
        for b in range(_n(5, scale)):
            lb = elb.create_load_balancer(Name=f"alb-{b}", Subnets=subnets, Type="application")
            tg = elb.create_target_group(Name=f"tg-{b}", Protocol="HTTP", Port=80, VpcId=vpc)
            elb.create_listener(
                LoadBalancerArn=lb["LoadBalancers"][0]["LoadBalancerArn"],
                Protocol="HTTP",
                Port=80,
                DefaultActions=[
                    {"Type": "forward", "TargetGroupArn": tg["TargetGroups"][0]["TargetGroupArn"]}
                ],
            )
        count("load_balancer", _n(5, scale))
        secrets = aws.client("secretsmanager", region)
        for x in range(_n(20, scale)):
            secrets.create_secret(Name=f"secret-{x}", SecretString="bench")
        count("secret", _n(20, scale))
    s3 = aws.client("s3", regions[0])
    for b in range(_n(40, scale)):
        name = f"{prefix}-bucket-{b}"
        s3.create_bucket(Bucket=name)
        if b % 4 == 0:
            s3.put_bucket_acl(Bucket=name, ACL="public-read")
    count("s3_bucket", _n(40, scale))
    for u in range(_n(30, scale)):
        iam.create_user(UserName=f"user-{u}")
        if u % 3 == 0:
            iam.create_access_key(UserName=f"user-{u}")
    count("iam_user", _n(30, scale))
    return created


def seed_large(endpoint: str, regions: list[str], scale: float, accounts: int = 2) -> dict[str, int]:
    """The caller's account and (with accounts=2) a member account, each seeded alike."""
    aws = AwsClients(settings_for(endpoint, regions, 8, Path(tempfile.mkdtemp())).aws)
    created: dict[str, int] = {}
    views = [("prod", aws)] + [("dev", aws.as_role(role)) for role in member_roles(accounts)]
    for prefix, view in views:
        for kind, n in seed_account(view, prefix, regions, scale).items():
            created[kind] = created.get(kind, 0) + n
    # Each view counts the calls of the clients it built.
    created["seed_api_calls"] = sum(view.api_calls for _, view in views)
    return created


def child(endpoint: str, regions: list[str], workers: int, accounts: int) -> None:
    """One scan in a fresh process, then a second one reusing its clients; prints JSON."""
    data = Path(tempfile.mkdtemp())
    settings = settings_for(endpoint, regions, workers, data, member_roles(accounts))
    store = Store(settings.sqlalchemy_url)
    ctx = ToolContext(settings=settings, clock=settings.clock(), aws=AwsClients(settings.aws), store=store)
    tool = SecurityScan()
    out: dict[str, Any] = {"workers": workers}
    for label in ("cold", "warm"):
        calls = ctx.aws.api_calls
        started = time.perf_counter()
        result = tool.run(ctx, tool.parse({}))
        out[f"{label}_s"] = time.perf_counter() - started
        out[f"{label}_calls"] = ctx.aws.api_calls - calls
        out["resources"] = result.resources_scanned
        out["findings"] = sum(result.counts.values())
        out["errors"] = len(result.errors)
        out["error_detail"] = sorted({f"{e.resource_type}@{e.region}: {e.error[:80]}" for e in result.errors})
        out["accounts"] = len(result.accounts) or 1
    # ru_maxrss is in KiB on Linux: the peak of this process, i.e. of these scans.
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    store.close()
    print(json.dumps(out))


def run_child(endpoint: str, regions: list[str], workers: int, accounts: int) -> dict[str, Any]:
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            endpoint,
            "--regions",
            ",".join(regions),
            "--workers",
            str(workers),
            "--accounts",
            str(accounts),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if proc.returncode != 0:
        raise SystemExit(f"scan child failed:\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--regions", default=",".join(DEFAULT_REGIONS))
    parser.add_argument(
        "--scale", type=float, default=1.0, help="resource count multiplier (1.0: about 1,100 per account)"
    )
    parser.add_argument(
        "--accounts", type=int, choices=(1, 2), default=2, help="1: the caller's account only"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per mode (the median is reported)")
    parser.add_argument("--workers", type=int, default=8, help="max_workers of the concurrent scan")
    parser.add_argument(
        "--latency-ms", default="0,50", help="comma-separated delays added to every API call (0 = plain moto)"
    )
    parser.add_argument("--child", metavar="ENDPOINT", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    if args.child:
        child(args.child, regions, args.workers, args.accounts)
        return

    latencies = [float(x) for x in args.latency_ms.split(",") if x.strip()]
    proc, endpoint = start_moto()
    # (latency, workers) -> runs
    runs: dict[tuple[float, int], list[dict[str, Any]]] = {}
    try:
        started = time.perf_counter()
        created = seed_large(endpoint, regions, args.scale, args.accounts)
        seed_s = time.perf_counter() - started
        total = sum(v for k, v in created.items() if k != "seed_api_calls")
        print(
            f"seeded {total} resources in {args.accounts} account(s) x {len(regions)} regions "
            f"({seed_s:.0f}s, {created['seed_api_calls']} calls): {created}",
            flush=True,
        )
        for latency in latencies:
            proxy, target = start_delay_proxy(endpoint, latency) if latency else (None, endpoint)
            try:
                for i in range(args.repeat):
                    # Alternate the order so neither mode always runs on a warmer server.
                    for workers in [args.workers, 1] if i % 2 == 0 else [1, args.workers]:
                        r = run_child(target, regions, workers, args.accounts)
                        runs.setdefault((latency, workers), []).append(r)
                        print(
                            f"  {latency:g} ms, run {i + 1}, max_workers={workers}: {json.dumps(r)}",
                            flush=True,
                        )
            finally:
                if proxy is not None:
                    proxy.shutdown()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # moto's server sometimes ignores SIGTERM while busy
            proc.kill()
            proc.wait(timeout=10)

    def med(key: tuple[float, int], field: str) -> float:
        return float(statistics.median(r[field] for r in runs[key]))

    first = runs[(latencies[0], args.workers)][0]
    print()
    print(
        f"Resources scanned: {first['resources']} in {first['accounts']} account(s) across {len(regions)} "
        f"regions ({', '.join(regions)}); findings: {first['findings']}; collection errors: {first['errors']}"
        f"{' ' + '; '.join(first['error_detail']) if first['errors'] else ''}; "
        f"median of {args.repeat} run(s) per mode."
    )
    print()
    print(
        "| Added latency per call | Mode | Wall, fresh process (s) | Wall, warm clients (s) | API calls "
        "| Peak RSS (MB) |"
    )
    print("|---:|---|---:|---:|---:|---:|")
    for latency in latencies:
        for workers in (args.workers, 1):
            label = f"concurrent (max_workers={workers})" if workers != 1 else "one at a time (max_workers=1)"
            key = (latency, workers)
            print(
                f"| {latency:g} ms | {label} | {med(key, 'cold_s'):.1f} | {med(key, 'warm_s'):.1f} | "
                f"{med(key, 'cold_calls'):.0f} | {med(key, 'peak_rss_mb'):.0f} |"
            )
    print()
    for latency in latencies:
        fast, slow = (latency, args.workers), (latency, 1)
        print(
            f"Speed-up at {latency:g} ms: {med(slow, 'cold_s') / med(fast, 'cold_s'):.1f}x (fresh process), "
            f"{med(slow, 'warm_s') / med(fast, 'warm_s'):.1f}x (warm clients)."
        )
    if args.json:
        raw = {f"{lat:g}ms/workers={w}": r for (lat, w), r in runs.items()}
        args.json.write_text(json.dumps({"created": created, "runs": raw}, indent=2))


if __name__ == "__main__":
    main()
