"""The sandbox AWS account: a moto server on 127.0.0.1 that belongs to one data dir.

The server runs detached from the process that started it, so `cloudpilot ask` and
`cloudpilot approve` run one after the other see the same account. It listens on a free port
chosen when it starts (or on `aws.sandbox_port` when that is set) and records its pid, port and a
token in `<data_dir>/sandbox/server.json`; it answers `GET /cloudpilot-sandbox/identity` with the
same token (`sandbox/process.py`). A command uses a server only when the token it answers with is
its data dir's: another checkout's sandbox, or anything else on that port, is never used, reset
or stopped. Its log and the seed manifest live in `<data_dir>/sandbox/` too.

When `aws.endpoint_url` is set, that server is used as it is (only seeded when it has not been).
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ValidationError

from config import Settings
from sandbox.manifest import SeedManifest
from sandbox.process import IDENTITY_PATH
from sandbox.seed import is_seeded, seed
from tools.base import UserFacingError
from tools.inventory.aws import AwsClients

HOST = "127.0.0.1"
START_TIMEOUT_S = 30.0
LOCK_TIMEOUT_S = 120.0
# moto's random generator is seeded with this right before the account is seeded, so a sandbox of
# the same moto version gives every seeded resource the same id in every newly started sandbox
# (a reset inside a running one keeps the names; some ids may differ).
ID_SEED = 20241015

Probe = Literal["moto", "other", "down"]


class SandboxError(UserFacingError, RuntimeError):
    """The sandbox could not be started or used; the message says what to do."""


class ServerRecord(BaseModel):
    """`<data_dir>/sandbox/server.json`: the server this data dir started (written by the server)."""

    pid: int
    port: int
    token: str
    data_dir: str
    started_at: str = ""

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


class SandboxStatus(BaseModel):
    data_dir: Path
    # The configured endpoint, or this data dir's server's; None when it has none.
    endpoint: str | None
    running: bool
    # True when the server answering is the one this data dir started.
    managed: bool
    pid: int | None = None
    port: int | None = None
    seeded: bool = False
    log_file: Path | None = None


class Stopped(BaseModel):
    """What `stop` stopped."""

    pid: int
    port: int | None
    data_dir: Path

    def describe(self) -> str:
        where = f" on port {self.port}" if self.port is not None else ""
        return f"stopped sandbox pid {self.pid}{where} (data dir {self.data_dir})"


def sandbox_dir(settings: Settings) -> Path:
    return settings.data_dir / "sandbox"


def _record_file(settings: Settings) -> Path:
    return sandbox_dir(settings) / "server.json"


def _legacy_pid_file(settings: Settings) -> Path:
    # Where CloudPilot before per-data-dir sandboxes recorded its server (always port 5055).
    return sandbox_dir(settings) / "moto.pid"


def _log_file(settings: Settings) -> Path:
    return sandbox_dir(settings) / "moto.log"


def _manifest_file(settings: Settings) -> Path:
    return sandbox_dir(settings) / "manifest.json"


def _data_dir(settings: Settings) -> Path:
    return settings.data_dir.resolve()


def _probe(url: str, timeout: float = 2.0) -> Probe:
    """What answers at `url`: a moto server, something else, or nothing."""
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/moto-api/", timeout=timeout) as resp:
            body = resp.read(20000)
            return "moto" if resp.status == 200 and b"moto" in body.lower() else "other"
    except urllib.error.HTTPError:
        return "other"
    except urllib.error.URLError as exc:
        return "down" if isinstance(exc.reason, ConnectionRefusedError) else "other"
    except ConnectionRefusedError:
        return "down"
    except (OSError, ValueError):
        return "other"


def _identity(url: str, timeout: float = 2.0) -> dict[str, Any] | None:
    """The identity a CloudPilot sandbox server answers with; None from anything else."""
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}{IDENTITY_PATH}", timeout=timeout) as resp:
            found = json.loads(resp.read(4096))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and isinstance(found.get("token"), str) else None


def _read_record(settings: Settings) -> ServerRecord | None:
    try:
        return ServerRecord.model_validate_json(_record_file(settings).read_text())
    except (FileNotFoundError, ValidationError):
        return None


def _answers_as(record: ServerRecord, timeout: float = 2.0) -> bool:
    """Whether the server on the recorded port is the recorded one (not a stranger reusing the port)."""
    found = _identity(record.url, timeout)
    return found is not None and found["token"] == record.token


def _owned(settings: Settings) -> ServerRecord | None:
    """This data dir's server, when it is up and answering as itself."""
    record = _read_record(settings)
    return record if record is not None and _answers_as(record) else None


def _reap(pid: int) -> None:
    # If we started the server in this very process it stays a zombie until reaped.
    with suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _alive(pid: int) -> bool:
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return True


def _runs(pid: int, *markers: bytes) -> bool:
    """Whether `pid` is alive and its command line holds every marker: guards against signalling
    an unrelated process that reused a stale pid."""
    if not _alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:
        return True  # no procfs: trust the record
    return all(m in cmdline for m in markers)


