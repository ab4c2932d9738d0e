"""A second CloudPilot process for the multi-process tests of the knowledge base.

    python -m tests.knowledge.kb_process search DATA_DIR SIGNALS QUESTION...
    python -m tests.knowledge.kb_process ingest DATA_DIR SIGNALS FOLDER HOLD_S

`search` opens the knowledge base, says it is ready (SIGNALS/ready-PID), waits for
SIGNALS/go, answers each question and prints one JSON line per answer. `ingest` indexes
FOLDER and, once it holds the store's write lock and is embedding, says so
(SIGNALS/ingesting) and stays there HOLD_S seconds before it writes and publishes.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from config import load_settings
from knowledge.base import KnowledgeBase
from knowledge.ingestion import IngestProgress


def _search(data_dir: Path, signals: Path, questions: list[str]) -> None:
    with KnowledgeBase(load_settings(data_dir=data_dir)) as kb:
        kb.sync_defaults()
        kb.search("warm up")
        (signals / f"ready-{os.getpid()}").touch()
        deadline = time.monotonic() + 60
        while not (signals / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        for question in questions:
            started = time.time()
            hits = kb.search(question).hits
            print(
                json.dumps(
                    {
                        "question": question,
                        "top": hits[0].source if hits else None,
                        "started": started,
                        "ended": time.time(),
                    }
                ),
                flush=True,
            )


def _ingest(data_dir: Path, signals: Path, folder: Path, hold: float) -> None:
    def progress(event: IngestProgress) -> None:
        if event.stage == "embedding" and not (signals / "ingesting").exists():
            (signals / "ingesting").touch()
            time.sleep(hold)

    with KnowledgeBase(load_settings(data_dir=data_dir)) as kb:
        report = kb.ingest([folder], progress=progress)
    print(json.dumps({"added": report.added, "ended": time.time()}), flush=True)


def main(argv: list[str]) -> int:
    mode, data_dir, signals = argv[0], Path(argv[1]), Path(argv[2])
    if mode == "search":
        _search(data_dir, signals, argv[3:])
    else:
        _ingest(data_dir, signals, Path(argv[3]), float(argv[4]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
