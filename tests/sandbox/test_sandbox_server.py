"""The detached sandbox server: start, status, stop, the ways starting can go wrong, and why one
data dir's sandbox is never another's."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.main import cli
from config import Settings, load_settings
from sandbox.server import connect, ensure_running, load_manifest, reset, status, stop
from tools.base import UserFacingError
from tools.inventory.aws import AwsClients


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sandbox(data_dir: Path, **aws: object) -> Settings:
    return load_settings(data_dir=data_dir, aws={"mode": "sandbox", **aws})


def s3(settings: Settings) -> Any:
    """An S3 client of this data dir's running sandbox (without seeding it)."""
    port = status(settings).port
    assert port is not None, "the sandbox is not running"
    return AwsClients(settings.aws.model_copy(update={"sandbox_port": port})).client("s3")


def buckets(settings: Settings) -> list[str]:
    return [b["Name"] for b in s3(settings).list_buckets()["Buckets"]]


@pytest.fixture
def stopper() -> Iterator[list[Settings]]:
    """Sandboxes a test starts are stopped even when it fails."""
    started: list[Settings] = []
    yield started
    for settings in started:
        stop(settings)


def test_start_status_stop(tmp_path: Path, stopper: list[Settings]) -> None:
    settings = sandbox(tmp_path / "data")
    stopper.append(settings)
    assert not status(settings).running and status(settings).endpoint is None
    # A record left by a server that died must not get in the way.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    record = tmp_path / "data" / "sandbox" / "server.json"
    record.parent.mkdir(parents=True)
    stale = {"pid": dead.pid, "port": free_port(), "token": "stale", "data_dir": str(tmp_path / "data")}
    record.write_text(json.dumps(stale))
    url = ensure_running(settings, seed_account=False)
    st = status(settings)
    assert st.running and st.managed and st.pid not in (None, dead.pid)
    assert st.port is not None and url == f"http://127.0.0.1:{st.port}" and st.endpoint == url
    assert st.data_dir == (tmp_path / "data").resolve() and not st.seeded and st.log_file is not None
    assert json.loads(record.read_text())["pid"] == st.pid
    assert ensure_running(settings, seed_account=False) == url
    assert status(settings).pid == st.pid
    s3(settings).create_bucket(Bucket="shared-state")
    assert "shared-state" in buckets(settings)
    stopped = stop(settings)
    assert stopped is not None and (stopped.pid, stopped.port) == (st.pid, st.port)
    assert stopped.describe() == f"stopped sandbox pid {st.pid} on port {st.port} (data dir {st.data_dir})"
    assert not status(settings).running
    assert not record.exists()
    assert stop(settings) is None


@pytest.mark.slow
def test_each_data_dir_has_its_own_sandbox(tmp_path: Path, stopper: list[Settings]) -> None:
    a, b = sandbox(tmp_path / "a"), sandbox(tmp_path / "b")
    stopper += [a, b]
    url_a, url_b = ensure_running(a), ensure_running(b)
    assert url_a != url_b
    # Seeding is repeatable: the same names get the same ids in every data dir.
    manifest_a, manifest_b = load_manifest(a), load_manifest(b)
    assert manifest_a is not None and manifest_b is not None
    ids_a = {(r.account, r.type, r.name): r.id for r in manifest_a.resources}
    assert ids_a == {(r.account, r.type, r.name): r.id for r in manifest_b.resources}
    assert ids_a[(manifest_a.account_id, "security_group", "acme-bastion")].startswith("sg-")

    # What every command's AWS clients are built from: the port this data dir's server listens on.
    assert connect(a).aws.sandbox_port == status(a).port and connect(a).aws.endpoint_url is None
    s3(a).create_bucket(Bucket="only-in-a")
    assert "only-in-a" in buckets(a) and "only-in-a" not in buckets(b)
    # Resetting B (as `cloudpilot demo` does) leaves A alone and gives B the same named resources.
    # Their ids are not compared: after a reset inside a running moto server, some ids (instances,
    # volumes, CloudFront distributions) were seen to differ from a fresh server's.
    again = reset(b)
    assert {(r.account, r.type, r.name) for r in again.resources} == set(ids_a)
    assert "only-in-a" in buckets(a)

    # B's record pointing at A's server (a port reused after a reboot, a copied data dir) does
    # not make B use, reset or stop it: B starts its own.
    record_b = tmp_path / "b" / "sandbox" / "server.json"
    pid_b = status(b).pid
    stop(b)
    a_record = json.loads((tmp_path / "a" / "sandbox" / "server.json").read_text())
    record_b.write_text(json.dumps({**a_record, "token": "not-a's"}))
    assert stop(b) is None
    assert status(a).running and status(a).pid == a_record["pid"]
    url_b2 = ensure_running(b, seed_account=False)
    assert url_b2 not in (url_a, url_b) and status(b).pid not in (pid_b, a_record["pid"])
    assert "only-in-a" in buckets(a) and buckets(b) == []
    assert stop(b) is not None and status(a).running


