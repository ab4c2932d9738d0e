"""The warm agent process: `cloudpilot ask`, `scan` and `chat` answered by a background process of
the same user that keeps the agent loaded (docs/ARCHITECTURE.md, "The warm agent process").

`client` and `locate` are what a `cloudpilot` command imports to reach it (the standard library
only); `server` is the process itself; `commands` the `cloudpilot agent` group.
"""
