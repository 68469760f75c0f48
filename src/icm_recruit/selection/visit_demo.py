"""Demo data of the interview visits: two candidates of the call in selection shortlisted,
the chair allowed to plan visits and record decisions, two visit windows with the panel's
answers (one complete, with a slot fixed and booked and its programme; one still missing
an answer). Idempotent."""

from datetime import datetime, timedelta

from sqlalchemy import select

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.auth.models import User
from icm_recruit.calls.models import call_by_slug
from icm_recruit.core import audit
from icm_recruit.core.timeutil import paris_to_utc, to_zone, utcnow
from icm_recruit.extensions import db
from icm_recruit.selection import interviews, visit_parts, visits
from icm_recruit.selection.models import ShortlistMark, ShortlistOutcome
from icm_recruit.selection.visit_models import Availability, VisitPartKind, VisitWindow

SHORTLISTED = ["applicant1@demo.icm-recruit.org", "sofia.garcia@demo.icm-recruit.org"]


def _paris_day(days: int, hour: int, minute: int = 0) -> datetime:
    day = to_zone(utcnow() + timedelta(days=days)).date()
    return paris_to_utc(datetime(day.year, day.month, day.day, hour, minute))


def _shortlist(call_id: int, hr: User) -> list[Application]:
    """Shortlist the demo's two candidates as the shortlist leaves them once the outcomes
    are sent: the status and a mark that says so, told (the funnel and the shortlist page
    count the marks)."""
    found = []
    for email in SHORTLISTED:
        user = User.by_email(email)
        application = user and db.session.scalar(select(Application).where(
            Application.call_id == call_id, application_rules.made_by(user)))
        if application is not None:
            if application.status != ApplicationStatus.SHORTLISTED:
                audit.record("application.shortlisted", actor=hr, obj=application,
                             via="seed-demo")
            application.status = ApplicationStatus.SHORTLISTED
            mark = db.session.scalar(select(ShortlistMark).where(
                ShortlistMark.application_id == application.id))
            if mark is None:
                mark = ShortlistMark(application_id=application.id)
                db.session.add(mark)
            mark.outcome, mark.marked_by_id = ShortlistOutcome.SHORTLISTED, hr.id
            mark.reason = mark.reason or "Strong reviews; invited for a visit."
            mark.told_at = mark.told_at or utcnow()
            found.append(application)
    db.session.flush()
    return found


def _answer_all(window: VisitWindow, *, except_last_with: Availability | None = None) -> None:
    panel = visits.window_panel(window)
    for index, member in enumerate(panel):
        answer = Availability.IF_NEEDED if index == 1 else Availability.YES
        if except_last_with is not None and index == len(panel) - 1:
            answer = except_last_with
        visits.save_availability(member, {window.id: answer}, by=member)


def _programme(slot, hr) -> None:
    day = to_zone(slot.starts_at).date()
    for kind, hour, minute, duration, place, details in (
            (VisitPartKind.SEMINAR, 10, 0, 60, "Amphithéâtre Charcot", "Open to the institute"),
            (VisitPartKind.CHALK_TALK, 11, 30, 45, "Salle du conseil, bâtiment A", ""),
            (VisitPartKind.LAB_VISIT, 15, 30, 90, "Plateforme d’imagerie, niveau -1", "")):
        starts_at = paris_to_utc(datetime(day.year, day.month, day.day, hour, minute))
        visit_parts.add_part(slot, kind=kind, starts_at=starts_at, duration=duration,
                             place=place, details=details, by=hr)


def seed_visits(call_slug: str, admin_email: str) -> list[str]:
    """Plan the demo visits once; return the lines to print."""
    call, hr = call_by_slug(call_slug), User.by_email(admin_email)
    if call is None or hr is None:
        return []
    line = f"Interview visit planning (windows, answers, a visit programme): " \
           f"/selection/calls/{call.id}/visits"
    if db.session.scalar(select(VisitWindow.id).where(VisitWindow.call_id == call.id)):
        return [line]
    call.chair_runs_selection = True
    candidates = _shortlist(call.id, hr)
    if len(candidates) < 2:
        return []
    ready = visits.propose_window(call, starts_at=_paris_day(14, 9), ends_at=_paris_day(14, 18),
                                  note="Seminar in the morning, lab visits after lunch", by=hr)
    _answer_all(ready)
    slot = visits.fix_slot(ready, starts_at=_paris_day(14, 14), duration=60,
                           location="Salle du conseil, bâtiment A", video_url="", by=hr)
    _programme(slot, hr)
    interviews.book(candidates[0], slot.id, by=hr)
    waiting = visits.propose_window(call, starts_at=_paris_day(21, 9), ends_at=_paris_day(21, 18),
                                    note="Second visit day", application=candidates[1], by=hr)
    _answer_all(waiting, except_last_with=Availability.NO)
    db.session.commit()
    return [line]
