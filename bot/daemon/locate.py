"""Where a command's agent process is and whether to use it, worked out from the command line,
the environment and the settings file alone: a `cloudpilot` command that forwards its question
must not import the settings (pydantic) or the agent to find out.

The agent process belongs to one data dir (its socket is `<data_dir>/agent.sock`) and to one
fingerprint: the environment, the working directory, the settings file's content and the
installed code. A command whose fingerprint differs replaces the process, so an agent never
answers with settings, credentials or code other than the command's own.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import sysconfig
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The commands the agent process answers: a turn each (`chat`: one per line).
FORWARDED = ("ask", "scan", "chat")
# Root options that take a value, and flags (bot/main.py).
_VALUED = ("--config", "--now", "--data-dir")
_FLAGS = ("--debug", "--no-daemon")
# Variables that change between shells of the same person without changing any answer.
_VOLATILE = {"_", "OLDPWD", "SHLVL", "COLUMNS", "LINES", "PWD", "PYTEST_CURRENT_TEST"}
# The project's packages: their sources are part of the fingerprint.
_PACKAGES = ("agent", "bot", "config", "knowledge", "sandbox", "store", "tools")

SOCKET = "agent.sock"
LOCK = "agent.lock"
RECORD = "agent.json"
LOG = "agent.log"


@dataclass(frozen=True)
class Place:
    data_dir: Path
    config: Path | None
    # The root options to start the agent process with (settings file and data dir).
    root_args: tuple[str, ...]

    @property
    def socket(self) -> Path:
        return self.data_dir / SOCKET

    @property
    def lock(self) -> Path:
        return self.data_dir / LOCK

    @property
    def record(self) -> Path:
        return self.data_dir / RECORD

    @property
    def log(self) -> Path:
        return self.data_dir / LOG


def forwarded(argv: list[str], *, stdout_is_tty: bool) -> Place | None:
    """Where to send this command line, or None to run it in this process (not a turn command,
    help, the agent process turned off, or a command line only click can make sense of)."""
    root: dict[str, str | None] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=")
        if name in _VALUED:
            if eq:
                root[name] = value
            elif i + 1 < len(argv):
                root[name] = argv[i + 1]
                i += 1
            else:
                return None
        elif arg in _FLAGS:
            root[arg] = None
        elif arg.startswith("-"):
            return None  # --help, --version or a mistake: click answers those
        else:
            break
        i += 1
    if i >= len(argv) or argv[i] not in FORWARDED or "--no-daemon" in root:
        return None
    if any(a in ("-h", "--help") for a in argv[i + 1 :]):
        return None
    env = environment()
    config = _config_path(root.get("--config"), env)
    table = _toml(config)
    mode = _mode(env, table)
    if mode == "off" or (mode == "auto" and not stdout_is_tty):
        return None
    return place(root.get("--data-dir"), config, env, table)


def place(data_dir: str | None, config: Path | None, env: dict[str, str], table: dict[str, Any]) -> Place:
    """The agent process's place for a data dir given (or not) on the command line."""
    raw = data_dir or env.get("CLOUDPILOT_DATA_DIR") or table.get("data_dir") or ".cloudpilot"
    resolved = Path(str(raw)).expanduser().absolute()
    root_args: tuple[str, ...] = ("--data-dir", str(resolved))
    if config is not None:
        root_args = ("--config", str(config), *root_args)
    return Place(resolved, config, root_args)


def environment() -> dict[str, str]:
    """The environment, CLOUDPILOT_ names upper-cased as the settings read them (any case)."""
    return {(k.upper() if k.upper().startswith("CLOUDPILOT_") else k): v for k, v in os.environ.items()}


def _config_path(flag: str | None, env: dict[str, str]) -> Path | None:
    raw = flag or env.get("CLOUDPILOT_CONFIG")
    return Path(raw).expanduser().absolute() if raw else None


def _toml(config: Path | None) -> dict[str, Any]:
    if config is None:
        return {}
    try:
        return tomllib.loads(config.read_text())
    except (OSError, ValueError):
        return {}  # the command itself reports a settings file it cannot read


def _mode(env: dict[str, str], table: dict[str, Any]) -> str:
    value: Any = env.get("CLOUDPILOT_CLI__DAEMON")
    if value is None and "CLOUDPILOT_CLI" in env:
        try:
            value = json.loads(env["CLOUDPILOT_CLI"]).get("daemon")
        except (ValueError, AttributeError):
            value = None
    if value is None:
        cli = table.get("cli")
        value = cli.get("daemon") if isinstance(cli, dict) else None
    mode = str(value).strip().lower() if value is not None else "auto"
    # The values a boolean setting would take mean on and off too.
    return {"true": "on", "1": "on", "yes": "on", "false": "off", "0": "off", "no": "off"}.get(mode, mode)


def fingerprint(config: Path | None) -> str:
    """What an agent process must share with a command to answer it (see the module's doc)."""
    digest = hashlib.sha256()
    env = sorted((k, v) for k, v in os.environ.items() if k not in _VOLATILE)
    parts: dict[str, Any] = {"env": env, "cwd": os.getcwd(), "python": sys.executable}
    if config is not None:
        try:
            parts["config"] = [str(config), hashlib.sha256(config.read_bytes()).hexdigest()]
        except OSError:
            parts["config"] = [str(config), None]
    digest.update(json.dumps(parts, sort_keys=True).encode())
    digest.update(code_fingerprint().encode())
    return digest.hexdigest()[:32]


def code_fingerprint() -> str:
    """The installed code: every source file of the project (path, size, modification time) and
    the installed packages' folder (a package installed or removed changes it)."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[2]
    for package in _PACKAGES:
        for folder, dirs, files in os.walk(root / package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    try:
                        st = os.stat(path)
                    except OSError:
                        continue
                    digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    for key in ("purelib", "platlib"):
        with contextlib.suppress(OSError, KeyError):
            digest.update(f"{key}\0{os.stat(sysconfig.get_paths()[key]).st_mtime_ns}\n".encode())
    return digest.hexdigest()
