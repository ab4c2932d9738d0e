"""Agent work in a separate, lower-priority process, so that no ack ever waits behind it.

An agent turn costs tens of milliseconds of CPU. Run on threads of the serving process, turns
hold the GIL while requests wait for it, and acks slow down under load. Here the serving process
keeps only HTTP, signatures, the key store and the platform's event parsing; a child process
(spawned, niced) owns the agent, the platform's client and its own thread pool with one lane
per conversation. Jobs go down a queue; the child reports when it starts and finishes each one
(for `wait_idle`), and passes on the notices its handler sends to the parent (Slack: threads it
joined, clicks that decided nothing), which the parent records in its key store. A child that
dies is replaced: jobs it had not started go to the new one, jobs it had started are dropped
(they may have posted already).

A platform names its job handler by `module:function` (it is imported in the child): called as
`function(settings, agent, notify)`, it returns the callable that runs one job; `notify(name,
*args)` reaches the parent's `on_notify[name](*args)`.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Mapping
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from config import Settings

if TYPE_CHECKING:
    from agent.runtime import Runtime
    from agent.turn import Agent

log = logging.getLogger("cloudpilot.chat")

J = TypeVar("J")

DEFAULT_RUNTIME = "bot.chat.worker_process:default_runtime"
RuntimeFactory = Callable[[Settings], "Runtime"]
Notify = Callable[..., None]  # (name, *args): a notice for the parent process
HandlerFactory = Callable[[Settings, "Agent", Notify], Callable[[Any], None]]


def default_runtime(settings: Settings) -> Runtime:
    from agent.runtime import Runtime

    return Runtime.build(settings)


def _load(path: str, what: str) -> Any:
    module, _, name = path.partition(":")
    try:
        found = getattr(importlib.import_module(module), name, None)
    except ImportError as exc:
        raise ValueError(f"no {what} at {path!r}: {exc}") from exc
    if not callable(found):
        raise ValueError(f"no {what} at {path!r}")
    return found


def load_factory(path: str) -> RuntimeFactory:
    """`module:function`, e.g. the default or a test's runtime with doubles."""
    return cast(RuntimeFactory, _load(path, "runtime factory"))


def load_handler(path: str) -> HandlerFactory:
    """`module:function` building a platform's job handler in the worker process."""
    return cast(HandlerFactory, _load(path, "job handler"))


class WorkerFailed(RuntimeError):
    pass


