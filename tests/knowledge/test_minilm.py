"""The numpy encoder computes what sentence-transformers computes, without importing torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from knowledge.embeddings import LIGHT_BATCH, Embedder, resolve_model
from knowledge.minilm import MiniLM, supports
from knowledge.seed import bundled_texts

ROOT = Path(__file__).resolve().parents[2]


def test_vectors_equal_sentence_transformers(embedder: Embedder) -> None:
    texts = [
        *bundled_texts()[:20],
        "what is our runbook for a full disk?",
        "ERR_CERT_DATE_INVALID",
        "port 22 open to 0.0.0.0/0",
        "x",
        "word " * 400,  # longer than the model reads: truncated the same way
    ]
    location = resolve_model("all-MiniLM-L6-v2")
    assert supports(location)
    light = MiniLM(location).encode(texts)
    reference = np.asarray(
        embedder._load().encode(texts, batch_size=8, normalize_embeddings=True, show_progress_bar=False),
        dtype=np.float32,
    )
    assert light.shape == reference.shape == (len(texts), 384)
    assert float(np.abs(light - reference).max()) < 1e-5
    assert np.allclose(np.linalg.norm(light, axis=1), 1.0, atol=1e-5)


def test_other_models_are_left_to_sentence_transformers(tmp_path: Path) -> None:
    assert not supports(tmp_path)
    (tmp_path / "modules.json").write_text(
        '[{"type": "sentence_transformers.models.Transformer", "path": ""}]'
    )
    assert not supports(tmp_path)


def test_a_query_never_imports_torch() -> None:
    code = (
        "import sys\n"
        "from knowledge.embeddings import Embedder\n"
        "vector = Embedder('all-MiniLM-L6-v2').encode_query('what is our runbook for a full disk?')\n"
        "assert vector.shape == (384,)\n"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["False", "False"]
    assert LIGHT_BATCH >= 32