@contextmanager
def _lock(settings: Settings) -> Iterator[None]:
    """Serialises start/seed/stop between processes sharing one data_dir."""
    sandbox_dir(settings).mkdir(parents=True, exist_ok=True)
    with open(sandbox_dir(settings) / "lock", "w") as fh:
        deadline = time.monotonic() + LOCK_TIMEOUT_S
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise SandboxError(
                        f"Another CloudPilot process holds the sandbox lock in {sandbox_dir(settings)}."
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _log_tail(settings: Settings, lines: int = 15) -> str:
    try:
        return "\n".join(_log_file(settings).read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


def _terminate(pid: int, timeout_s: float) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            # The server leads its own session, so this also ends any child it spawned.
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            os.kill(pid, sig)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.05)


def _stop_recorded(settings: Settings, timeout_s: float) -> Stopped | None:
    """Stop the recorded server when it is still ours (answering as itself, or at least still our
    process), and forget the record either way."""
    record = _read_record(settings)
    stopped = None
    if record is not None:
        found = _identity(record.url)
        pid = record.pid
        if found is not None and found["token"] == record.token and isinstance(found.get("pid"), int):
            pid = found["pid"]
        if (found is not None and found["token"] == record.token) or _runs(
            pid, b"sandbox.process", record.token.encode()
        ):
            _terminate(pid, timeout_s)
            stopped = Stopped(pid=pid, port=record.port, data_dir=_data_dir(settings))
    _record_file(settings).unlink(missing_ok=True)
    return stopped


def _port_taken(settings: Settings, port: int) -> None:
    """Refuse a configured port that something else answers on (another sandbox included)."""
    url = f"http://{HOST}:{port}"
    found = _identity(url)
    if found is not None:
        raise SandboxError(
            f"Port {port} (aws.sandbox_port) is used by the CloudPilot sandbox of another data dir "
            f"({found.get('data_dir', '?')}). Pick another port, or unset aws.sandbox_port to let "
            "CloudPilot choose a free one."
        )
    probe = _probe(url)
    if probe == "moto":
        raise SandboxError(
            f"Port {port} (aws.sandbox_port) is used by a moto server this data dir did not start. "
            f"To use that server, set aws.endpoint_url = '{url}'; else pick another port or unset "
            "aws.sandbox_port."
        )
    if probe == "other":
        raise SandboxError(
            f"Port {port} is used by another program, not a sandbox AWS server. "
            "Stop it, pick another port (CLOUDPILOT_AWS__SANDBOX_PORT), or unset it to let CloudPilot "
            "choose a free one."
        )


def _start(settings: Settings, port: int, timeout_s: float) -> ServerRecord:
    token = secrets.token_hex(16)
    sandbox_dir(settings).mkdir(parents=True, exist_ok=True)
    record_file = _record_file(settings)
    record_file.unlink(missing_ok=True)
    command = [sys.executable, "-m", "sandbox.process", "--host", HOST, "--port", str(port)]
    command += ["--token", token, "--data-dir", str(_data_dir(settings)), "--record", str(record_file)]
    with open(_log_file(settings), "ab") as log:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=sandbox_dir(settings),
        )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        code = proc.poll()
        if code is not None:
            record_file.unlink(missing_ok=True)
            raise SandboxError(
                f"The sandbox AWS server exited at start (code {code}). Log {_log_file(settings)}:\n"
                + _log_tail(settings)
            )
        record = _read_record(settings)
        if record is not None and record.token == token and _answers_as(record):
            # Detached on purpose: it must outlive this process. Marking it handled stops
            # Popen from warning that it is still running when the object is collected.
            proc.returncode = 0
            return record
        time.sleep(0.1)
    _terminate(proc.pid, 5.0)
    record_file.unlink(missing_ok=True)
    raise SandboxError(
        f"The sandbox AWS server did not answer within {timeout_s:.0f}s. "
        f"Log {_log_file(settings)}:\n" + _log_tail(settings)
    )


def _check_usable(settings: Settings) -> None:
    if settings.aws.mode != "sandbox":
        raise SandboxError("The sandbox is only used when aws.mode is 'sandbox'.")


def _at(settings: Settings, url: str) -> Settings:
    """`settings` pointing at the server at `url`: this data dir's (a port) or the configured one."""
    if settings.aws.endpoint_url:
        return settings
    port = urlsplit(url).port
    return settings.model_copy(update={"aws": settings.aws.model_copy(update={"sandbox_port": port})})


def _post(url: str, path: str) -> None:
    with urllib.request.urlopen(urllib.request.Request(f"{url}{path}", method="POST"), timeout=30):
        pass


def _seed(settings: Settings, url: str) -> SeedManifest:
    """Seed the account at `url`. This data dir's own server is wiped first and moto's ids are
    made repeatable; a configured server is seeded as it is."""
    if not settings.aws.endpoint_url:
        _post(url, "/moto-api/reset")
        _post(url, f"/moto-api/seed?a={ID_SEED}")
    manifest = seed(AwsClients(_at(settings, url).aws))
    _write_manifest(settings, manifest)
    return manifest


