"""CloudPilot as a Model Context Protocol server (`cloudpilot serve mcp`, docs/MCP.md).

Assistants in editors and terminals (Claude Desktop, VS Code, Cursor) call CloudPilot's tools
over MCP, through the same agent path as chat: the access policy and the input models decide
what runs, read-only tools answer, and a change is only ever dry-run into an approval request
that someone else approves in Slack or the terminal. Nothing an MCP client sends executes a
change.

- `identity.py`: who is calling (the CLI's local rules over stdio, a bearer token per person
  over HTTP).
- `tools.py`: the registry's tools as MCP tools (read-only ones, `request_*` ones, and
  `approval_status`).
- `library.py`: the knowledge base's documents as resources, and the prompts.
- `server.py`: the MCP server and its two transports (stdio, streamable HTTP).
- `cli.py`: the `serve mcp` command.
"""
