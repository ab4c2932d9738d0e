"""Retrieval quality over the bundled corpus: recall@k on labelled questions, and how many
off-topic questions are correctly answered with "no source found".

    python -m knowledge.eval [--questions tests/knowledge/questions.yaml] [-k 5] [--data-dir DIR]

The labelled set lives with the tests; a fresh temporary store is used unless --data-dir is given.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge.base import KnowledgeBase
from knowledge.models import Hit
from knowledge.query import focus

DEFAULT_QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "knowledge" / "questions.yaml"


@dataclass(frozen=True)
class Labelled:
    question: str
    doc: str
    section: str


@dataclass
class EvalResult:
    k: int
    total: int = 0
    found: int = 0
    reciprocal_ranks: float = 0.0
    misses: list[tuple[Labelled, list[Hit]]] = field(default_factory=list)
    off_topic_total: int = 0
    off_topic_refused: int = 0
    off_topic_answered: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.total if self.total else 0.0

    @property
    def mrr(self) -> float:
        return self.reciprocal_ranks / self.total if self.total else 0.0


def load_questions(path: Path) -> tuple[list[Labelled], list[str]]:
    data = yaml.safe_load(path.read_text())
    labelled = [Labelled(str(q["q"]), str(q["doc"]), str(q["section"])) for q in data.get("questions", [])]
    return labelled, [str(q) for q in data.get("off_topic", [])]


def answers(hit: Hit, item: Labelled) -> bool:
    return hit.source.rsplit("/", 1)[-1] == item.doc and hit.where == item.section


def evaluate(kb: KnowledgeBase, labelled: list[Labelled], off_topic: list[str], k: int = 5) -> EvalResult:
    result = EvalResult(k=k)
    vectors = kb.embedder.encode([focus(item.question) for item in labelled] + [focus(q) for q in off_topic])
    for item, vector in zip(labelled, vectors, strict=False):
        hits = kb.search(item.question, top_k=k, vector=vector).hits
        result.total += 1
        position = next((i for i, h in enumerate(hits, start=1) if answers(h, item)), None)
        if position is None:
            result.misses.append((item, hits))
        else:
            result.found += 1
            result.reciprocal_ranks += 1 / position
    for question, vector in zip(off_topic, vectors[len(labelled) :], strict=True):
        result.off_topic_total += 1
        if kb.search(question, top_k=k, vector=vector).hits:
            result.off_topic_answered.append(question)
        else:
            result.off_topic_refused += 1
    return result


def report(result: EvalResult) -> str:
    lines = [
        f"recall@{result.k}: {result.recall:.3f} ({result.found}/{result.total}), MRR {result.mrr:.3f}",
        f"off-topic refused: {result.off_topic_refused}/{result.off_topic_total}",
    ]
    for item, hits in result.misses:
        got = "; ".join(f"{h.source.rsplit('/', 1)[-1]} § {h.where}" for h in hits[:3]) or "no source"
        lines.append(f"  miss: {item.question!r} -> want {item.doc} § {item.section}; got {got}")
    lines.extend(f"  answered off-topic: {q!r}" for q in result.off_topic_answered)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from config import load_settings

    parser = argparse.ArgumentParser(prog="python -m knowledge.eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("-k", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--min-recall", type=float, default=0.9)
    args = parser.parse_args(argv)
    labelled, off_topic = load_questions(args.questions)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=args.data_dir or Path(tmp), torch_threads=args.threads)
        with KnowledgeBase(settings) as kb:
            kb.ingest(["bundled"])
            result = evaluate(kb, labelled, off_topic, k=args.k)
    print(report(result))
    return 0 if result.recall >= args.min_recall else 1


if __name__ == "__main__":
    sys.exit(main())
