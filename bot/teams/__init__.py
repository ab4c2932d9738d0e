"""Microsoft Teams front-end: personal chats, channel @mentions and threads, Adaptive Card
answers, Universal Action approval cards, proactive digests and alerts (docs/TEAMS.md).

Built on Microsoft's Teams SDK for Python — its activity models (`microsoft-teams-api`) and
card models (`microsoft-teams-cards`) — hosted on CloudPilot's own HTTP server (`/api/messages`,
`bot/serve/server.py`) with PyJWT for the token checks, the shared chat plumbing of `bot/chat/`
and the durable queue of `bot/serve/`.
"""