def _write_manifest(settings: Settings, manifest: SeedManifest) -> None:
    sandbox_dir(settings).mkdir(parents=True, exist_ok=True)
    _manifest_file(settings).write_text(manifest.model_dump_json(indent=2))


def load_manifest(settings: Settings) -> SeedManifest | None:
    """The manifest written when this data_dir's sandbox was seeded, if any."""
    try:
        return SeedManifest.model_validate_json(_manifest_file(settings).read_text())
    except FileNotFoundError:
        return None


def _running_url(settings: Settings, timeout_s: float) -> str:
    """Under the lock: the URL of the server to use, starting this data dir's own when needed."""
    if settings.aws.endpoint_url:
        url = settings.aws.endpoint_url
        if _probe(url) != "moto":
            raise SandboxError(
                f"No moto server answers at aws.endpoint_url {url}. Start it, or unset the "
                "endpoint to let CloudPilot run its own sandbox."
            )
        return url
    wanted = settings.aws.sandbox_port
    record = _read_record(settings)
    if record is not None and not _answers_as(record):
        record = _slow(record, timeout_s)
    if record is not None and wanted and record.port != wanted:
        record = None  # aws.sandbox_port changed: start over on the port asked for
    if record is None:
        _stop_recorded(settings, 5.0)  # ours but not answering, or on another port
        if wanted:
            _port_taken(settings, wanted)
        record = _start(settings, wanted, timeout_s)
    return record.url


def _slow(record: ServerRecord, timeout_s: float) -> ServerRecord | None:
    """The recorded server when it is our live process that answers within `timeout_s` (a loaded
    machine); None when it is gone or is not ours, so that a new one is started."""
    deadline = time.monotonic() + timeout_s
    while _runs(record.pid, b"sandbox.process", record.token.encode()) and time.monotonic() < deadline:
        if _answers_as(record, timeout=5.0):
            return record
        time.sleep(0.2)
    return None


def ensure_running(
    settings: Settings, *, seed_account: bool = True, timeout_s: float = START_TIMEOUT_S
) -> str:
    """Make sure the sandbox answers (starting this data dir's own when needed) and is seeded;
    returns its endpoint."""
    _check_usable(settings)
    with _lock(settings):
        url = _running_url(settings, timeout_s)
        if seed_account and not is_seeded(AwsClients(_at(settings, url).aws)):
            _seed(settings, url)
    return url


def connect(settings: Settings, *, timeout_s: float = START_TIMEOUT_S) -> Settings:
    """`ensure_running`, and the settings every AWS client of this command must use to reach it
    (this data dir's server listens on a port chosen when it started)."""
    return _at(settings, ensure_running(settings, timeout_s=timeout_s))


def status(settings: Settings) -> SandboxStatus:
    log = _log_file(settings)
    common: dict[str, Any] = {"data_dir": _data_dir(settings), "log_file": log if log.exists() else None}
    if settings.aws.endpoint_url:
        url = settings.aws.endpoint_url
        running = _probe(url) == "moto"
        return SandboxStatus(
            endpoint=url, running=running, managed=False, seeded=running and _seeded(settings, url), **common
        )
    record = _owned(settings)
    if record is None:
        return SandboxStatus(endpoint=None, running=False, managed=False, **common)
    return SandboxStatus(
        endpoint=record.url,
        running=True,
        managed=True,
        pid=record.pid,
        port=record.port,
        seeded=_seeded(settings, record.url),
        **common,
    )


def _seeded(settings: Settings, url: str) -> bool:
    try:
        return is_seeded(AwsClients(_at(settings, url).aws))
    except (ClientError, BotoCoreError):
        return False


def stop(settings: Settings, timeout_s: float = 10.0) -> Stopped | None:
    """Stop the server this data_dir started; None when it had none running. A server at a
    configured aws.endpoint_url is never stopped."""
    if settings.aws.endpoint_url:
        return None
    with _lock(settings):
        stopped = _stop_recorded(settings, timeout_s)
        legacy = _legacy_pid_file(settings)
        try:
            pid = int(legacy.read_text().strip())
        except (FileNotFoundError, ValueError):
            pid = None
        if pid is not None and _runs(pid, b"moto.server"):
            _terminate(pid, timeout_s)
            stopped = stopped or Stopped(pid=pid, port=None, data_dir=_data_dir(settings))
        legacy.unlink(missing_ok=True)
        return stopped


def reset(settings: Settings) -> SeedManifest:
    """Wipe the sandbox account and seed it again (this data dir's own server, or the configured one)."""
    _check_usable(settings)
    with _lock(settings):
        url = _running_url(settings, START_TIMEOUT_S)
        if settings.aws.endpoint_url:
            _post(url, "/moto-api/reset")
        return _seed(settings, url)


def nothing_stopped(settings: Settings) -> str:
    """Why `stop` stopped nothing."""
    if settings.aws.endpoint_url:
        return (
            f"aws.endpoint_url is set ({settings.aws.endpoint_url}): that server is not this data dir's "
            "sandbox, so it was left running"
        )
    return f"no sandbox running for {_data_dir(settings)}"
