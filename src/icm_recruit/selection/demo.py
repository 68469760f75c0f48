"""Demo data of selection: a call whose reviews are in, ready for ranking and shortlisting.

Two demo applicants and six more people applied; four board members reviewed them, one of
them harshly and one leniently, so that calibration visibly moves some ranks.
Idempotent: running it again changes nothing.
"""

import random
from datetime import timedelta

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.applications.operations import make_reference
from icm_recruit.auth.models import Role, User
from icm_recruit.calls.models import (
    DEFAULT_DOCUMENT_RULES,
    Call,
    CallStatus,
    Criterion,
    call_by_slug,
)
from icm_recruit.core import audit
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db

DEMO_SELECTION_SLUG = "team-leaders-2026"
APPLICANTS = [
    ("applicant1@demo.icm-recruit.org", None, "Neural circuits of memory consolidation", "FR"),
    ("applicant2@demo.icm-recruit.org", None, "Vision and attention in the primate cortex",
     "DE"),
    ("sofia.garcia@demo.icm-recruit.org", "Dr. Sofia Garcia", "Glia and neurodegeneration",
     "ES"),
    ("yuki.sato@demo.icm-recruit.org", "Dr. Yuki Sato", "Motor learning in the cerebellum",
     "JP"),
    ("omar.haddad@demo.icm-recruit.org", "Dr. Omar Haddad", "Pain pathways and chronic pain",
     "MA"),
    ("emma.jones@demo.icm-recruit.org", "Dr. Emma Jones", "Language networks in children",
     "GB"),
    ("paolo.bianchi@demo.icm-recruit.org", "Dr. Paolo Bianchi", "Epilepsy and brain rhythms",
     "IT"),
    ("lena.novak@demo.icm-recruit.org", "Dr. Lena Novak", "Decision making under uncertainty",
     "CZ"),
]
REVIEWERS = {"chair@demo.icm-recruit.org": 0.0, "reviewer1@demo.icm-recruit.org": -1.2,
             "reviewer2@demo.icm-recruit.org": 1.0, "reviewer3@demo.icm-recruit.org": 0.2}


def _call(admin: User | None) -> Call:
    now = utcnow()
    call = Call(slug=DEMO_SELECTION_SLUG, title_en="Team leaders 2026",
                title_fr="Chefs d’équipe 2026",
                description_en="Team-leader positions in all fields of neuroscience.",
                description_fr="Postes de chef d’équipe dans tous les domaines des "
                               "neurosciences.",
                opens_at=now - timedelta(days=120), closes_at=now - timedelta(days=60),
                reviewers_per_application=3, referees_required=0,
                document_rules=[dict(rule) for rule in DEFAULT_DOCUMENT_RULES],
                status=CallStatus.SELECTION, created_by_id=admin.id if admin else None)
    for position, (en, fr, weight) in enumerate([
            ("Scientific excellence", "Excellence scientifique", 3.0),
            ("Research project", "Projet de recherche", 2.0),
            ("Fit with the institute", "Adéquation avec l’Institut du Cerveau", 1.0)]):
        call.criteria.append(Criterion(position=position, name_en=en, name_fr=fr,
                                       weight=weight, scale_min=1, scale_max=5))
    db.session.add(call)
    db.session.flush()
    audit.record("call.created", actor=admin, obj=call, slug=call.slug, via="seed-demo")
    return call


def applicant_user(email: str, name: str | None, password_hash: str) -> User:
    user = User.by_email(email)
    if user is None:
        user = User(email=email, name=name or email, locale="en", email_verified_at=utcnow(),
                    password_hash=password_hash)
        user.grant(Role.APPLICANT)
        db.session.add(user)
        db.session.flush()
    return user


def _review(application: Application, reviewer: User, call: Call, quality: float,
            severity: float, rng: random.Random) -> None:
    from icm_recruit.assignment.models import Assignment, AssignmentStatus
    from icm_recruit.reviews.models import Recommendation, Review, ReviewScore, ReviewStatus

    assignment = Assignment(application_id=application.id, reviewer_id=reviewer.id,
                            status=AssignmentStatus.DONE, published_at=utcnow())
    db.session.add(assignment)
    db.session.flush()
    scores = [ReviewScore(criterion_id=c.id, scale_min=1, scale_max=5,
                          score=max(1, min(5, round(quality + severity + rng.gauss(0, 0.5)))))
              for c in call.criteria]
    db.session.add(Review(assignment_id=assignment.id, status=ReviewStatus.SUBMITTED,
                          recommendation=Recommendation.DISCUSS, confidence=4,
                          submitted_at=utcnow() - timedelta(days=10), scores=scores,
                          comments_to_board="Solid track record.",
                          feedback_for_applicant="A clear and ambitious project."))


def seed_selection(admin_email: str) -> list[str]:
    """Create the reviewed demo call once; return the lines to print."""
    if call_by_slug(DEMO_SELECTION_SLUG) is not None:
        return [f"Call in selection: /selection/calls/{call_by_slug(DEMO_SELECTION_SLUG).id}"]
    admin = User.by_email(admin_email)
    reviewers = [(User.by_email(e), s) for e, s in REVIEWERS.items() if User.by_email(e)]
    if admin is None or len(reviewers) < 3:
        return []
    call = _call(admin)
    rng = random.Random(2026)  # noqa: S311 - demo scores, not security
    for index, (email, name, title, country) in enumerate(APPLICANTS):
        user = applicant_user(email, name, admin.password_hash)
        application = Application(
            call=call, applicant_id=user.id, status=ApplicationStatus.UNDER_REVIEW,
            current_position="Junior group leader", institution="University", country=country,
            phd_year=2012 + index % 5, title=title, keywords="neuroscience",
            summary=title + ". " * 20, publications="Selected papers.",
            submitted_at=utcnow() - timedelta(days=70), screened_at=utcnow() - timedelta(days=50))
        db.session.add(application)
        db.session.flush()
        application.reference = make_reference(application)
        # What the applicant's timeline shows of the way here.
        audit.backdate(audit.record("application.submitted", actor=user, obj=application,
                                    reference=application.reference, via="seed-demo"),
                       application.submitted_at)
        audit.backdate(audit.record("application.screened", actor=admin, obj=application,
                                    eligible=True, before=ApplicationStatus.SUBMITTED.value,
                                    reason=None, via="seed-demo"), application.screened_at)
        quality = 4.4 - 0.35 * index
        for reviewer, severity in rng.sample(reviewers, 3):
            _review(application, reviewer, call, quality, severity, rng)
    db.session.commit()
    return [f"Call in selection (reviews in): /selection/calls/{call.id}"]
