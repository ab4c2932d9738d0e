"""The detached sandbox server: start, status, stop, and the ways starting can go wrong."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from config import load_settings
from sandbox.server import ensure_running, status, stop
from tools.base import UserFacingError
from tools.inventory.aws import AwsClients


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_start_status_stop(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data", aws={"mode": "sandbox", "sandbox_port": free_port()})
    assert not status(settings).running
    # A pid file left by a server that died must not get in the way.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    pid_file = tmp_path / "data" / "sandbox" / "moto.pid"
    pid_file.parent.mkdir(parents=True)
    pid_file.write_text(f"{dead.pid}\n")
    try:
        url = ensure_running(settings, seed_account=False)
        st = status(settings)
        assert st.running and st.managed and st.pid not in (None, dead.pid)
        assert st.endpoint == url and not st.seeded and st.log_file is not None
        assert ensure_running(settings, seed_account=False) == url
        assert status(settings).pid == st.pid
        s3 = AwsClients(settings.aws).client("s3")
        s3.create_bucket(Bucket="shared-state")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["shared-state"]
    finally:
        assert stop(settings)
    assert not status(settings).running
    assert not pid_file.exists()
    assert not stop(settings)


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
    settings = load_settings(
        data_dir=tmp_path / "data", aws={"mode": "sandbox", "sandbox_port": other_program}
    )
    with pytest.raises(UserFacingError, match=f"Port {other_program} is used by another program"):
        ensure_running(settings)
    assert not (tmp_path / "data" / "sandbox" / "moto.pid").exists()
    nobody = load_settings(
        data_dir=tmp_path / "data", aws={"mode": "sandbox", "endpoint_url": f"http://127.0.0.1:{free_port()}"}
    )
    with pytest.raises(UserFacingError, match="No moto server answers"):
        ensure_running(nobody)
    real = load_settings(data_dir=tmp_path / "data", aws={"mode": "real"})
    with pytest.raises(UserFacingError, match="only used when aws.mode is 'sandbox'"):
        ensure_running(real)
