"""Reads of applications used by views and tasks."""

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from icm_recruit.applications import rules, search
from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    ApplicationTag,
    SavedSearch,
)
from icm_recruit.auth.models import User
from icm_recruit.extensions import db


def applications_by_call_for(user) -> dict[int, Application]:
    """Return the user's applications keyed by call id."""
    rows = db.session.scalars(select(Application).where(rules.made_by(user)))
    return {a.call_id: a for a in rows}


def applications_of(user) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(rules.made_by(user))
        .options(joinedload(Application.call)).order_by(Application.created_at.desc())))


def application_for(call_id: int, user_id: int) -> Application | None:
    return db.session.scalar(select(Application).where(
        Application.call_id == call_id, Application.applicant_id == user_id))


SORTS = {
    "reference": Application.reference, "name": func.lower(User.name),
    "country": Application.country, "status": Application.status,
    "submitted": Application.submitted_at,
}


def filtered_applications(call_id: int, *, conditions=(), status: str = "", country: str = "",
                          keyword: str = "", tag: str = "", sort: str = "", user=None):
    """Return the select() of a call's applications matching HR's search and filters.

    `conditions` come from search.search_conditions; `sort` names a column of SORTS, with a
    leading "-" for the reverse order; newest first by default.
    """
    stmt = (select(Application).join(Application.applicant)
            .where(Application.call_id == call_id, *conditions)
            .options(contains_eager(Application.applicant)))
    if status in {s.value for s in ApplicationStatus}:
        stmt = stmt.where(Application.status == status)
    if country:
        stmt = stmt.where(Application.country == country.upper()[:2])
    if keyword:
        stmt = stmt.where(func.lower(Application.keywords).contains(keyword.lower().strip(),
                                                                    autoescape=True))
    if tag:
        stmt = stmt.where(rules.hr_handles(user), search.has_tag(tag))
    column = SORTS.get(sort.removeprefix("-"))
    if column is None:
        return stmt.order_by(Application.id.desc())
    order = column.desc() if sort.startswith("-") else column.asc()
    return stmt.order_by(order.nulls_last(), Application.id.desc())


def applications_in_call(call_id: int, ids) -> list[Application]:
    """The call's applications among these ids (others are ignored), by id."""
    return list(db.session.scalars(select(Application).where(
        Application.call_id == call_id, Application.id.in_(list(ids)))
        .order_by(Application.id)))


def tags_by_application(application_ids) -> dict[int, list[str]]:
    """The tags of these applications, alphabetically, in one query."""
    tags: dict[int, list[str]] = {}
    if not application_ids:
        return tags
    rows = db.session.execute(
        select(ApplicationTag.application_id, ApplicationTag.tag)
        .where(ApplicationTag.application_id.in_(list(application_ids)))
        .order_by(ApplicationTag.tag))
    for application_id, tag in rows:
        tags.setdefault(application_id, []).append(tag)
    return tags


def tag_choices(call_id: int, user) -> list[str]:
    """The tags used on the call's applications that the user handles as HR."""
    return list(db.session.scalars(
        select(ApplicationTag.tag).join(Application)
        .where(Application.call_id == call_id, rules.hr_handles(user))
        .distinct().order_by(ApplicationTag.tag)))


def saved_searches(call_id: int, user) -> list[SavedSearch]:
    return list(db.session.scalars(
        select(SavedSearch).where(SavedSearch.call_id == call_id,
                                  SavedSearch.user_id == user.id)
        .order_by(func.lower(SavedSearch.name))))


def status_counts(call_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Application.status, func.count()).where(Application.call_id == call_id)
        .group_by(Application.status))
    return {status.value: count for status, count in rows}


def country_choices(call_id: int) -> list[str]:
    return list(db.session.scalars(
        select(Application.country).where(Application.call_id == call_id,
                                          Application.country != "")
        .distinct().order_by(Application.country)))


def timeline(application: Application) -> list[tuple]:
    """Return (when, what) pairs the applicant may see, oldest first, in their language."""
    from icm_recruit.core.audit import AuditEvent
    from icm_recruit.core.i18n import gettext as _

    def label(event) -> str | None:
        data = event.data or {}
        return {
            "application.started": _("Application started"),
            "application.submitted": _("Application submitted"),
            "application.withdrawn": _("Application withdrawn"),
            "application.changed": _("Changes submitted: version %(n)d",
                                     n=data.get("version") or 0),
            "application.screened": (_("Eligibility confirmed: the application goes to review")
                                     if data.get("eligible")
                                     else _("The application was found not eligible")),
            "referee.requested": _("Reference letter requested"),
            "referee.letter_received": _("Reference letter received"),
            "referee.declined": _("A referee declined"),
            "stage.advanced": _("Selected for the next stage: %(name)s",
                                name=application.call.stage_name(data.get("to") or 2)),
            "stage.stopped": _("Not selected for the next stage"),
            "stage.part_sent": _("Your part of the stage “%(name)s” was received",
                                 name=application.call.stage_name(data.get("stage") or 2)),
            "stage.part_missed": _("The deadline of the stage “%(name)s” passed before your "
                                   "part was sent", name=application.call.stage_name(
                                       data.get("stage") or 2)),
            "application.shortlisted": _("Shortlisted for an interview"),
            "application.rejected": _("Not shortlisted"),
            "interview.invited": _("Invited to choose an interview time"),
            "interview.booked": _("Interview booked"),
            "decision.letter_sent": _("Decision letter sent"),
            "decision.offer_answered": _("Your answer to the offer was recorded"),
            "evaluation_report.sent": _("Evaluation report sent"),
        }.get(event.action)

    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "application",
                                 AuditEvent.object_id == str(application.id))
        .order_by(AuditEvent.id))
    return [(event.at, text) for event in events if (text := label(event))]


# ---------------------------------------------------------------- home pages


def status_counts_by_call(call_ids, viewer) -> dict[int, dict[ApplicationStatus, int]]:
    """Applications per status of each call, in one query; HR `viewer`'s own left out."""
    counts: dict[int, dict[ApplicationStatus, int]] = {}
    if not call_ids:
        return counts
    rows = db.session.execute(
        select(Application.call_id, Application.status, func.count())
        .where(Application.call_id.in_(list(call_ids)), rules.hr_handles(viewer))
        .group_by(Application.call_id, Application.status))
    for call_id, status, count in rows:
        counts.setdefault(call_id, {})[status] = count
    return counts


def applications_with_progress_of(user) -> list[Application]:
    """The user's applications with what their checklist reads, newest first (a fixed
    number of queries whatever their number)."""
    return list(db.session.scalars(
        select(Application).where(rules.made_by(user))
        .options(joinedload(Application.call), selectinload(Application.documents),
                 selectinload(Application.referee_requests))
        .order_by(Application.created_at.desc())).unique())
