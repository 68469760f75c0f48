"""Per-call report: the funnel, the time spent in each stage and applications by country."""

import statistics
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from icm_recruit.applications.forms import country_name
from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.calls.models import Call
from icm_recruit.extensions import db
from icm_recruit.selection.models import Decision, Interview, ShortlistMark, ShortlistOutcome

S = ApplicationStatus


def _count(stmt) -> int:
    return db.session.scalar(stmt) or 0


def funnel(call: Call) -> list[tuple[str, int]]:
    """How many applications reached each stage (a later state counts for earlier stages)."""
    in_call = Application.call_id == call.id
    apps = select(func.count(Application.id)).where(in_call)
    submitted = _count(apps.where(Application.submitted_at.is_not(None)))
    eligible = _count(apps.where(Application.status.in_(S.eligible),
                                 Application.screened_at.is_not(None)))
    shortlisted = _count(select(func.count(ShortlistMark.id)).join(
        Application, Application.id == ShortlistMark.application_id).where(
        in_call, ShortlistMark.outcome == ShortlistOutcome.SHORTLISTED,
        ShortlistMark.told_at.is_not(None)))  # a mark not sent yet can still change
    interviewed = _count(select(func.count(Interview.id)).join(Interview.application).where(
        in_call, Interview.booked_at.is_not(None)))
    offered = _count(apps.where(Application.status.in_(S.offer_made)))
    accepted = _count(apps.where(Application.status == S.ACCEPTED))
    return [(_("Submitted"), submitted), (_("Eligible"), eligible),
            (_("Shortlisted"), shortlisted), (_("Interviewed"), interviewed),
            (_("Offered"), offered), (_("Accepted"), accepted)]


def _days(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds() / 86400


def stage_times(call: Call) -> list[tuple[str, float | None, int]]:
    """Median days spent between consecutive milestones, with how many applications count."""
    rows = db.session.execute(
        select(Application.submitted_at, Application.screened_at, ShortlistMark.marked_at,
               Interview.booked_at, Decision.sent_at, Decision.responded_at)
        .outerjoin(ShortlistMark, ShortlistMark.application_id == Application.id)
        .outerjoin(Interview, Interview.application_id == Application.id)
        .outerjoin(Decision, Decision.application_id == Application.id)
        .where(Application.call_id == call.id, Application.submitted_at.is_not(None))).all()
    stages = [_("Eligibility check"), _("Review until the shortlist"),
              _("Shortlist until the interview booking"), _("Booking until the decision letter"),
              _("Letter until the applicant's answer")]
    result = []
    for index, label in enumerate(stages):
        values = [d for row in rows if (d := _days(row[index], row[index + 1])) is not None]
        result.append((label, round(statistics.median(values), 1) if values else None,
                       len(values)))
    return result


def by_country(call: Call) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(Application.country, func.count()).where(
            Application.call_id == call.id, Application.submitted_at.is_not(None))
        .group_by(Application.country).order_by(func.count().desc(), Application.country))
    return [(country_name(code) if code else _("Not given"), n) for code, n in rows]


def by_career_stage(call: Call) -> list[tuple[str, int]]:
    """Submitted applications by years since the PhD at the call's deadline."""
    deadline_year = call.reference_year
    bands = [(_("Under 5 years since the PhD"), 0, 4), (_("5 to 9 years"), 5, 9),
             (_("10 to 14 years"), 10, 14), (_("15 years or more"), 15, 200)]
    years = list(db.session.scalars(select(Application.phd_year).where(
        Application.call_id == call.id, Application.submitted_at.is_not(None))))
    rows = [(label, sum(1 for y in years if y is not None and low <= deadline_year - y <= high))
            for label, low, high in bands]
    return rows + [(_("Not given"), sum(1 for y in years if y is None))]


def call_report(call: Call) -> dict:
    return {"funnel": funnel(call), "stages": stage_times(call), "countries": by_country(call),
            "careers": by_career_stage(call)}
