"""The affinity at full size: 4,000 applications x 1,500 members, vectors from the database.

    python benchmarks/affinity_scale.py [--applications 4000] [--members 1500]
                                        [--publications 20] [--sample 30]

Synthetic texts in the app's proportions (application: title, keywords, a 150-word
summary and 600 words of research project; member: keywords, a statement and
``--publications`` paper titles) are written to a scratch PostgreSQL database's
``text_embedding`` table first, with stand-in vectors (the warm path's cost does not depend
on their values), then the assignment job's affinity path is timed as it runs once the
vectors are kept: ``build_model`` with the database-backed encoder (no text embedded:
checked) and the full score matrix. The model's own throughput is measured on
``--sample`` application-sized texts, giving the cold cost of embedding every text once.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from icm_recruit.assignment import affinity, embeddings  # noqa: E402
from icm_recruit.assignment.affinity import ApplicationText, MemberText  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgresql://127.0.0.1:5432/test")
SYLLABLES = "ba be bi bo bu da de di do ka ke ki ko la le li lo ma me mi mo na ne ni no " \
            "pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi vo za ze zi zo".split()


def texts(n_apps: int, n_members: int, n_papers: int, seed: int = 1):
    """Generate applications and members drawing words from shared topics."""
    rng = random.Random(seed)
    vocabulary = list({"".join(rng.choice(SYLLABLES) for _ in range(3)) for _ in range(8000)})
    topics = [rng.sample(vocabulary, 40) for _ in range(200)]

    def words(mix, count):
        pool = [w for t in mix for w in topics[t]]
        return " ".join(rng.choice(pool) if rng.random() < 0.7 else rng.choice(vocabulary)
                        for _ in range(count))

    apps = []
    for i in range(n_apps):
        mix = rng.sample(range(len(topics)), 2)
        apps.append(ApplicationText(i, words(mix, 8), words(mix, 5).split(), words(mix, 150),
                                    words(mix, 600)))
    members = []
    for j in range(n_members):
        mix = rng.sample(range(len(topics)), 3)
        members.append(MemberText(j, words(mix, 8).split(), words(mix, 60),
                                  [words(mix, 12) for _ in range(n_papers)]))
    return apps, members


class StandIn:
    """Random unit vectors, only to fill the store before the timed run."""

    def __init__(self):
        self.name, self.rng = embeddings.model_name(), np.random.default_rng(0)

    def encode(self, batch):
        vectors = self.rng.normal(size=(len(batch), embeddings.DIMENSION)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _app(url: str):
    from icm_recruit import create_app

    return create_app({"PROFILE": "test", "SQLALCHEMY_DATABASE_URI": url,
                       "CELERY": {"task_always_eager": True}})


def run(args) -> dict:
    from flask_migrate import upgrade

    from icm_recruit.assignment.vectors import DatabaseStore, database_encoder
    from icm_recruit.extensions import db

    name = f"icm_bench_affinity_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        app = _app(f"postgresql+psycopg://127.0.0.1:5432/{name}")
        apps, members = texts(args.applications, args.members, args.publications)
        with app.app_context():
            upgrade()
            affinity.build_model(apps, members, encoder=embeddings.CachedEncoder(
                StandIn(), DatabaseStore()))
            db.session.commit()
            stored = db.session.execute(db.text("SELECT count(*) FROM text_embedding")).scalar()
            embeddings._memory.clear()
            db.session.remove()
        with app.app_context():
            started = time.perf_counter()
            encoder = database_encoder()
            model = affinity.build_model(apps, members, encoder=encoder)
            built = time.perf_counter()
            scores = affinity.affinity_matrix(model)
            done = time.perf_counter()
            assert encoder.computed == 0, "every vector should come from the database"
        sample = [affinity._plain(affinity._application_fields(a)) for a in apps[:args.sample]]
        e5_started = time.perf_counter()
        embeddings.E5Encoder().encode(sample)
        per_text = (time.perf_counter() - e5_started) / max(len(sample), 1)
    finally:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return {
        "benchmark": "affinity_scale", "applications": args.applications,
        "members": args.members, "publications_per_member": args.publications,
        "member_documents": int(model.documents.shape[0]), "vectors_stored": int(stored),
        "seconds_build_model": round(built - started, 1),
        "seconds_scores": round(done - built, 1),
        "seconds_total_warm": round(done - started, 1),
        "score_matrix": list(scores.shape),
        "e5_seconds_per_application_text": round(per_text, 3),
        "cold_embedding_estimate_seconds": round(per_text * stored, 0),
        "peak_memory_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=4000)
    parser.add_argument("--members", type=int, default=1500)
    parser.add_argument("--publications", type=int, default=20)
    parser.add_argument("--sample", type=int, default=30)
    summary = run(parser.parse_args(argv))
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
