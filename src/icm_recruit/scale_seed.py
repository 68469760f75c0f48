"""Realistic data at scale for demos and benchmarks: seed-demo --applications N --reviewers M.

Everything goes in with bulk INSERTs: one call in review with four criteria, M board
members and N applicants with submitted applications, three documents each (metadata
pointing at one stored PDF), about 2% conflicts, k=3 active assignments per application
that avoid conflicts and spread the load, and submitted reviews for about 70% of them.
"""

import io
import random
from datetime import timedelta

from pypdf import PdfWriter
from sqlalchemy import insert, select

from icm_recruit.applications.models import Application, ApplicationStatus, Document, DocumentKind
from icm_recruit.assignment.models import Assignment, AssignmentOrigin, AssignmentStatus
from icm_recruit.auth.models import Role, User, UserRole, _hasher
from icm_recruit.board.models import BoardMember, Conflict, ConflictSource, ConflictStatus
from icm_recruit.calls.models import DEFAULT_DOCUMENT_RULES, Call, CallStatus, Criterion
from icm_recruit.core import storage
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.reviews import tally

INSTITUTIONS = [
    ("Sandler Neuroscience Center, UCSF", "US"), ("Montreal Neurological Institute", "CA"),
    ("Florey Institute of Neuroscience", "AU"), ("UCL Queen Square Institute of Neurology", "GB"),
    ("DZNE Bonn", "DE"), ("Sorbonne Université", "FR"), ("Institut Pasteur", "FR"),
    ("CNRS, Institut de Neurosciences de la Timone", "FR"), ("Syracuse University", "US"),
    ("Karolinska Institutet", "SE"), ("EPFL", "CH"), ("Weizmann Institute of Science", "IL"),
    ("RIKEN Center for Brain Science", "JP"), ("Max Planck Institute for Brain Research", "DE"),
    ("Universidade de São Paulo", "BR"), ("University of Cape Town", "ZA"),
]
TOPICS = [
    "synaptic plasticity", "hippocampus", "memory consolidation", "Parkinson's disease",
    "alpha-synuclein", "neuroinflammation", "microglia", "spinal cord circuits",
    "motor neurons", "ALS", "epilepsy", "cortical oscillations", "sleep", "dopamine",
    "reward learning", "neurogenetics", "single-cell transcriptomics", "optogenetics",
    "zebrafish", "brain imaging", "MRI", "neurodevelopment", "autism", "glia",
    "multiple sclerosis", "myelin", "Alzheimer's disease", "tau", "computational models",
    "decision making", "pain", "neuropeptides", "axon regeneration", "stroke",
]
GIVEN = ["Amina", "Lucas", "Chen", "Sofia", "Kenji", "Olga", "Mateo", "Aisha", "Jonas",
         "Priya", "Noah", "Léa", "Omar", "Ingrid", "Tomás", "Mei", "Kwame", "Elena"]
FAMILY = ["Diallo", "Schmidt", "Wang", "Rossi", "Tanaka", "Ivanova", "García", "Khan",
          "Larsen", "Patel", "Martin", "Dubois", "Haddad", "Berg", "Silva", "Li", "Mensah",
          "Popescu", "Nguyen", "Müller", "O'Brien", "Kowalski"]
CRITERIA = [("Scientific excellence", "Excellence scientifique", 3.0),
            ("Originality of the project", "Originalité du projet", 2.0),
            ("Leadership", "Leadership", 1.0), ("Fit with the institute", "Adéquation", 1.0)]
K = 3


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _insert(model, rows: list[dict], returning=None) -> list:
    if not rows:
        return []
    if returning is None:
        db.session.execute(insert(model), rows)
        return []
    stmt = insert(model).returning(returning, sort_by_parameter_order=True)
    return list(db.session.scalars(stmt, rows))


def _people(prefix: str, tag: str, count: int, rng, password_hash, now) -> list[dict]:
    rows = []
    for i in range(count):
        name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
        rows.append({"email": f"{prefix}{i}.{tag}@scale.icm-recruit.org", "name": name,
                     "locale": rng.choice(["en", "fr"]), "timezone": "Europe/Paris",
                     "password_hash": password_hash, "email_verified_at": now, "active": True,
                     "session_nonce": f"{rng.getrandbits(128):032x}", "created_at": now})
    return rows


def _text(rng, words: int) -> str:
    return " ".join(rng.choice(TOPICS) for _ in range(words))


def seed_large(applications: int, reviewers: int, seed: int = 2027) -> list[str]:
    """Create the data once (idempotent per size); return lines to print."""
    slug = f"scale-{applications}-{reviewers}"
    if db.session.scalar(select(Call.id).where(Call.slug == slug)):
        return [f"Large call {slug} already seeded."]
    rng, now = random.Random(seed), utcnow()  # noqa: S311 - demo data, not secrets
    password_hash = _hasher.hash("scale-password-2027")
    call = Call(slug=slug, title_en=f"Team leaders (large call, {applications})",
                title_fr=f"Chefs d’équipe (grand appel, {applications})",
                opens_at=now - timedelta(days=90), closes_at=now - timedelta(days=30),
                reviewers_per_application=K, referees_required=0,
                document_rules=[dict(r) for r in DEFAULT_DOCUMENT_RULES],
                status=CallStatus.IN_REVIEW)
    call.criteria = [Criterion(position=i, name_en=en, name_fr=fr, weight=w, scale_min=1,
                               scale_max=5) for i, (en, fr, w) in enumerate(CRITERIA)]
    db.session.add(call)
    db.session.flush()
    member_ids = _seed_members(reviewers, str(call.id), rng, password_hash, now)
    app_ids = _seed_applications(call, applications, rng, password_hash, now)
    conflicts = _seed_conflicts(app_ids, member_ids, rng, now)
    assignments = _seed_assignments(app_ids, member_ids, conflicts, rng, now)
    reviewed = _seed_reviews(call, assignments, rng, now)
    # The bulk inserts bypass the flush that keeps the review tally: counted once here.
    tally.refresh_calls(db.session.connection(), [call.id])
    db.session.commit()
    return [f"Large call {slug} (board members sign in as member0.{call.id}"
            "@scale.icm-recruit.org ...)",
            f"Large call {slug}: {len(app_ids)} applications, {len(member_ids)} board members, "
            f"{len(conflicts)} conflicts, {len(assignments)} assignments, {reviewed} reviews "
            "(password for all: scale-password-2027)"]


