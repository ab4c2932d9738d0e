"""Security scan benchmark: a moto account of 500+ resources in 3 regions, scanned concurrently and
one task at a time (max_workers=1). Reports wall time, AWS API calls and peak memory.

Self-contained: it starts its own moto server on a free port, seeds it, runs each scan in a fresh
child process (so peak memory is that scan's own), prints a Markdown table and stops the server.

moto answers from memory in one Python process, so against it a scan is CPU-bound and threads
gain little; real AWS calls spend most of their time on the network. `--latency-ms` puts a
delaying proxy in front of moto to model that round trip (0 = moto as it is).

    .venv/bin/python bench/scan_bench.py                  # 3 regions, 0 and 50 ms, 3 runs per mode
    .venv/bin/python bench/scan_bench.py --repeat 1 --scale 0.5 --latency-ms 0
"""

from __future__ import annotations

import argparse
import http.client
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


def settings_for(endpoint: str, regions: list[str], workers: int, data_dir: Path) -> Any:
    return load_settings(
        data_dir=data_dir,
        aws={"mode": "sandbox", "endpoint_url": endpoint, "regions": regions, "max_workers": workers},
    )


def _n(base: int, scale: float) -> int:
    return max(1, round(base * scale))


def seed_large(endpoint: str, regions: list[str], scale: float) -> dict[str, int]:
    """A company spread over `regions`: per region ~160 resources, plus global S3 and IAM."""
    aws = AwsClients(settings_for(endpoint, regions, 8, Path(tempfile.mkdtemp())).aws)
    created: dict[str, int] = {}

    def count(kind: str, n: int = 1) -> None:
        created[kind] = created.get(kind, 0) + n

    for i, region in enumerate(regions):
        ec2 = aws.client("ec2", region)
        vpc = ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{i}.1.0/24", AvailabilityZone=f"{region}a")[
            "Subnet"
        ]["SubnetId"]
        count("vpc")
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
    s3 = aws.client("s3", regions[0])
    for b in range(_n(40, scale)):
        name = f"bench-bucket-{b}"
        s3.create_bucket(Bucket=name)
        if b % 4 == 0:
            s3.put_bucket_acl(Bucket=name, ACL="public-read")
    count("s3_bucket", _n(40, scale))
    iam = aws.client("iam", regions[0])
    for u in range(_n(30, scale)):
        iam.create_user(UserName=f"user-{u}")
        if u % 3 == 0:
            iam.create_access_key(UserName=f"user-{u}")
    count("iam_user", _n(30, scale))
    created["seed_api_calls"] = aws.api_calls
    return created


def child(endpoint: str, regions: list[str], workers: int) -> None:
    """One scan in a fresh process, then a second one reusing its clients; prints JSON."""
    data = Path(tempfile.mkdtemp())
    settings = settings_for(endpoint, regions, workers, data)
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
    # ru_maxrss is in KiB on Linux: the peak of this process, i.e. of these scans.
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    store.close()
    print(json.dumps(out))


def run_child(endpoint: str, regions: list[str], workers: int) -> dict[str, Any]:
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
    parser.add_argument("--scale", type=float, default=1.0, help="resource count multiplier (1.0 = 500+)")
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
        child(args.child, regions, args.workers)
        return

    latencies = [float(x) for x in args.latency_ms.split(",") if x.strip()]
    proc, endpoint = start_moto()
    # (latency, workers) -> runs
    runs: dict[tuple[float, int], list[dict[str, Any]]] = {}
    try:
        started = time.perf_counter()
        created = seed_large(endpoint, regions, args.scale)
        seed_s = time.perf_counter() - started
        total = sum(v for k, v in created.items() if k != "seed_api_calls")
        print(
            f"seeded {total} resources in {len(regions)} regions "
            f"({seed_s:.0f}s, {created['seed_api_calls']} calls): {created}",
            flush=True,
        )
        for latency in latencies:
            proxy, target = start_delay_proxy(endpoint, latency) if latency else (None, endpoint)
            try:
                for i in range(args.repeat):
                    # Alternate the order so neither mode always runs on a warmer server.
                    for workers in [args.workers, 1] if i % 2 == 0 else [1, args.workers]:
                        r = run_child(target, regions, workers)
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
        proc.wait(timeout=10)

    def med(key: tuple[float, int], field: str) -> float:
        return statistics.median(r[field] for r in runs[key])

    first = runs[(latencies[0], args.workers)][0]
    print()
    print(
        f"Resources scanned: {first['resources']} across {len(regions)} regions ({', '.join(regions)}); "
        f"findings: {first['findings']}; collection errors: {first['errors']}; "
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
