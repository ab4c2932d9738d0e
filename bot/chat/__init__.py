"""The chat seam: what every chat platform (Slack, Teams, ...) shares, and how one plugs in.

A platform package (`bot/<platform>/`) owns only what is its own: verifying and parsing its
events, its API client, rendering a `Reply` in its format. It may import this package (and
`bot/core`, `bot/serve`, `bot/digests`, the agent through `agent/api.py`, `agent/turn.py`,
`agent/messages.py`); this package imports no platform, and no platform imports another
(import-linter contracts in `pyproject.toml`).

To add a platform:

1. **Backend** (`bot/chat/backend.py`): implement the `ChatBackend` protocol (post a reply,
   post an approval card and update it after the decision, post a private notice to one user,
   resolve a user's canonical identity and groups). Test code against `MemoryBackend`
   (`bot/chat/memory.py`), which records every call.
2. **Conversations** (`bot/chat/conversation.py`): turn each event into a `ConversationRef`
   (platform, tenant, channel, thread) and build the agent's message with
   `ref.message(user, text, groups)`; `ConversationRef.parse(approval.conversation_id)` finds
   an approval's conversation again. Posted messages are `MessageRef`s; `MessageRef.key` is
   what the agent stores as an approval's card.
3. **Before the ack** (inside the platform's HTTP request):
   - dedup and rate limit in one round trip: `Admission` (`bot/chat/dedup.py`) claims the
     event's keys, counts the user's request (`RateLimiter`, `bot/chat/limits.py`) and hands
     the job to a sink; a sink that fails gives the claims back so the platform's retry is
     served. Claims and counters live in a `KeyStore` (`bot/chat/keystore.py`): Redis when
     `redis_url` is set, shared by every front, else in process. Give each platform its own
     namespace (`open_keystore(redis_url, "cloudpilot:<platform>")`).
   - jobs are plain frozen dataclasses, each with a `key` (the identity of what the platform
     sent), named by kind in a `JobCodec` (`bot/chat/jobs.py`) that encodes them to JSON.
   - the route reads the body with `read_or_refuse` and checks a parsed payload with
     `check_tree` / `load_json` (`bot/chat/ingress.py`) before its own checks.
4. **Job hand-off** (a `JobSink`, `bot/chat/work.py`, chosen by `queue_for` / `open_work` in
   `bot/chat/front.py`, whose `Front` gives the built app its `/ready` checks, scrape hooks and
   `close`): `QueueSink` (`bot/serve/queue.py`,
   the durable procrastinate queue, when `database_url` is PostgreSQL; register the task that
   runs your jobs with a provider for `cloudpilot serve worker`, as `bot/slack/tasks.py` does),
   `ProcessSink` (`bot/chat/worker_process.py`, a niced child process: the single-machine
   default) or `ThreadSink` (threads; tests, `--worker thread`). All keep one lane per
   conversation (`ConversationRef.lane`): a conversation's jobs run in order, others in
   parallel.
5. **After the ack** (in the worker): bind the job to its idempotency record (`JobRecord`,
   `bot/chat/record.py`, over the ledger of `bot/serve/ledger.py`), skip what it lists as done,
   call `Agent.handle` / `Agent.decide`, post through the backend. `bot/chat/responder.py` is
   the frame (`run_job`: retries, the apology, dead jobs; `kept_reply`, `count_turn`,
   `decided`, `release_click`).
6. **The command** (`bot/chat/cli.py`): `work_options` and `launch` give `serve <platform>` the
   shared options and worker modes; a `Mount` lets another front's server host the platform's
   routes (one server for Slack and Teams). Approvals: the agent's side
   is `agent/api.py` (`attach_card`, `approval_card`, `approver_groups`, `waiting_for`,
   `recent_requests`, `latest_critical_findings`); never reach into the agent's runtime.
"""
