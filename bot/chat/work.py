"""Background work after the ack: a small thread pool with one FIFO lane per conversation.

Messages in one conversation are answered in the order they arrived (a follow-up must see the
previous turn's context); different conversations run in parallel. `wait_idle` lets tests and
shutdown wait for the queue to drain instead of sleeping.

`JobSink` is where a platform's ack hands its jobs: `ThreadSink` here, `ProcessSink`
(`bot/chat/worker_process.py`) or the durable queue's `QueueSink` (`bot/serve/queue.py`).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, Protocol, TypeVar

log = logging.getLogger("cloudpilot.chat")

Task = Callable[[], None]
J = TypeVar("J")
J_contra = TypeVar("J_contra", contravariant=True)


class JobSink(Protocol[J_contra]):
    """Where the ack puts work: threads in this process, a worker process, the durable queue.
    `lane` orders the jobs of one conversation (`ConversationRef.lane`)."""

    def submit(self, lane: str, job: J_contra) -> None: ...

    def wait_idle(self, timeout: float | None = None) -> bool: ...

    def close(self) -> None: ...


class WorkQueue:
    def __init__(self, workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chat-work")
        self._cond = threading.Condition()
        self._lanes: dict[str, deque[Task]] = {}
        self._pending = 0
        self._closed = False

    @property
    def pending(self) -> int:
        with self._cond:
            return self._pending

    def submit(self, lane: str, task: Task) -> None:
        with self._cond:
            if self._closed:
                raise RuntimeError("the work queue is shut down")
            self._pending += 1
            queue = self._lanes.get(lane)
            if queue is not None:
                queue.append(task)  # the lane's drainer picks it up in order
                return
            self._lanes[lane] = deque([task])
        self._pool.submit(self._drain, lane)

    def _drain(self, lane: str) -> None:
        while True:
            with self._cond:
                queue = self._lanes[lane]
                if not queue:
                    del self._lanes[lane]
                    return
                task = queue.popleft()
            try:
                task()
            except Exception:  # a task reports its own errors; this is the last line of defence
                log.exception("background task failed in lane %s", lane)
            finally:
                with self._cond:
                    self._pending -= 1
                    if self._pending == 0:
                        self._cond.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """True once every submitted task has finished; False if `timeout` passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout)

    def shutdown(self, timeout: float | None = 30.0) -> None:
        with self._cond:
            self._closed = True
        self.wait_idle(timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)


class ThreadSink(Generic[J]):
    """Runs jobs on threads of this process (tests, and `--worker thread`)."""

    def __init__(self, run: Callable[[J], None], workers: int = 4) -> None:
        self._run = run
        self.queue = WorkQueue(workers)

    def submit(self, lane: str, job: J) -> None:
        self.queue.submit(lane, lambda: self._run(job))

    def wait_idle(self, timeout: float | None = None) -> bool:
        return self.queue.wait_idle(timeout)

    def close(self) -> None:
        self.queue.shutdown()
