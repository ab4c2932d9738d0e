"""The warm agent process: the same answers and exit statuses as a command in its own process,
a clear error when it dies mid-answer (and a new one for the next command), replaced when the
settings change, and closed to other users."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.daemon import wire
from config import load_settings
from tools.inventory.aws import AwsClients

ROOT = Path(__file__).resolve().parents[3]
EC2 = "how much did we spend on EC2 last month"


@pytest.fixture
def env(tmp_path: Path, fresh_moto: str) -> Iterator[dict[str, str]]:
    from sandbox.seed import seed

    seed(AwsClients(load_settings(data_dir=tmp_path, aws={"endpoint_url": fresh_moto}).aws))
    base = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLOUDPILOT_")},
        "CLOUDPILOT_DATA_DIR": str(tmp_path / "data"),
        "CLOUDPILOT_AWS__ENDPOINT_URL": fresh_moto,
        "CLOUDPILOT_NOW": "2024-10-15",
        "CLOUDPILOT_CLI__DAEMON": "on",
        "COLUMNS": "100",
    }
    yield base
    record = tmp_path / "data" / "agent.json"
    if record.exists():  # leave no agent process behind
        _stop(json.loads(record.read_text())["pid"])


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(300):
        if not _alive(pid):
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child of this process that exited but was not waited for is gone too.
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(")")[-1].split()[0] == "Z")


def cloudpilot(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.main", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=240,
    )


def agent_pid(env: dict[str, str]) -> int:
    record: dict[str, Any] = json.loads((Path(env["CLOUDPILOT_DATA_DIR"]) / "agent.json").read_text())
    return int(record["pid"])


def test_same_answers_and_exit_statuses_with_and_without_the_agent_process(env: dict[str, str]) -> None:
    for args in (
        ["ask", EC2],
        ["ask", "--json", "break down last month by service"],
        ["ask", "--as", "b\u200bob", "hi"],  # a usage error: exit 2, the same message
        ["--now", "2024-13-01", "ask", "hi"],  # click's own error
        ["ask", "--as", "alice", "what did S3 cost last month?"],
    ):
        via_agent = cloudpilot(env, *args)
        alone = cloudpilot(env, "--no-daemon", *args)
        assert via_agent.returncode == alone.returncode, args
        assert via_agent.stderr == alone.stderr, args
        if "--json" in args:
            one, two = json.loads(via_agent.stdout), json.loads(alone.stdout)
            for reply in (one, two):  # the chart's file name is new on every answer
                reply.pop("charts", None)
            assert one == two
        else:
            assert via_agent.stdout == alone.stdout, args
    # The command that hands its question over loads click and the standard library, no more.
    probe = (
        "import sys, json\nsys.argv = ['cloudpilot', 'ask', 'hi']\nfrom bot.main import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "print(json.dumps([code, sorted(sys.modules)]), file=sys.stderr)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240
    )
    code, modules = json.loads(proc.stderr.strip().splitlines()[-1])
    assert code == 0
    heavy = {"pydantic", "pydantic_settings", "langgraph", "sqlalchemy", "rich", "boto3", "duckdb", "agent"}
    assert not {m.split(".")[0] for m in modules} & heavy
    socket_file = Path(env["CLOUDPILOT_DATA_DIR"]) / "agent.sock"
    assert stat.S_IMODE(socket_file.stat().st_mode) == 0o600
    status = json.loads(cloudpilot(env, "agent", "status").stdout)
    assert status["running"] and status["pid"] == agent_pid(env)


def test_chat_through_the_agent_process_reads_the_callers_input(env: dict[str, str]) -> None:
    lines = f"{EC2}\nand S3?\nexit\n"
    via_agent = cloudpilot(env, "chat", "--as", "alice", stdin=lines)
    alone = cloudpilot(env, "--no-daemon", "chat", "--as", "alice", stdin=lines)
    assert via_agent.returncode == alone.returncode == 0
    assert via_agent.stdout == alone.stdout
    assert "$16.04" in via_agent.stdout
    assert (Path(env["CLOUDPILOT_DATA_DIR"]) / "agent.json").exists()


def test_killed_mid_answer_is_reported_and_the_next_command_starts_a_new_one(env: dict[str, str]) -> None:
    cloudpilot(env, "agent", "start")
    first = agent_pid(env)
    # The failpoint kills the agent process with SIGKILL right after it stored the request.
    dying = {**env, "CLOUDPILOT_FAILPOINT": "after_request"}
    change = "close port 22 to the world on security group acme-bastion"
    proc = cloudpilot(dying, "ask", "--as", "alice", change)
    assert proc.returncode == 5, proc.stderr
    assert "the agent process ended before answering" in proc.stderr
    killed = agent_pid(dying)
    assert killed != first
    assert not _alive(killed)
    after = cloudpilot(env, "ask", EC2)
    assert after.returncode == 0, after.stderr
    assert "$16.04" in after.stdout
    assert agent_pid(env) not in (first, killed)
    # The killed request was stored before the kill: the next command sees it.
    listed = cloudpilot(env, "--no-daemon", "approvals", "list", "--json")
    assert len(json.loads(listed.stdout)) == 1
    _stop(first)


def test_a_settings_change_replaces_the_agent_process(env: dict[str, str], tmp_path: Path) -> None:
    assert cloudpilot(env, "ask", EC2).returncode == 0
    old = agent_pid(env)
    config = tmp_path / "cloudpilot.toml"
    config.write_text("[approvals]\nexpiry_minutes = 30\n")
    changed = {**env, "CLOUDPILOT_CONFIG": str(config)}
    assert cloudpilot(changed, "ask", EC2).returncode == 0
    new = agent_pid(changed)
    assert new != old
    for _ in range(600):  # the stale one exits once its commands are done
        if not _alive(old):
            break
        time.sleep(0.1)
    assert not _alive(old)
    config.write_text("[approvals]\nexpiry_minutes = 20\n")  # the file's content counts, not its name
    assert cloudpilot(changed, "ask", EC2).returncode == 0
    assert agent_pid(changed) != new
    _stop(new)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to connect as another user")
def test_another_user_is_refused(env: dict[str, str]) -> None:
    cloudpilot(env, "agent", "start")
    data = Path(env["CLOUDPILOT_DATA_DIR"])
    # Past the file modes (the socket is 0600 in a folder of this user), the agent process itself
    # checks who is calling.
    (data / "agent.sock").chmod(0o666)
    data.chmod(0o755)
    folder = os.open(data, os.O_PATH)  # reached through /proc: the folders above stay closed
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which must never return into pytest
        try:
            os.close(read)
            os.setgid(65534)
            os.setuid(65534)
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(60)
                sock.connect(f"/proc/self/fd/{folder}/agent.sock")
                # The refusal may be sent, and the connection closed, before the request: read it.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    wire.send(sock, {"op": "status"})
                reply, _ = wire.Channel(sock).receive()
            os.write(write, json.dumps(reply).encode())
        except BaseException as exc:
            os.write(write, json.dumps({"error": repr(exc)}).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.close(folder)
    os.waitpid(child, 0)
    with os.fdopen(read) as fh:
        reply = json.loads(fh.read())
    assert "refused" in reply, reply
    assert "pid" not in reply
