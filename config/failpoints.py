"""Named crash points for fault-injection tests: `failpoint=after_decision` makes the process die
there exactly as `kill -9` would (SIGKILL: no cleanup, no finally blocks, no flushed buffers).

Off unless the setting names a point; the crash-recovery tests use it to stop a real CLI or Slack
worker between any two steps of an approval and check that the reconciler finishes the work.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

# Every point, in the order an approval passes them.
POINTS = (
    "after_request",  # the request and its record are stored; the approval graph not yet at its gate
    "after_decision",  # pending -> approved committed; execution not started
    "after_claim",  # approved -> executing committed; the cloud not yet called
    "after_apply",  # the cloud call returned; its execution record not yet written
    "after_execution_record",  # the execution is recorded; not yet verified
    "after_verify",  # executed and verified; the reply not yet sent
)


class Failpoints:
    def __init__(self, armed: str | None = None, marker: Path | None = None) -> None:
        if armed is not None and armed not in POINTS:
            raise ValueError(f"unknown failpoint {armed!r} (known: {', '.join(POINTS)})")
        self.armed = armed
        # Fires once per marker file: a restarted worker with the same settings must recover,
        # not die at the same point again.
        self.marker = marker

    def hit(self, point: str) -> None:
        if point != self.armed:
            return
        if self.marker is not None:
            if self.marker.exists():
                return
            self.marker.parent.mkdir(parents=True, exist_ok=True)
            self.marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
