"""Factories for calls, applications and PDF files."""

import io
from datetime import timedelta

from pypdf import PdfWriter

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.calls.models import DEFAULT_DOCUMENT_RULES, Call, CallStatus, Criterion
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db


def make_pdf(pages: int = 1, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_call(slug: str = "team-leaders-2027", *, status=CallStatus.OPEN, opens_in_days=-1,
              closes_in_days=30, referees_required: int = 1, **fields) -> Call:
    now = utcnow()
    call = Call(slug=slug, title_en="Team leaders 2027", title_fr="Chefs d'équipe 2027",
                description_en="Lead a team.", description_fr="Diriger une équipe.",
                opens_at=now + timedelta(days=opens_in_days),
                closes_at=now + timedelta(days=closes_in_days), status=status,
                referees_required=referees_required, summary_word_limit=100,
                **{"document_rules": [dict(r) for r in DEFAULT_DOCUMENT_RULES], **fields})
    call.criteria.append(Criterion(name_en="Excellence", name_fr="Excellence", weight=2.0,
                                   scale_min=1, scale_max=5))
    db.session.add(call)
    db.session.commit()
    return call


def make_application(call: Call, applicant, *, status=ApplicationStatus.DRAFT,
                     complete: bool = False, **fields) -> Application:
    application = Application(call=call, applicant_id=applicant.id, status=status)
    if complete:
        application.current_position = "Group leader"
        application.institution = "Institut Pasteur"
        application.country = "FR"
        application.phd_year = 2015
        application.title = "Circuits of memory"
        application.keywords = "memory, synapse"
        application.summary = "We study memory " * 10
        application.publications = "Paper one. Nature 2020."
    for name, value in fields.items():
        setattr(application, name, value)
    db.session.add(application)
    db.session.flush()
    application.reference = f"ICM-2027-{application.id:04d}"
    if status != ApplicationStatus.DRAFT:
        application.submitted_at = utcnow()
    db.session.commit()
    return application
