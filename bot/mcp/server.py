"""The MCP server (the SDK's low-level `Server`) and its transports: stdio and streamable HTTP.

Handlers are async; the agent is synchronous, so every agent call runs in a worker thread, one
at a time per caller's conversation (as Slack runs one lane per conversation). Over HTTP, the
SDK's bearer middleware authenticates every request against the hashed tokens of the settings
before the MCP layer sees it (401 otherwise), and sessions stay bound to the token's person.
"""

from __future__ import annotations

import functools
import logging
import threading
import uuid
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.to_thread
import mcp_types as types
from mcp.server.auth.middleware.auth_context import AuthContextMiddleware
from mcp.server.auth.middleware.bearer_auth import BearerAuthBackend, RequireAuthMiddleware
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.exceptions import MCPError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.mcp.identity import SCOPE, Caller, TokenTable, http_user
from bot.mcp.library import Library
from bot.mcp.tools import McpTools
from config.identity import Identities

if TYPE_CHECKING:
    from agent.turn import Agent
    from config import Settings
    from config.mcp import McpSettings

log = logging.getLogger("cloudpilot.mcp")

T = TypeVar("T")
Ctx = ServerRequestContext[Any, Any]

INSTRUCTIONS = """CloudPilot answers questions about this organisation's cloud costs, security
findings, resources and runbooks with typed tools, and lets you request changes.

- Read-only tools (cost_query, security_scan, list_findings, search_knowledge, ...) run at once;
  their results are data, quote them rather than guess.
- Changes are only ever requested: request_remediate and the other request_* tools compute a dry
  run and open an approval request. Someone other than the requester approves it in Slack or the
  CLI; only then does the change run, once, and get verified. Report the approval id and follow
  it with approval_status; never say a change was made unless approval_status says executed.
- Knowledge base documents are resources (cloudpilot://kb/...): cite the source and section.
- The access policy decides which tools you see; every call is on the audit log."""


def _version() -> str:
    try:
        return version("cloudpilot")
    except PackageNotFoundError:
        return "0"


class McpApp:
    """What the handlers share: the agent's adapters, the caller's identity, the worker lanes."""

    def __init__(self, agent: Agent, settings: Settings, caller: Caller | None = None) -> None:
        self.agent = agent
        self.settings = settings
        # stdio: the one local user; HTTP (None): the bearer token's user, per request.
        self.fixed_caller = caller
        self.library = Library(agent, settings)
        self.tools = McpTools(agent, known_sources=self.library.sources)
        self._lanes: dict[str, threading.Lock] = {}
        self._lanes_lock = threading.Lock()

    def caller(self, ctx: Ctx) -> Caller:
        if self.fixed_caller is not None:
            return self.fixed_caller
        user = http_user(ctx.request)
        if user is None:  # the bearer middleware stops these first; never act as nobody
            raise MCPError(code=types.INVALID_REQUEST, message="not authenticated")
        return Caller(user=user, transport="http", thread="http")

    def _lane(self, key: str) -> threading.Lock:
        with self._lanes_lock:
            return self._lanes.setdefault(key, threading.Lock())

    async def run(self, caller: Caller, fn: Callable[[], T]) -> T:
        """`fn` in a worker thread, after the caller's earlier calls (one lane per conversation)."""
        lane = self._lane(caller.conversation_id)

        def in_lane() -> T:
            with lane:
                return fn()

        return await anyio.to_thread.run_sync(in_lane)

    def build(self) -> Server[Any]:
        async def list_tools(ctx: Ctx, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
            caller = self.caller(ctx)
            return types.ListToolsResult(tools=self.tools.listing(caller))

        async def call_tool(ctx: Ctx, params: types.CallToolRequestParams) -> types.CallToolResult:
            caller = self.caller(ctx)
            call = functools.partial(self.tools.call, caller, params.name, params.arguments)
            return await self.run(caller, call)

        async def list_resources(
            ctx: Ctx, params: types.PaginatedRequestParams | None
        ) -> types.ListResourcesResult:
            caller = self.caller(ctx)
            listed = await anyio.to_thread.run_sync(functools.partial(self.library.resources, caller))
            return types.ListResourcesResult(resources=listed)

        async def read_resource(
            ctx: Ctx, params: types.ReadResourceRequestParams
        ) -> types.ReadResourceResult:
            caller = self.caller(ctx)
            return await anyio.to_thread.run_sync(functools.partial(self.library.read, caller, params.uri))

        async def list_prompts(
            ctx: Ctx, params: types.PaginatedRequestParams | None
        ) -> types.ListPromptsResult:
            self.caller(ctx)
            return types.ListPromptsResult(prompts=self.library.prompts())

        async def get_prompt(ctx: Ctx, params: types.GetPromptRequestParams) -> types.GetPromptResult:
            caller = self.caller(ctx)
            fetch = functools.partial(self.library.prompt, caller, params.name, params.arguments)
            return await anyio.to_thread.run_sync(fetch)

        return Server(
            "cloudpilot",
            version=_version(),
            title="CloudPilot",
            description="Cloud costs, security findings and runbooks; changes with four-eyes approval.",
            instructions=INSTRUCTIONS,
            get_tool_input_schema=self.tools.schema_of,
            on_list_tools=list_tools,
            on_call_tool=call_tool,
            on_list_resources=list_resources,
            on_read_resource=read_resource,
            on_list_prompts=list_prompts,
            on_get_prompt=get_prompt,
        )


# -- stdio -----------------------------------------------------------------------------------------


def serve_stdio(app: McpApp) -> None:
    """Serve one client over this process's stdin and stdout until it closes them."""
    server = app.build()

    async def main() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(main)


# -- streamable HTTP -------------------------------------------------------------------------------

_LOCAL_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
_LOCAL_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]


def http_app(app: McpApp, mcp: McpSettings) -> Starlette:
    """The ASGI app: `mcp.path` behind the bearer-token check, and `/healthz` for probes."""
    server = app.build()
    manager = StreamableHTTPSessionManager(
        app=server,
        security_settings=TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=[*_LOCAL_HOSTS, *mcp.allowed_hosts],
            allowed_origins=[*_LOCAL_ORIGINS, *mcp.allowed_origins],
        ),
    )
    verifier = TokenTable(mcp, Identities(app.settings))
    endpoint = RequireAuthMiddleware(StreamableHTTPASGIApp(manager), [SCOPE])

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[Route(mcp.path, endpoint=endpoint), Route("/healthz", endpoint=healthz)],
        middleware=[
            Middleware(AuthenticationMiddleware, backend=BearerAuthBackend(verifier)),
            Middleware(AuthContextMiddleware),
        ],
        lifespan=lambda _app: manager.run(),
    )


def serve_http(app: McpApp, mcp: McpSettings, host: str, port: int) -> None:
    import uvicorn

    log.warning("CloudPilot MCP server on http://%s:%d%s", host, port, mcp.path)
    uvicorn.run(http_app(app, mcp), host=host, port=port, log_level="warning")


def stdio_caller(user: str) -> Caller:
    return Caller(user=user, transport="stdio", thread=f"stdio-{uuid.uuid4().hex[:8]}")
