"""Demo data of this feature: an open call with criteria, one submitted and one draft
application. Idempotent: running it again changes nothing."""

import io
from datetime import timedelta

from pypdf import PdfWriter

from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    Document,
)
from icm_recruit.applications.operations import make_reference
from icm_recruit.auth.models import User
from icm_recruit.calls.models import (
    DEFAULT_DOCUMENT_RULES,
    Call,
    CallStatus,
    Criterion,
    DocumentKind,
    call_by_slug,
)
from icm_recruit.core import audit, storage
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db

DEMO_CALL_SLUG = "team-leaders-2027"
CRITERIA = [
    ("Scientific excellence", "Excellence scientifique", 3.0),
    ("Research project", "Projet de recherche", 2.0),
    ("Fit with the institute", "Adéquation avec l’Institut du Cerveau", 1.0),
]


def _pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _ensure_call(admin: User | None) -> Call:
    call = call_by_slug(DEMO_CALL_SLUG)
    if call is not None:
        return call
    now = utcnow()
    call = Call(
        slug=DEMO_CALL_SLUG, title_en="Team leaders 2027", title_fr="Chefs d’équipe 2027",
        description_en="The Paris Brain Institute recruits team leaders in all fields of "
                       "neuroscience.",
        description_fr="L’Institut du Cerveau recrute des chefs d’équipe dans tous les "
                       "domaines des neurosciences.",
        opens_at=now - timedelta(days=7), closes_at=now + timedelta(days=60),
        reviewers_per_application=3, referees_required=2, summary_word_limit=500,
        document_rules=[dict(rule) for rule in DEFAULT_DOCUMENT_RULES],
        status=CallStatus.OPEN, created_by_id=admin.id if admin else None)
    for position, (name_en, name_fr, weight) in enumerate(CRITERIA):
        call.criteria.append(Criterion(
            position=position, name_en=name_en, name_fr=name_fr, weight=weight,
            scale_min=1, scale_max=5,
            descriptors_en="poor\nfair\ngood\nvery good\noutstanding",
            descriptors_fr="faible\nmoyen\nbon\ntrès bon\nexceptionnel"))
    db.session.add(call)
    db.session.flush()
    audit.record("call.created", actor=admin, obj=call, slug=call.slug, via="seed-demo")
    return call


def _ensure_application(call: Call, user: User, *, submitted: bool) -> Application:
    application = db.session.query(Application).filter_by(
        call_id=call.id, applicant_id=user.id).one_or_none()
    if application is not None:
        return application
    application = Application(
        call=call, applicant_id=user.id, status=ApplicationStatus.DRAFT,
        current_position="Junior group leader", institution="Université de Lyon",
        country="FR", phd_year=2014, title="Neural circuits of memory consolidation",
        keywords="memory, sleep, hippocampus",
        summary="How does the sleeping brain turn experiences into lasting memories? " * 8,
        publications="Diallo A. et al. Sleep spindles and memory. Neuron 2023.")
    db.session.add(application)
    db.session.flush()
    application.reference = make_reference(application)
    if submitted:
        for kind, pages in ((DocumentKind.CV, 3), (DocumentKind.RESEARCH_PROJECT, 8),
                            (DocumentKind.PUBLICATIONS, 4)):
            data = _pdf(pages)
            key = storage.store(data)
            db.session.add(Document(
                application=application, kind=kind, original_filename=f"{kind.value}.pdf",
                size=len(data), pages=pages, sha256=key, storage_key=key,
                uploaded_by_id=user.id))
        # Submitted a week ago, then changed once before the deadline: HR sees version 2
        # and what changed since version 1.
        from icm_recruit.applications.changes import record_version

        final_title = application.title
        application.title = "Neural circuits of memory"
        application.status = ApplicationStatus.SUBMITTED
        application.submitted_at = utcnow() - timedelta(days=6)
        db.session.flush()
        record_version(application, application.submitted_at, [])
        application.title = final_title
        record_version(application, utcnow() - timedelta(days=1), ["title"])
    else:
        application.title = "Vision and attention in the primate cortex"
        application.keywords = "vision, attention"
        application.country = "DE"
        application.institution = "Max Planck Institute"
    db.session.flush()
    event = audit.record("application.submitted" if submitted else "application.started",
                         actor=user, obj=application, reference=application.reference,
                         via="seed-demo")
    if submitted:  # the applicant's timeline, dated as the versions are
        audit.backdate(event, application.submitted_at)
        audit.backdate(audit.record("application.changed", actor=user, obj=application,
                                    version=application.version, changes=["title"],
                                    via="seed-demo"), utcnow() - timedelta(days=1))
    return application


def seed_calls_and_applications(admin_email: str, submitted_email: str,
                                draft_email: str) -> list[str]:
    """Create the demo call and applications once; return the lines to print."""
    call = _ensure_call(User.by_email(admin_email))
    lines = [f"Open call: /calls/{call.slug}"]
    for email, submitted in ((submitted_email, True), (draft_email, False)):
        user = User.by_email(email)
        if user is not None:
            application = _ensure_application(call, user, submitted=submitted)
            lines.append(f"  {application.reference} ({application.status.value}) {email}")
    db.session.commit()
    return lines