def _seed_members(count, tag, rng, password_hash, now) -> list[int]:
    ids = _insert(User, _people("member", tag, count, rng, password_hash, now), User.id)
    _insert(UserRole, [{"user_id": i, "role": Role.REVIEWER, "granted_at": now} for i in ids])
    _insert(BoardMember, [
        {"user_id": i, "affiliation": rng.choice(INSTITUTIONS)[0], "past_affiliations": [],
         "country": rng.choice(INSTITUTIONS)[1], "expertise_keywords": ", ".join(
             rng.sample(TOPICS, 4)), "expertise_statement": _text(rng, 25), "coauthors": "",
         "default_max_load": 10 ** 6, "active": True, "created_at": now} for i in ids])
    return ids


def _seed_applications(call, count, rng, password_hash, now) -> list[int]:
    user_ids = _insert(User, _people("applicant", str(call.id), count, rng, password_hash, now),
                       User.id)
    _insert(UserRole, [{"user_id": i, "role": Role.APPLICANT, "granted_at": now}
                       for i in user_ids])
    rows = []
    for n, user_id in enumerate(user_ids):
        institution, country = rng.choice(INSTITUTIONS)
        topics = rng.sample(TOPICS, 4)
        rows.append({
            "call_id": call.id, "applicant_id": user_id,
            "reference": f"ICM-L{call.id:03d}-{n + 1:05d}",
            "status": ApplicationStatus.UNDER_REVIEW, "current_position": "Group leader",
            "institution": institution, "country": country, "phd_year": rng.randint(2005, 2019),
            "title": f"{topics[0].capitalize()} and {topics[1]}", "keywords": ", ".join(topics),
            "summary": _text(rng, 120), "publications": "Nature Neuroscience 2023; Neuron 2021.",
            "excluded_reviewers": [], "created_at": now, "updated_at": now,
            "submitted_at": now - timedelta(days=rng.randint(30, 60)), "screened_at": now})
    app_ids = _insert(Application, rows, Application.id)
    key = storage.store(_pdf())
    kinds = (DocumentKind.CV, DocumentKind.RESEARCH_PROJECT, DocumentKind.PUBLICATIONS)
    _insert(Document, [
        {"application_id": a, "kind": kind, "original_filename": f"{kind.value}.pdf",
         "size": 1024, "pages": 1, "sha256": key, "storage_key": key, "is_current": True,
         "uploaded_at": now} for a in app_ids for kind in kinds])
    return app_ids


def _seed_conflicts(app_ids, member_ids, rng, now) -> set[tuple[int, int]]:
    pairs = {(a, m) for a in app_ids for m in member_ids if rng.random() < 0.02}
    _insert(Conflict, [
        {"application_id": a, "reviewer_id": m, "source": ConflictSource.INSTITUTION,
         "status": ConflictStatus.CONFIRMED, "reason": "Same institution", "params": {},
         "created_at": now} for a, m in sorted(pairs)])
    return pairs


def _seed_assignments(app_ids, member_ids, conflicts, rng, now) -> list[tuple[int, int]]:
    load = dict.fromkeys(member_ids, 0)
    chosen = []
    for app_id in app_ids:
        candidates = [m for m in member_ids if (app_id, m) not in conflicts]
        rng.shuffle(candidates)
        candidates.sort(key=load.__getitem__)
        for member_id in candidates[:K]:
            load[member_id] += 1
            chosen.append((app_id, member_id))
    ids = _insert(Assignment, [
        {"application_id": a, "reviewer_id": m, "status": AssignmentStatus.ACTIVE,
         "origin": AssignmentOrigin.AUTO, "locked": False, "affinity": rng.random(),
         "explanation": {}, "due_at": now + timedelta(days=rng.randint(-5, 20)),
         "created_at": now, "published_at": now} for a, m in chosen], Assignment.id)
    return list(zip(ids, chosen, strict=True))


def _seed_reviews(call, assignments, rng, now) -> int:
    try:
        from icm_recruit.reviews.models import Recommendation, Review, ReviewScore, ReviewStatus
    except ImportError:  # reviewing not installed
        return 0
    done = [(aid, pair) for aid, pair in assignments if rng.random() < 0.7]
    review_ids = _insert(Review, [
        {"assignment_id": aid, "status": ReviewStatus.SUBMITTED,
         "recommendation": rng.choice(list(Recommendation)), "confidence": rng.randint(2, 5),
         "comments_to_board": "Solid project; see the scores.", "feedback_for_applicant": "",
         "created_at": now, "updated_at": now, "submitted_at": now} for aid, _ in done],
        Review.id)
    _insert(ReviewScore, [
        {"review_id": rid, "criterion_id": c.id, "scale_min": c.scale_min,
         "scale_max": c.scale_max, "score": rng.randint(c.scale_min, c.scale_max)}
        for rid in review_ids for c in call.criteria])
    db.session.execute(Assignment.__table__.update()
                       .where(Assignment.id.in_([aid for aid, _ in done]))
                       .values(status=AssignmentStatus.DONE.value))
    return len(review_ids)
