"""Demo data for reviewing: a call in review, assignments, a few reviews and a discussion."""

import io
from datetime import timedelta

from pypdf import PdfWriter

from icm_recruit.applications.models import Application, ApplicationStatus, Document
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.calls.models import (
    DEFAULT_DOCUMENT_RULES,
    CallStatus,
    Criterion,
    DocumentKind,
    call_by_slug,
)
from icm_recruit.core import storage
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.reviews import operations as ops

SLUG = "team-leaders-2026-second-round"
PROJECTS = [
    ("Dr. Ines Alvarez", "Astrocytes in synaptic plasticity", "astrocytes, plasticity"),
    ("Dr. Tom Becker", "Motor learning in the basal ganglia", "motor, basal ganglia"),
    ("Dr. Nour Khalil", "Neuroinflammation in early Parkinson's disease", "parkinson, microglia"),
    ("Dr. Hana Kim", "Language networks across development", "language, fMRI"),
]


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _call():
    from icm_recruit.calls.models import Call

    now = utcnow()
    call = Call(slug=SLUG, title_en="Team leaders 2026, second round",
                title_fr="Chefs d’équipe 2026, second tour", opens_at=now - timedelta(90),
                closes_at=now - timedelta(20), status=CallStatus.IN_REVIEW,
                reviewers_per_application=3, referees_required=0,
                document_rules=[dict(r) for r in DEFAULT_DOCUMENT_RULES])
    for position, (en, fr, weight) in enumerate((("Scientific excellence", "Excellence "
                                                  "scientifique", 2.0),
                                                 ("Research project", "Projet de recherche",
                                                  1.5), ("Fit with the institute",
                                                         "Adéquation avec l’Institut du "
                                                         "Cerveau", 1.0))):
        call.criteria.append(Criterion(
            position=position, name_en=en, name_fr=fr, weight=weight, scale_min=1, scale_max=5,
            descriptors_en="poor\nfair\ngood\nvery good\noutstanding",
            descriptors_fr="faible\nmoyen\nbon\ntrès bon\nexceptionnel"))
    db.session.add(call)
    db.session.flush()
    return call


def _application(call, index: int, name: str, title: str, keywords: str) -> Application:
    applicant = User(email=f"round2-candidate{index}@demo.icm-recruit.org", name=name, locale="en",
                     email_verified_at=utcnow())
    applicant.grant(Role.APPLICANT)
    db.session.add(applicant)
    db.session.flush()
    application = Application(
        call=call, applicant_id=applicant.id, status=ApplicationStatus.UNDER_REVIEW,
        current_position="Junior group leader", institution="University of Geneva",
        country="CH", phd_year=2013, title=title, keywords=keywords,
        summary=f"{title}: a five-year programme combining imaging and modelling. " * 6,
        publications="Selected papers in Neuron, Nature Neuroscience and eLife.",
        submitted_at=utcnow() - timedelta(days=25))
    db.session.add(application)
    db.session.flush()
    application.reference = f"ICM-2026-{application.id:04d}"
    data = _pdf()
    key = storage.store(data)
    db.session.add(Document(application=application, kind=DocumentKind.CV,
                            original_filename="cv.pdf", size=len(data), pages=1, sha256=key,
                            storage_key=key, uploaded_by_id=applicant.id))
    return application


def seed_review_demo() -> list[str]:
    """Create the reviewing demo once; return the lines to print."""
    if call_by_slug(SLUG) is not None:
        return [f"Call in review: /review/ (HR: /review/calls/{call_by_slug(SLUG).id}/progress)"]
    members = [User.by_email(f"{who}@demo.icm-recruit.org")
               for who in ("reviewer1", "reviewer2", "reviewer3", "chair")]
    if any(m is None for m in members):
        return []
    call = _call()
    now = utcnow()
    applications = [_application(call, i, *p) for i, p in enumerate(PROJECTS, start=1)]
    due = {0: timedelta(days=5), 1: timedelta(days=2), 2: timedelta(days=-2)}
    assignments = {}
    for i, application in enumerate(applications):
        for j in range(3):
            member = members[(i + j) % 4]
            a = Assignment(application_id=application.id, reviewer_id=member.id,
                           status=AssignmentStatus.ACTIVE, due_at=now + due[j], published_at=now)
            db.session.add(a)
            assignments[(i, member.email)] = a
    db.session.flush()
    first = applications[0]
    for member in (members[1], members[2]):
        scores = {c.id: 4 if c.position else 5 for c in call.criteria}
        ops.save_review(assignments[(0, member.email)], ops.ReviewInput(
            scores=scores, recommendation="interview", confidence=4,
            comments_to_board="Original and feasible; strong publication record.",
            feedback_for_applicant="A clear and ambitious plan."), by=member, submit=True,
            now=now - timedelta(days=3))
    ops.post_to_discussion(first, "Should we ask about the imaging budget at the interview?",
                           by=members[1])
    db.session.commit()
    return ["Call in review: /review/ for members; HR progress at "
            f"/review/calls/{call.id}/progress"]
