"""compose.yaml and the Dockerfile, checked without a Docker daemon: the compose file against the
compose-spec JSON schema (vendored by check-jsonschema), the commands the containers run against
the real CLI, the environment against the real settings; the Dockerfile's default command, user,
CPU-only torch and HEALTHCHECK — the health check's own command run against local servers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from bot.main import cli
from config import load_settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def interpolate(value: str) -> str:
    """Compose's `${VAR:-default}` with nothing set: the defaults."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def test_compose_file_follows_the_compose_spec() -> None:
    schema = json.loads(
        resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text()
    )
    jsonschema.validate(compose(), schema, cls=jsonschema.Draft7Validator)


def test_compose_runs_the_stack_with_real_commands_and_settings() -> None:
    services = compose()["services"]
    assert {"front", "worker", "scheduler", "postgres", "redis", "qdrant", "ollama"} <= set(services)
    assert services["ollama"]["profiles"] == ["ollama"] and services["scheduler"]["profiles"] == ["scheduler"]
    for name in ("front", "worker", "scheduler"):
        service = services[name]
        assert service["build"] == {"context": "."}
        help_ = CliRunner().invoke(cli, [*service["command"], "--help"])
        assert help_.exit_code == 0, (name, help_.output)
        depends = service["depends_on"]
        assert depends["postgres"] == {"condition": "service_healthy"}
        assert depends["redis"] == {"condition": "service_healthy"}
        env = {k: interpolate(str(v)) for k, v in service["environment"].items()}
        settings_env = {k: v for k, v in env.items() if k.startswith("CLOUDPILOT_")}
        with pytest.MonkeyPatch.context() as mp:
            for key, value in settings_env.items():
                mp.setenv(key, value)
            settings = load_settings()
        assert settings.database_url == "postgresql+psycopg://cloudpilot:cloudpilot@postgres:5432/cloudpilot"
        assert settings.checkpoint_url == "postgresql://cloudpilot:cloudpilot@postgres:5432/cloudpilot"
        assert (settings.redis_url, settings.qdrant_url) == ("redis://redis:6379/0", "http://qdrant:6333")
    assert services["front"]["ports"] == ["3000:3000"]
    assert services["front"]["environment"]["HEALTHCHECK_URL"] == "http://127.0.0.1:3000/health"
    worker = services["worker"]
    port = worker["command"][worker["command"].index("--metrics-port") + 1]
    assert worker["environment"]["HEALTHCHECK_URL"] == f"http://127.0.0.1:{port}/health"
    assert worker["deploy"]["replicas"] == 2
    assert services["scheduler"]["healthcheck"] == {"disable": True}  # it serves no HTTP
    postgres = services["postgres"]["environment"]
    assert (postgres["POSTGRES_USER"], postgres["POSTGRES_DB"]) == ("cloudpilot", "cloudpilot")


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_the_image_serves_by_default_as_a_non_root_user_with_cpu_only_torch() -> None:
    steps = dockerfile()
    first = dict(reversed(steps))  # the first of each instruction
    last = dict(steps)
    assert first["FROM"].startswith("python:3.11")
    assert json.loads(last["ENTRYPOINT"]) == ["cloudpilot"]
    command = json.loads(last["CMD"])
    assert command == ["serve", "slack"]
    assert CliRunner().invoke(cli, [*command, "--help"]).exit_code == 0
    user = last["USER"]
    assert user not in ("root", "0") and user == "10001"
    assert [i for i, _ in steps].index("USER") > max(i for i, (w, _) in enumerate(steps) if w == "RUN")
    args = {a.split("=", 1)[0]: a.split("=", 1)[1] for w, a in steps if w == "ARG"}
    assert args["TORCH_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"
    runs = [a for w, a in steps if w == "RUN"]
    torch_step = next(i for i, r in enumerate(runs) if "torch==" in r)
    project_step = next(i for i, r in enumerate(runs) if re.search(r"pip install \.(\s|$)", r))
    assert torch_step < project_step, "torch first, so sentence-transformers does not pull CUDA"
    assert '--index-url "$TORCH_INDEX_URL"' in runs[torch_step]
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    assert f'"torch=={args["TORCH_VERSION"]}"' in setup, "the image and ./dev.sh install the same torch"
    assert "EXPOSE" in first and "3000" in first["EXPOSE"].split()


def healthcheck_command() -> list[str]:
    [(_, spec)] = [(w, a) for w, a in dockerfile() if w == "HEALTHCHECK"]
    options, _, command = spec.partition("CMD ")
    assert "--interval=" in options and "--timeout=" in options
    parsed: list[str] = json.loads(command)
    return parsed


class Health:
    def __init__(self, status: int) -> None:
        code = status

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(code if self.path == "/health" else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/health"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def servers() -> Iterator[tuple[Health, Health]]:
    up, sick = Health(200), Health(503)
    yield up, sick
    for s in (up, sick):
        s.server.shutdown()
        s.server.server_close()


def test_the_healthcheck_command_passes_only_when_health_answers_200(servers: tuple[Health, Health]) -> None:
    command = healthcheck_command()
    assert command[0] == "python"
    up, sick = servers
    default_url = dict(dockerfile())["ENV"]
    assert "HEALTHCHECK_URL=http://127.0.0.1:3000/health" in default_url

    def check(url: str) -> int:
        env = {**os.environ, "HEALTHCHECK_URL": url}
        return subprocess.run(
            [sys.executable, *command[1:]], env=env, capture_output=True, timeout=30
        ).returncode

    assert check(up.url) == 0
    assert check(sick.url) != 0
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()
    assert check(f"http://127.0.0.1:{port}/health") != 0
