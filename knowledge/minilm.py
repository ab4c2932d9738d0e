"""A light encoder for BERT sentence-transformers models such as all-MiniLM-L6-v2.

sentence-transformers brings torch and transformers with it: importing them takes seconds
(about 9 s on a small CPU), which a fresh `cloudpilot ask` would pay for one query of a dozen
word pieces. This module runs the same computation with numpy alone (the `tokenizers` library
for word pieces, `safetensors` for the weights): the BERT encoder, mean pooling over the
attention mask, then unit length. It loads in well under a second and encodes a query in
milliseconds.

Only models whose sentence-transformers pipeline is exactly Transformer (a BERT with absolute
positions and GELU) -> mean pooling (-> Normalize) are run here (`supports`); for any other
model the caller uses sentence-transformers. The vectors equal sentence-transformers' to float
precision (checked by `tests/knowledge/test_minilm.py`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]

_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def supports(location: str | Path) -> bool:
    """True when the model folder holds a BERT + mean pooling sentence-transformers model in
    safetensors with a fast tokenizer, which `MiniLM` computes exactly."""
    root = Path(location)
    try:
        modules = _read_json(root / "modules.json")
        types = [m.get("type") for m in modules]
        if types not in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE]):
            return False
        if modules[0].get("path", "") not in ("", "."):
            return False
        pooling = _read_json(root / modules[1]["path"] / "config.json")
        modes = {k: v for k, v in pooling.items() if k.startswith("pooling_mode_")}
        if [k for k, v in modes.items() if v] != ["pooling_mode_mean_tokens"]:
            return False
        config = _read_json(root / "config.json")
        return (
            config.get("model_type") == "bert"
            and config.get("hidden_act") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and (root / "model.safetensors").is_file()
            and (root / "tokenizer.json").is_file()
        )
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        return False


def _erf(x: F32) -> F32:
    """erf to within 1.5e-7 (Abramowitz and Stegun 7.1.26), below float32's resolution at 1.
    Computed in place on a few buffers: the GELU inputs of a batch are millions of values."""
    a = np.abs(x)
    t = a * np.float32(0.3275911)
    t += 1
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(coefficient)
        poly *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a
    np.subtract(np.float32(1), poly, out=poly)
    out: F32 = np.copysign(poly, x)
    return out


def _gelu(x: F32) -> F32:
    out = _erf(x * np.float32(1 / math.sqrt(2.0)))
    out += 1
    out *= x
    out *= np.float32(0.5)
    return out


def _layer_norm(x: F32, weight: F32, bias: F32, eps: float) -> F32:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    out: F32 = (centred / np.sqrt(var + np.float32(eps)) * weight + bias).astype(np.float32)
    return out


class _Layer:
    def __init__(self, w: dict[str, F32], prefix: str) -> None:
        def linear(name: str) -> tuple[F32, F32]:
            # Stored as (out, in) like torch.nn.Linear: x @ W.T, a transposed view (BLAS reads
            # it as it is, nothing is copied).
            return w[f"{prefix}.{name}.weight"].T, w[f"{prefix}.{name}.bias"]

        # Query, key and value in one product.
        q, k, v = (linear(f"attention.self.{name}") for name in ("query", "key", "value"))
        self.qkv_w = np.concatenate([q[0], k[0], v[0]], axis=1)
        self.qkv_b = np.concatenate([q[1], k[1], v[1]])
        self.out_w, self.out_b = linear("attention.output.dense")
        norm = f"{prefix}.attention.output.LayerNorm"
        self.ln1 = (w[f"{norm}.weight"], w[f"{norm}.bias"])
        self.up_w, self.up_b = linear("intermediate.dense")
        self.down_w, self.down_b = linear("output.dense")
        self.ln2 = (w[f"{prefix}.output.LayerNorm.weight"], w[f"{prefix}.output.LayerNorm.bias"])


class MiniLM:
    """The encoder of a supported model folder; `encode` returns unit-length float32 rows."""

    def __init__(self, location: str | Path, threads: int = 1) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        root = Path(location)
        self.threads = threads
        self._pool: Any = None
        config = _read_json(root / "config.json")
        st_config_path = root / "sentence_bert_config.json"
        st_config = _read_json(st_config_path) if st_config_path.is_file() else {}
        self.max_length = int(st_config.get("max_seq_length") or config.get("max_position_embeddings", 512))
        self.lower_case = bool(st_config.get("do_lower_case", False))
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.dimension = int(config["hidden_size"])

        tokenizer = Tokenizer.from_file(str(root / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=self.max_length)
        self._tokenizer = tokenizer

        raw = load_file(str(root / "model.safetensors"))
        w: dict[str, F32] = {
            name.removeprefix("bert."): value.astype(np.float32, copy=False) for name, value in raw.items()
        }
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"]
        self.ln0 = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = [_Layer(w, f"encoder.layer.{i}") for i in range(int(config["num_hidden_layers"]))]

    def _forward(self, ids: NDArray[np.int64], types: NDArray[np.int64], mask: F32) -> F32:
        batch, length = ids.shape
        hidden = self.dimension
        head = hidden // self.heads
        x = self.word[ids] + self.position[np.arange(length)][None, :, :] + self.token_type[types]
        # Rows are (batch x position) so every dense layer is one matrix product.
        x = _layer_norm(x.reshape(batch * length, hidden).astype(np.float32), *self.ln0, self.eps)
        # Padding positions get the smallest float added to their attention scores, as in BERT.
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :].astype(np.float32)
        scale = np.float32(1.0 / math.sqrt(head))
        for layer in self.layers:
            qkv = (x @ layer.qkv_w + layer.qkv_b).reshape(batch, length, 3, self.heads, head)
            q, k, v = qkv.transpose(2, 0, 3, 1, 4)
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch * length, hidden)
            x = _layer_norm(context @ layer.out_w + layer.out_b + x, *layer.ln1, self.eps)
            up = _gelu(x @ layer.up_w + layer.up_b)
            x = _layer_norm(up @ layer.down_w + layer.down_b + x, *layer.ln2, self.eps)
        x = x.reshape(batch, length, hidden)
        weights = mask[:, :, None]
        pooled = (x * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), np.float32(1e-9))
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        out: F32 = (pooled / np.maximum(norms, np.float32(1e-12))).astype(np.float32)
        return out

    def encode(self, texts: Sequence[str]) -> F32:
        """One unit-length row per text, padded to the longest text of the call."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        batch = [t.lower() for t in texts] if self.lower_case else list(texts)
        encodings = self._tokenizer.encode_batch(batch)
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), length), dtype=np.int64)
        types = np.zeros((len(texts), length), dtype=np.int64)
        mask = np.zeros((len(texts), length), dtype=np.float32)
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            ids[row, :n] = enc.ids
            types[row, :n] = enc.type_ids
            mask[row, :n] = enc.attention_mask
        with self._blas_threads():
            return self._forward(ids, types, mask)

    def _blas_threads(self) -> AbstractContextManager[object]:
        """Run the matrix products on `threads` BLAS threads. OpenBLAS otherwise starts one per
        core, and on a busy machine its spinning threads make a 30 ms query take 0.7 s."""
        if self._pool is None:
            try:
                from threadpoolctl import ThreadpoolController
            except ImportError:  # a transitive dependency (scikit-learn): use BLAS as it is
                self._pool = False
            else:
                self._pool = ThreadpoolController()
        if self._pool is False:
            return nullcontext()
        limited: AbstractContextManager[object] = self._pool.limit(limits=self.threads, user_api="blas")
        return limited