def test_a_configured_port_is_used_and_never_shared(tmp_path: Path, stopper: list[Settings]) -> None:
    port = free_port()
    a = sandbox(tmp_path / "a", sandbox_port=port)
    stopper.append(a)
    assert ensure_running(a, seed_account=False) == f"http://127.0.0.1:{port}"
    # Another data dir configured with the same port refuses, naming whose sandbox is there.
    b = sandbox(tmp_path / "b", sandbox_port=port)
    with pytest.raises(UserFacingError, match=f"sandbox of another data dir \\({tmp_path / 'a'}\\)"):
        ensure_running(b, seed_account=False)
    assert not (tmp_path / "b" / "sandbox" / "server.json").exists()
    # ... but can use it when told to, as a configured endpoint it never stops.
    shared = sandbox(tmp_path / "b", endpoint_url=f"http://127.0.0.1:{port}")
    assert ensure_running(shared, seed_account=False) == f"http://127.0.0.1:{port}"
    st = status(shared)
    assert st.running and not st.managed and st.pid is None
    assert stop(shared) is None and status(a).running


def test_cli_stop_tells_the_truth(tmp_path: Path, stopper: list[Settings]) -> None:
    settings = sandbox(tmp_path / "data")
    stopper.append(settings)
    data_dir = (tmp_path / "data").resolve()
    env = {"CLOUDPILOT_DATA_DIR": str(tmp_path / "data"), "CLOUDPILOT_AWS__MODE": "sandbox"}
    runner = CliRunner()
    nothing = runner.invoke(cli, ["sandbox", "stop"], env=env)
    assert nothing.exit_code == 1 and nothing.output == f"no sandbox running for {data_dir}\n"
    ensure_running(settings, seed_account=False)
    st = status(settings)
    stopped = runner.invoke(cli, ["sandbox", "stop"], env=env)
    assert stopped.exit_code == 0, stopped.output
    assert stopped.output == f"stopped sandbox pid {st.pid} on port {st.port} (data dir {data_dir})\n"
    configured = runner.invoke(
        cli, ["sandbox", "stop"], env={**env, "CLOUDPILOT_AWS__ENDPOINT_URL": "http://127.0.0.1:9"}
    )
    assert configured.exit_code == 1 and "left running" in configured.output


class _NotMoto(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def other_program() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), _NotMoto)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_refuses_a_port_used_by_another_program(tmp_path: Path, other_program: int) -> None:
    settings = sandbox(tmp_path / "data", sandbox_port=other_program)
    with pytest.raises(UserFacingError, match=f"Port {other_program} is used by another program"):
        ensure_running(settings)
    assert not (tmp_path / "data" / "sandbox" / "server.json").exists()
    nobody = load_settings(
        data_dir=tmp_path / "data", aws={"mode": "sandbox", "endpoint_url": f"http://127.0.0.1:{free_port()}"}
    )
    with pytest.raises(UserFacingError, match="No moto server answers"):
        ensure_running(nobody)
    real = load_settings(data_dir=tmp_path / "data", aws={"mode": "real"})
    with pytest.raises(UserFacingError, match="only used when aws.mode is 'sandbox'"):
        ensure_running(real)
