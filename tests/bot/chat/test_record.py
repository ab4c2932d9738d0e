"""A job's record: posts found again after a crash, calls that cannot be looked up at most once."""

from __future__ import annotations

from bot.chat.record import JobRecord
from bot.serve.ledger import INTENT, MemoryLedger


def test_posted_once_and_found_after_a_lost_result() -> None:
    ledger = MemoryLedger()
    sent: list[str | None] = []
    board: dict[str, str] = {}  # marker -> message id, as the platform would find it

    def post(marker: str | None) -> str:
        sent.append(marker)
        message_id = f"m{len(sent)}"
        if marker:
            board[marker] = message_id
        return message_id

    first = JobRecord(ledger, "job-1").posted("reply", post, board.get)
    assert JobRecord(ledger, "job-1").posted("reply", post, board.get) == first
    ledger.put("job-1", "reply", INTENT)  # killed between the post and its record
    assert JobRecord(ledger, "job-1").posted("reply", post, board.get) == first
    assert sent == ["job-1#reply"]
    # No key: nothing is recorded and every call posts.
    JobRecord(ledger, None).posted("reply", post, board.get)
    JobRecord(ledger, None).posted("reply", post, board.get)
    assert sent[1:] == [None, None]


def test_once_is_at_most_once() -> None:
    ledger = MemoryLedger()
    runs: list[int] = []
    JobRecord(ledger, "job-2").once("notice", lambda: runs.append(1))
    JobRecord(ledger, "job-2").once("notice", lambda: runs.append(1))
    ledger.put("job-2", "upload", INTENT)
    JobRecord(ledger, "job-2").once("upload", lambda: runs.append(2))
    assert runs == [1]
    record = JobRecord(ledger, "job-2")
    record.mark("reply", "{}")
    assert JobRecord(ledger, "job-2").value("reply") == "{}" and record.value("upload") is None
