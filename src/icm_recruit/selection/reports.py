"""Per-call report: the funnel, the time spent in each stage and applications by country."""

import statistics
from datetime import datetime

from sqlalchemy import func, select

from icm_recruit.applications.forms import country_name
from icm_recruit.applications.models import (
    Application,
    ApplicationStage,
    ApplicationStatus,
    StageProgress,
    StageVerdict,
)
from icm_recruit.calls.models import Call
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import pgettext
from icm_recruit.extensions import db
from icm_recruit.selection.models import Decision, Interview, ShortlistMark, ShortlistOutcome

S = ApplicationStatus


def _count(stmt) -> int:
    return db.session.scalar(stmt) or 0


def _totals(call: Call) -> tuple[dict, dict[int, int]]:
    """One query: the call's totals, and the withdrawn applications by the stage they were at."""
    submitted = Application.submitted_at.is_not(None)
    rows = db.session.execute(
        select(Application.stage,
               func.count().filter(submitted),
               func.count().filter(Application.status.in_(S.eligible),
                                   Application.screened_at.is_not(None)),
               func.count().filter(submitted, Application.status == S.WITHDRAWN),
               func.count().filter(Application.status.in_(S.offer_made)),
               func.count().filter(Application.status == S.ACCEPTED))
        .where(Application.call_id == call.id).group_by(Application.stage)).all()
    keys = ("submitted", "eligible", "withdrawn", "offered", "accepted")
    totals = {key: sum(row[i + 1] for row in rows) for i, key in enumerate(keys)}
    return totals, {row[0]: row[3] for row in rows}


def _stage_counts(call: Call) -> dict[int, tuple[int, int, int, int]]:
    """One query: per stage, how many reached it, went on, stopped there, missed its part."""
    decided = ApplicationStage.decided_at.is_not(None)
    rows = db.session.execute(
        select(ApplicationStage.stage,
               func.count().filter(ApplicationStage.opened_at.is_not(None)),
               func.count().filter(decided, ApplicationStage.verdict == StageVerdict.ADVANCE),
               func.count().filter(decided, ApplicationStage.verdict == StageVerdict.STOP),
               func.count().filter(ApplicationStage.progress == StageProgress.MISSED))
        .join(Application, Application.id == ApplicationStage.application_id)
        .where(Application.call_id == call.id).group_by(ApplicationStage.stage)).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def stage_funnel(call: Call, totals: dict, withdrawn_at: dict[int, int]) -> list[dict]:
    """Per stage of a staged call: reached, went on, stopped, part missed, withdrawn there."""
    counts = _stage_counts(call)
    result = []
    for position in range(1, call.stage_count + 1):
        reached, advanced, stopped, missed = counts.get(position, (0, 0, 0, 0))
        if position == 1:
            reached = totals["eligible"]
        result.append({"position": position, "name": call.stage_name(position),
                       "rows": [(_("Reached"), reached), (_("Went on to the next stage"), advanced),
                                (_("Stopped at this stage"), stopped),
                                (_("Stage part missed"), missed),
                                (_("Withdrawn"), withdrawn_at.get(position, 0))]})
    return result


def funnel_report(call: Call) -> dict:
    """The funnel of a call, in a fixed number of queries whatever its size.

    "rows" are the call's totals; "stages" the same per stage when the call has several.
    """
    totals, withdrawn_at = _totals(call)
    in_call = Application.call_id == call.id
    shortlisted = _count(select(func.count(ShortlistMark.id)).join(
        Application, Application.id == ShortlistMark.application_id).where(
        in_call, ShortlistMark.outcome == ShortlistOutcome.SHORTLISTED,
        ShortlistMark.told_at.is_not(None)))  # a mark not sent yet can still change
    interviewed = _count(select(func.count(Interview.id)).join(Interview.application).where(
        in_call, Interview.booked_at.is_not(None)))
    # Counts of applications: in French each label agrees with "candidatures".
    rows = [(pgettext("funnel", "Submitted"), totals["submitted"]),
            (pgettext("funnel", "Eligible"), totals["eligible"]),
            (pgettext("funnel", "Shortlisted"), shortlisted),
            (pgettext("funnel", "Interviewed"), interviewed),
            (pgettext("funnel", "Offered"), totals["offered"]),
            (pgettext("funnel", "Accepted"), totals["accepted"]),
            (pgettext("funnel", "Withdrawn"), totals["withdrawn"])]
    stages = stage_funnel(call, totals, withdrawn_at) if call.is_staged else []
    return {"rows": rows, "stages": stages, "largest": max([n for _label, n in rows] + [1])}


def funnel(call: Call) -> list[tuple[str, int]]:
    """How many applications reached each step (a later state counts for earlier steps)."""
    return funnel_report(call)["rows"]


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
    report = funnel_report(call)
    return {"funnel": report["rows"], "funnel_report": report, "stages": stage_times(call),
            "countries": by_country(call), "careers": by_career_stage(call)}
