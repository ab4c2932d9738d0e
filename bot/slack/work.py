"""Slack's jobs on the shared lanes (`bot/chat/work.py`): one FIFO lane per conversation."""

from __future__ import annotations

from bot.chat.work import JobSink as _JobSink
from bot.chat.work import Task, ThreadSink, WorkQueue
from bot.slack.jobs import Job

__all__ = ["JobSink", "Task", "ThreadSink", "WorkQueue"]

# Where Slack's ack puts its jobs: threads, the worker process or the durable queue.
JobSink = _JobSink[Job]