class ProcessSink(Generic[J]):
    def __init__(
        self,
        settings: Settings,
        *,
        handler: str,
        workers: int = 4,
        runtime_factory: str = DEFAULT_RUNTIME,
        nice: int = 10,
        start_timeout_s: float = 180.0,
        on_notify: Mapping[str, Callable[..., None]] | None = None,
        label: str = "chat",
    ) -> None:
        # Wrong paths fail here, before a process is spawned.
        load_factory(runtime_factory)
        load_handler(handler)
        # The plain Settings class pickles (one loaded from a TOML file is a local subclass).
        self._args = (Settings(**settings.model_dump()), workers, runtime_factory, handler, nice)
        self._on_notify = dict(on_notify or {})
        self._label = label
        self._start_timeout = start_timeout_s
        self._ctx = multiprocessing.get_context("spawn")
        self._cond = threading.Condition()
        self._closing = False
        self._seq = itertools.count(1)
        # Jobs handed over and not finished, and which of them the worker has started.
        self._inflight: dict[int, tuple[str, object]] = {}
        self._started: set[int] = set()
        self._replacing = False
        self._proc, self._jobs, self._events = self._spawn()
        self._reader = threading.Thread(target=self._read, name=f"{label}-worker-events", daemon=True)
        self._reader.start()

    @property
    def worker_pid(self) -> int | None:
        return self._proc.pid

    def _spawn(self) -> tuple[BaseProcess, Any, Any]:
        jobs, events = self._ctx.Queue(), self._ctx.Queue()
        proc = self._ctx.Process(
            target=_child_main,
            args=(*self._args, jobs, events),
            name=f"cloudpilot-{self._label.lower()}-worker",
            daemon=True,
        )
        proc.start()
        deadline = time.monotonic() + self._start_timeout
        first: Any = None
        while first is None:
            try:
                first = events.get(timeout=0.2)
            except queue.Empty:
                if not proc.is_alive():
                    raise WorkerFailed(
                        f"the {self._label} worker process exited at start (code {proc.exitcode}); "
                        "see its error above"
                    ) from None
                if time.monotonic() > deadline:
                    proc.kill()
                    raise WorkerFailed(
                        f"the {self._label} worker process did not start within {self._start_timeout:.0f} s"
                    ) from None
        if first[0] != "ready":
            proc.join(5)
            raise WorkerFailed(f"the {self._label} worker process could not start: {first[1]}")
        return proc, jobs, events

    def submit(self, lane: str, job: J) -> None:
        with self._cond:
            if self._closing:
                raise RuntimeError(f"the {self._label} worker is shut down")
            seq = next(self._seq)
            self._inflight[seq] = (lane, job)
            if not self._replacing:  # otherwise the new worker gets it once it is up
                self._jobs.put((seq, lane, job))

    def _read(self) -> None:
        while True:
            try:
                event = self._events.get(timeout=1.0)
            except queue.Empty:
                if not self._proc.is_alive() and not self._closing:
                    self._replace()
                continue
            except (EOFError, OSError):
                return
            if event is None:
                return
            kind = event[0]
            if kind == "start":
                with self._cond:
                    self._started.add(event[1])
            elif kind == "done":
                with self._cond:
                    self._inflight.pop(event[1], None)
                    self._started.discard(event[1])
                    if not self._inflight:
                        self._cond.notify_all()
            elif kind == "notify":
                on = self._on_notify.get(event[1])
                if on is None:
                    continue
                try:
                    on(*event[2])
                except Exception:
                    log.exception("could not act on the worker's %s notice", event[1])

    def _replace(self) -> None:
        with self._cond:
            if not self._replacing:
                # A job the dead worker had started is dropped, not retried: it may have
                # posted already, and a second answer is worse than a missing one.
                lost = sorted(self._started)
                for seq in lost:
                    self._inflight.pop(seq, None)
                self._started.clear()
                self._replacing = True
                self._cond.notify_all()
                log.error(
                    "the %s worker process died (exit code %s); %d started job(s) lost, %d to hand "
                    "to a new worker",
                    self._label,
                    self._proc.exitcode,
                    len(lost),
                    len(self._inflight),
                )
        try:
            proc, jobs, events = self._spawn()
        except WorkerFailed:
            log.exception("could not replace the %s worker process; trying again", self._label)
            time.sleep(5)
            return
        with self._cond:
            self._proc, self._jobs, self._events = proc, jobs, events
            for seq, (lane, job) in sorted(self._inflight.items()):
                jobs.put((seq, lane, job))
            self._replacing = False

    def wait_idle(self, timeout: float | None = None) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: not self._inflight, timeout)

    def close(self, timeout_s: float = 30.0) -> None:
        with self._cond:
            if self._closing:
                return
            self._closing = True
        self._jobs.put(None)  # the child finishes what it has, then exits
        self._proc.join(timeout_s)
        if self._proc.is_alive():
            self._proc.kill()
        self._reader.join(timeout=5)


def _child_main(
    settings: Settings,
    workers: int,
    factory_path: str,
    handler_path: str,
    nice: int,
    jobs: Any,
    events: Any,
) -> None:
    # Ctrl-C reaches the whole process group: the parent decides when this process stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if nice:
        with contextlib.suppress(OSError):  # e.g. a sandbox that forbids it: run at normal priority
            os.nice(nice)  # the serving process's acks come first
    try:
        runtime = load_factory(factory_path)(settings)
        # Imported once the runtime exists, so a factory that fails does so without the wait.
        from agent.turn import Agent
        from bot.chat.work import WorkQueue
        from bot.core.reconcile_loop import ReconcileLoop

        agent = Agent(runtime)
        loop = ReconcileLoop(agent, settings.approvals.reconcile_interval_s).start()

        def notify(name: str, *args: Any) -> None:
            events.put(("notify", name, args))

        run_job = load_handler(handler_path)(settings, agent, notify)
    except Exception as exc:
        events.put(("failed", f"{type(exc).__name__}: {exc}"))
        return
    work = WorkQueue(workers)
    events.put(("ready",))

    def task(seq: int, job: Any) -> Callable[[], None]:
        def run() -> None:
            events.put(("start", seq))
            try:
                run_job(job)
            finally:
                events.put(("done", seq))

        return run

    parent = multiprocessing.parent_process()
    while True:
        try:
            item = jobs.get(timeout=1.0)
        except queue.Empty:
            if parent is not None and not parent.is_alive():
                break  # the serving process is gone (killed): do not linger as an orphan
            continue
        if item is None:
            break
        seq, lane, job = item
        work.submit(lane, task(seq, job))
    work.shutdown()
    loop.stop()
    runtime.close()
    events.put(None)
