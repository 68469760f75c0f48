"""The database side of the embedding cache (`text_embedding`), and the encoder using it."""

from collections.abc import Sequence

import numpy as np
from sqlalchemy import select

from icm_recruit.assignment.embeddings import CachedEncoder, E5Encoder, from_bytes, to_bytes
from icm_recruit.assignment.models import TextEmbedding
from icm_recruit.extensions import db

LOAD_BATCH = 5_000


class DatabaseStore:
    """Vectors kept in the `text_embedding` table."""

    def load(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the stored vectors among the keys."""
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), LOAD_BATCH):
            rows = db.session.execute(select(TextEmbedding.key, TextEmbedding.vector).where(
                TextEmbedding.key.in_(keys[start:start + LOAD_BATCH])))
            found.update((key, from_bytes(vector)) for key, vector in rows)
        return found

    def save(self, vectors: dict[str, np.ndarray], model: str) -> None:
        """Store new vectors; a key another process stored meanwhile is left as it is."""
        if not vectors:
            return
        dialect = db.session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        rows = [{"key": k, "model": model, "vector": to_bytes(v)} for k, v in vectors.items()]
        for start in range(0, len(rows), LOAD_BATCH):
            db.session.execute(insert(TextEmbedding).values(rows[start:start + LOAD_BATCH])
                               .on_conflict_do_nothing(index_elements=["key"]))


def database_encoder() -> CachedEncoder:
    """Return the encoder the assignment uses: e5, cached in memory and in the database."""
    return CachedEncoder(E5Encoder(), DatabaseStore())
