"""The sandbox AWS account: a moto server on 127.0.0.1 shared by every `cloudpilot` process.

The server runs detached from the process that started it, so `cloudpilot ask` and
`cloudpilot approve` run one after the other see the same account. Its pid, log and the
seed manifest live in `<data_dir>/sandbox/`. When `aws.endpoint_url` is set, that server is
used as it is (only seeded when it has not been).
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Literal

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from config import Settings
from sandbox.manifest import SeedManifest
from sandbox.seed import is_seeded, seed
from tools.base import UserFacingError
from tools.inventory.aws import AwsClients

HOST = "127.0.0.1"
START_TIMEOUT_S = 30.0
LOCK_TIMEOUT_S = 120.0

Probe = Literal["moto", "other", "down"]


class SandboxError(UserFacingError, RuntimeError):
    """The sandbox could not be started or used; the message says what to do."""


class SandboxStatus(BaseModel):
    endpoint: str
    running: bool
    # True when this data_dir's pid file points at the running server (we started it).
    managed: bool
    pid: int | None = None
    seeded: bool = False
    log_file: Path | None = None


def sandbox_dir(settings: Settings) -> Path:
    return settings.data_dir / "sandbox"


def _pid_file(settings: Settings) -> Path:
    return sandbox_dir(settings) / "moto.pid"


def _log_file(settings: Settings) -> Path:
    return sandbox_dir(settings) / "moto.log"


def _manifest_file(settings: Settings) -> Path:
    return sandbox_dir(settings) / "manifest.json"


def endpoint(settings: Settings) -> str:
    return settings.aws.endpoint_url or f"http://{HOST}:{settings.aws.sandbox_port}"


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


def _read_pid(settings: Settings) -> int | None:
    try:
        return int(_pid_file(settings).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


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


def _is_moto_process(pid: int) -> bool:
    """Guards against signalling an unrelated process that reused a stale pid."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:
        return True  # no procfs: trust the pid file
    return b"moto.server" in cmdline


def _managed_pid(settings: Settings) -> int | None:
    pid = _read_pid(settings)
    if pid is not None and _alive(pid) and _is_moto_process(pid):
        return pid
    return None


@contextmanager
def _lock(settings: Settings) -> Iterator[None]:
    """Serialises start/seed between processes sharing one data_dir."""
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


def _start(settings: Settings, timeout_s: float) -> None:
    port = settings.aws.sandbox_port
    url = endpoint(settings)
    stale = _read_pid(settings)
    if stale is not None:
        if _alive(stale) and _is_moto_process(stale):
            _terminate(stale, 5.0)  # ours, but not answering: start over
        _pid_file(settings).unlink(missing_ok=True)
    sandbox_dir(settings).mkdir(parents=True, exist_ok=True)
    with open(_log_file(settings), "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=sandbox_dir(settings),
        )
    _pid_file(settings).write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        code = proc.poll()
        if code is not None:
            _pid_file(settings).unlink(missing_ok=True)
            raise SandboxError(
                f"The sandbox AWS server exited at start (code {code}). Log {_log_file(settings)}:\n"
                + _log_tail(settings)
            )
        if _probe(url, timeout=1.0) == "moto":
            # Detached on purpose: it must outlive this process. Marking it handled stops
            # Popen from warning that it is still running when the object is collected.
            proc.returncode = 0
            return
        time.sleep(0.1)
    _terminate(proc.pid, 5.0)
    _pid_file(settings).unlink(missing_ok=True)
    raise SandboxError(
        f"The sandbox AWS server did not answer on {url} within {timeout_s:.0f}s. "
        f"Log {_log_file(settings)}:\n" + _log_tail(settings)
    )


def _check_usable(settings: Settings) -> None:
    if settings.aws.mode != "sandbox":
        raise SandboxError("The sandbox is only used when aws.mode is 'sandbox'.")


def _ensure_seeded(settings: Settings) -> SeedManifest | None:
    aws = AwsClients(settings.aws)
    if is_seeded(aws):
        return None
    manifest = seed(aws)
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


def ensure_running(
    settings: Settings, *, seed_account: bool = True, timeout_s: float = START_TIMEOUT_S
) -> str:
    """Make sure the sandbox answers (starting it when needed) and is seeded; returns its endpoint."""
    _check_usable(settings)
    url = endpoint(settings)
    with _lock(settings):
        found = _probe(url)
        if settings.aws.endpoint_url:
            if found != "moto":
                raise SandboxError(
                    f"No moto server answers at aws.endpoint_url {url}. Start it, or unset the "
                    "endpoint to let CloudPilot run its own sandbox."
                )
        elif found == "other":
            raise SandboxError(
                f"Port {settings.aws.sandbox_port} is used by another program, not a sandbox AWS server. "
                "Stop it or pick another port (CLOUDPILOT_AWS__SANDBOX_PORT)."
            )
        elif found == "down":
            _start(settings, timeout_s)
        if seed_account:
            _ensure_seeded(settings)
    return url


def status(settings: Settings) -> SandboxStatus:
    url = endpoint(settings)
    running = _probe(url) == "moto"
    pid = None if settings.aws.endpoint_url else _managed_pid(settings)
    seeded = False
    if running:
        try:
            seeded = is_seeded(AwsClients(settings.aws))
        except (ClientError, BotoCoreError):
            seeded = False
    log = _log_file(settings)
    return SandboxStatus(
        endpoint=url,
        running=running,
        managed=pid is not None and running,
        pid=pid,
        seeded=seeded,
        log_file=log if log.exists() else None,
    )


def stop(settings: Settings, timeout_s: float = 10.0) -> bool:
    """Stop the server this data_dir started. False when there was none to stop."""
    with _lock(settings):
        pid = _managed_pid(settings)
        _pid_file(settings).unlink(missing_ok=True)
        if pid is None:
            return False
        _terminate(pid, timeout_s)
        return True


def reset(settings: Settings) -> SeedManifest:
    """Wipe the sandbox account and seed it again."""
    url = ensure_running(settings, seed_account=False)
    req = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(req, timeout=30):
        pass
    with _lock(settings):
        manifest = seed(AwsClients(settings.aws))
        _write_manifest(settings, manifest)
    return manifest
