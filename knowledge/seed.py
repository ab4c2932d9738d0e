"""Precomputed embeddings of the bundled corpus, shipped next to it.

Embedding the bundled runbooks takes tens of seconds on a small CPU; with these vectors the
demo's first question, and every test that starts from an empty store, index the bundled
corpus without running the model. Vectors are keyed by a hash of the model name and the
exact text embedded, so a stale file is never wrong: a chunk whose text changed simply
misses and is embedded as usual. Regenerate after editing the corpus:

    python -m knowledge.seed
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from config import load_settings
from knowledge.chunking import chunk_document, embed_text
from knowledge.documents import parse
from knowledge.embeddings import Embedder, model_slug
from knowledge.source_docs import BUNDLED
from knowledge.sources import bundled_dir, resolve


def text_key(model_name: str, text: str) -> str:
    return hashlib.sha256(f"{model_name}\0{text}".encode()).hexdigest()[:32]


def seed_path(model_name: str) -> Path:
    return bundled_dir() / f"embeddings-{model_slug(model_name)}.npz"


def load_seed(model_name: str) -> dict[str, NDArray[np.float32]]:
    path = seed_path(model_name)
    if not path.is_file():
        return {}
    with np.load(path, allow_pickle=False) as data:
        keys = [str(k) for k in data["keys"]]
        vectors = np.asarray(data["vectors"], dtype=np.float32)
    return dict(zip(keys, vectors, strict=True))


def bundled_texts() -> list[str]:
    """Exactly the texts ingestion embeds for the bundled corpus."""
    texts: list[str] = []
    for doc in resolve(BUNDLED).docs:
        parsed = parse(doc.read(), doc.fmt, Path(doc.source).stem)
        texts.extend(embed_text(parsed.title, draft) for draft in chunk_document(parsed))
    return texts


def main() -> int:
    settings = load_settings()
    texts = bundled_texts()
    vectors = Embedder.from_settings(settings).encode(texts)
    keys = np.array([text_key(settings.embedding_model, t) for t in texts])
    path = seed_path(settings.embedding_model)
    np.savez_compressed(path, keys=keys, vectors=vectors.astype(np.float32))
    print(f"{len(texts)} vectors written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
