"""Runs the agent's reconciler at start-up and then every few seconds, in a daemon thread, for
the long-running services (the Slack app and its worker process)."""

from __future__ import annotations

import logging
import threading

from agent.turn import Agent

log = logging.getLogger("cloudpilot.reconciler")


class ReconcileLoop:
    def __init__(self, agent: Agent, interval_s: float) -> None:
        self.agent = agent
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cloudpilot-reconciler", daemon=True)

    def start(self) -> ReconcileLoop:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.agent.reconcile()
            except Exception:  # a database outage must not end the loop: try again next round
                log.exception("reconciling approvals failed; retrying in %.0f s", self.interval_s)
            self._stop.wait(self.interval_s)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
