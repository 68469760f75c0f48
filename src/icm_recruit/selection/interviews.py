"""Interview slots, booking, calendar invitations, panel scores and reminders.

Booking locks the slot's row, and the interview table holds each slot at most once
(unique slot_id), so two applicants clicking the same slot at the same moment get one
booking and one clear refusal.
"""

from datetime import datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.board import rules as board_rules
from icm_recruit.calls.models import Call, database_now
from icm_recruit.core import audit, locks
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.timeutil import to_zone
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db
from icm_recruit.selection import ics, rules
from icm_recruit.selection.models import (
    Interview,
    InterviewPanelist,
    InterviewScore,
    InterviewSlot,
    InterviewStatus,
)
from icm_recruit.selection.operations import SelectionError, call_context, lock
from icm_recruit.selection.visit_models import ICS_WORDS, VisitPart

BOARD_ROLES = (Role.REVIEWER, Role.CHAIR)


def _require_hr(by) -> None:
    if not by.has_role(Role.ADMIN):
        raise SelectionError("forbidden")


def conflicted_panelists(panel_ids, application: Application) -> list[User]:
    """Return the panel members who may not meet this applicant (conflict or own file)."""
    blocked = rules.kept_from_panel(panel_ids, application)
    if not blocked:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(blocked))))


def _board_members(user_ids) -> list[User]:
    users = list(db.session.scalars(select(User).where(User.id.in_(list(user_ids or [])))))
    if len(users) != len(set(user_ids or [])) or not all(
            u.active and u.has_role(*BOARD_ROLES) for u in users):
        raise SelectionError("not_board_member")
    return users


def check_slot_fields(starts_at: datetime, duration: int, location: str, video_url: str,
                       panel_ids) -> None:
    if not (location or "").strip() and not (video_url or "").strip():
        raise SelectionError("place_needed")
    if not panel_ids:
        raise SelectionError("panel_needed")
    if starts_at <= database_now():
        raise SelectionError("slot_in_past")
    if not 0 < duration <= 480:
        raise SelectionError("bad_duration")
    # Both go into the invitation's .ics and mail as one line each.
    if any(ch.isspace() and ch != " " or ord(ch) < 32 for ch in (location or "").strip()) \
            or any(ch.isspace() or ord(ch) < 32 for ch in (video_url or "").strip()):
        raise SelectionError("one_line_place")


def create_slot(call: Call, *, starts_at: datetime, duration: int, location: str,
                video_url: str, panel_ids, by) -> InterviewSlot:
    """Offer an interview time for the call, with its place and panel.

    A room holds one interview at a time: the same start in the same place (or on the
    same video link) is the slot already offered, sent twice, and is returned as it is.
    """
    _require_hr(by)
    check_slot_fields(starts_at, duration, location, video_url, panel_ids)
    locks.lock(Call, call.id)
    same = _same_open_slot(call, starts_at, location.strip(), video_url.strip())
    if same is not None:
        return same
    slot = InterviewSlot(call_id=call.id, starts_at=starts_at, duration_minutes=duration,
                         location=location.strip(), video_url=video_url.strip(),
                         created_by_id=by.id)
    slot.panelists = [InterviewPanelist(user_id=u.id) for u in _board_members(panel_ids)]
    db.session.add(slot)
    db.session.flush()
    audit.record("interview_slot.created", actor=by, obj=slot, call_id=call.id,
                 starts_at=starts_at.isoformat(), panel=sorted(slot.panel_ids))
    return slot


def _same_open_slot(call: Call, starts_at: datetime, location: str,
                    video_url: str) -> InterviewSlot | None:
    return db.session.scalar(select(InterviewSlot).where(
        InterviewSlot.call_id == call.id, InterviewSlot.starts_at == starts_at,
        InterviewSlot.location == location, InterviewSlot.video_url == video_url,
        InterviewSlot.withdrawn_at.is_(None)).limit(1))


def _lock_slot(slot_id: int) -> InterviewSlot:
    return db.session.scalars(
        select(InterviewSlot).where(InterviewSlot.id == slot_id).with_for_update()
        .execution_options(populate_existing=True)).one()


def _require_slot_handler(by, interview: Interview | None) -> None:
    if interview is not None and application_rules.is_applicant(by, interview.application):
        raise SelectionError("own_application")
    if not rules.may_handle_slot(by, interview):
        raise SelectionError("forbidden")


def booked_interview(slot: InterviewSlot) -> Interview | None:
    return db.session.scalar(select(Interview).where(Interview.slot_id == slot.id))


def update_slot(slot: InterviewSlot, *, starts_at: datetime, duration: int, location: str,
                video_url: str, panel_ids, by) -> InterviewSlot:
    """Change a slot; a booked one sends an updated invitation (and cancels for those removed)."""
    _require_hr(by)
    slot = _lock_slot(slot.id)
    if slot.withdrawn_at is not None:
        raise SelectionError("slot_withdrawn")
    interview = booked_interview(slot)
    _require_slot_handler(by, interview)
    check_slot_fields(starts_at, duration, location, video_url, panel_ids)
    members = _board_members(panel_ids)
    if interview is not None:
        bad = conflicted_panelists([u.id for u in members], interview.application)
        if bad:
            raise SelectionError("panel_conflict", names=", ".join(u.name for u in bad))
    removed = [p.user for p in slot.panelists
               if p.seated and p.user_id not in {u.id for u in members}]
    slot.starts_at, slot.duration_minutes = starts_at, duration
    slot.location, slot.video_url = location.strip(), video_url.strip()
    slot.panelists = [p for p in slot.panelists if p.user_id in {u.id for u in members}]
    slot.panelists += [InterviewPanelist(user_id=u.id) for u in members
                       if u.id not in slot.panel_ids]
    db.session.flush()
    db.session.refresh(slot)
    audit.record("interview_slot.changed", actor=by, obj=slot, starts_at=starts_at.isoformat(),
                 panel=sorted(slot.panel_ids))
    if interview is not None:
        interview.sequence += 1
        db.session.flush()
        send_calendar(interview, slot, ics.Method.REQUEST, "update")
        if removed:
            send_calendar(interview, slot, ics.Method.CANCEL, "cancel", only=removed)
    return slot


def withdraw_slot(slot: InterviewSlot, *, by) -> None:
    """Stop offering a slot; an interview booked on it is cancelled and its applicant told."""
    _require_hr(by)
    slot = _lock_slot(slot.id)
    interview = booked_interview(slot)
    _require_slot_handler(by, interview)
    if interview is not None:
        cancel_interview(interview, by=by)
    slot.withdrawn_at = database_now()
    db.session.flush()
    audit.record("interview_slot.withdrawn", actor=by, obj=slot)


def invite_to_book(call: Call, *, by) -> int:
    """Ask every shortlisted applicant of the call without an interview to pick a slot.

    The call's row is locked first: a second run at the same moment finds them invited.
    """
    _require_hr(by)
    locks.lock(Call, call.id)
    waiting = db.session.scalars(
        select(Application).where(
            Application.call_id == call.id,
            Application.status == ApplicationStatus.SHORTLISTED,
            ~exists().where(Interview.application_id == Application.id))
        .order_by(Application.id)).all()
    for application in waiting:
        interview = Interview(application_id=application.id, status=InterviewStatus.INVITED,
                              invited_at=database_now())
        db.session.add(interview)
        db.session.flush()
        audit.record("interview.invited", actor=by, obj=application)
        applicant = application.applicant
        queue_mail(to=applicant.email, user=applicant, template="selection_book_interview",
                   locale=applicant.locale, key=f"interview-booking-invite:{application.id}",
                   context={**call_context(application),
                            "url": external_url("interviews.book",
                                                application_id=application.id)})
    return len(waiting)


def open_slots_for(application: Application) -> list[InterviewSlot]:
    """Future, free slots of the call whose panel has no conflict with this application."""
    stmt = (select(InterviewSlot).where(
        InterviewSlot.call_id == application.call_id, InterviewSlot.withdrawn_at.is_(None),
        InterviewSlot.starts_at > database_now(),
        ~exists().where(Interview.slot_id == InterviewSlot.id),
        ~exists().where(InterviewPanelist.slot_id == InterviewSlot.id,
                        InterviewPanelist.withdrawn_at.is_(None),
                        InterviewPanelist.user_id.in_(
                            board_rules.conflicted_user_ids(application))))
        .order_by(InterviewSlot.starts_at))
    return list(db.session.scalars(stmt))


def book(application: Application, slot_id: int, *, by) -> Interview:
    """Give the application the slot: by its applicant (when invited) or by HR (any time),
    or by the chair fixing a slot for the candidate where the call lets them."""
    application = lock(application)
    by_hr = rules.may_run_selection_on(by, application)
    if not (application_rules.is_applicant(by, application) or by_hr):
        raise SelectionError("forbidden")
    interview = db.session.scalar(select(Interview).where(
        Interview.application_id == application.id).with_for_update())
    if interview is None and not by_hr:
        raise SelectionError("not_invited")
    if not by_hr and interview.status is InterviewStatus.BOOKED:
        raise SelectionError("already_booked")
    if application.status not in ApplicationStatus.interviewable:
        raise SelectionError("not_shortlisted", reference=application.reference)
    slot = _lock_slot(slot_id)
    if slot.call_id != application.call_id or slot.withdrawn_at is not None:
        raise SelectionError("slot_unavailable")
    holder = booked_interview(slot)
    if holder is not None and holder.application_id != application.id:
        raise SelectionError("slot_taken")
    if holder is not None:
        return holder
    if slot.starts_at <= database_now():
        raise SelectionError("slot_in_past")
    bad = conflicted_panelists(slot.panel_ids, application)
    if bad:
        raise SelectionError("panel_conflict", names=", ".join(u.name for u in bad))
    return _place(application, interview, slot, by)


def _place(application, interview, slot, by) -> Interview:
    previous = interview.slot if interview is not None else None
    if interview is None:
        interview = Interview(application_id=application.id)
        db.session.add(interview)
    elif interview.booked_at is not None:
        interview.sequence += 1  # an update of the calendar entry sent before
    interview.slot_id, interview.status = slot.id, InterviewStatus.BOOKED
    interview.booked_at, interview.booked_by_id = database_now(), by.id
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # another transaction took the slot first
        raise SelectionError("slot_taken") from exc
    application.status = ApplicationStatus.INTERVIEW
    db.session.flush()
    db.session.refresh(interview)
    audit.record("interview.booked", actor=by, obj=application, slot_id=slot.id,
                 starts_at=slot.starts_at.isoformat(), sequence=interview.sequence,
                 moved_from=previous.id if previous else None)
    if previous is not None and previous.panel_ids - slot.panel_ids:
        send_calendar(interview, slot, ics.Method.CANCEL, "cancel",
                      only=[u for u in previous.panel if u.id not in slot.panel_ids])
    send_calendar(interview, slot, ics.Method.REQUEST,
                  "update" if interview.sequence else "invite")
    return interview


def cancel_interview(interview: Interview, *, by) -> None:
    """Free the slot, send the cancellation and put the applicant back on the shortlist."""
    application = lock(interview.application)
    if not rules.is_hr_for(by, application):
        raise SelectionError("forbidden")
    interview = db.session.scalars(select(Interview).where(Interview.id == interview.id)
                                   .with_for_update()
                                   .execution_options(populate_existing=True)).one()
    if interview.status is not InterviewStatus.BOOKED:
        raise SelectionError("not_booked")
    slot = interview.slot
    interview.sequence += 1
    interview.slot_id, interview.status = None, InterviewStatus.CANCELLED
    if application.status == ApplicationStatus.INTERVIEW:
        application.status = ApplicationStatus.SHORTLISTED
    db.session.flush()
    audit.record("interview.cancelled", actor=by, obj=application, slot_id=slot.id,
                 sequence=interview.sequence)
    send_calendar(interview, slot, ics.Method.CANCEL, "cancel")


def _domain() -> str:
    return urlsplit(current_app.config["SERVER_NAME_FOR_MAIL"]).hostname or "icm-recruit"


def programme(slot: InterviewSlot) -> str:
    """The visit's parts as lines of the calendar entry, in Paris time (both languages)."""
    parts = db.session.scalars(select(VisitPart).where(VisitPart.slot_id == slot.id)
                               .order_by(VisitPart.starts_at, VisitPart.id)).all()
    if not parts:
        return ""
    lines = ["Programme (Europe/Paris):"]
    for part in parts:
        start, end = to_zone(part.starts_at), to_zone(part.ends_at)
        words = [f"{start:%d/%m/%Y %H:%M}–{end:%H:%M}", ICS_WORDS[part.kind], part.place]
        lines.append(" · ".join(w for w in [*words, part.details] if w))
    return "\n".join(lines)


def visit_parts_for(slot: InterviewSlot, locale: str) -> list[dict]:
    """The visit's parts for one person's mail: times kept in UTC (the mail shows them in
    the person's zone), what each part is in the person's language."""
    parts = db.session.scalars(select(VisitPart).where(VisitPart.slot_id == slot.id)
                               .order_by(VisitPart.starts_at, VisitPart.id)).all()
    with force_locale(locale if locale in ("en", "fr") else "en"):
        return [{"label": str(part.kind.label), "starts_at": part.starts_at.isoformat(),
                 "ends_at": part.ends_at.isoformat(), "place": part.place,
                 "details": part.details} for part in parts]


def calendar_event(interview: Interview, slot: InterviewSlot) -> ics.Interview:
    application = interview.application
    _, sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    applicant = application.applicant
    return ics.Interview(
        uid=ics.interview_uid(interview.id, _domain()), sequence=interview.sequence,
        starts_at=slot.starts_at, ends_at=slot.ends_at,
        summary=f"Interview / Entretien {application.reference} · ICM",
        organizer=ics.Person(sender or "recruitment@icm-institute.org", "ICM Recruitment"),
        attendees=[ics.Person(applicant.email, applicant.name)]
        + [ics.Person(u.email, u.name) for u in slot.panel],
        location=slot.location, url=slot.video_url,
        description="\n\n".join(
            t for t in (f"{application.reference}: {application.call.title_en}",
                        programme(slot)) if t))


def send_calendar(interview: Interview, slot: InterviewSlot, method: ics.Method, kind: str,
                  only: list[User] | None = None) -> None:
    """Mail the applicant and the panel (or `only` these people) the .ics of the interview."""
    event = calendar_event(interview, slot)
    body = (ics.invitation(event) if method is ics.Method.REQUEST
            else ics.cancellation(event)).decode()
    application = interview.application
    people = only if only is not None else [application.applicant, *slot.panel]
    for person in people:
        role = "applicant" if application_rules.is_applicant(person, application) else "panel"
        queue_mail(
            to=person.email, user=person, template="selection_interview", locale=person.locale,
            key=f"interview:{interview.id}:s{interview.sequence}:{kind}:{person.id}",
            attachments=[{"filename": "interview.ics", "mimetype": "text/calendar",
                          "content": body}],
            context={**call_context(application), "name": person.name, "kind": kind,
                     "role": role, "starts_at": slot.starts_at.isoformat(),
                     "duration": slot.duration_minutes, "location": slot.location,
                     "video_url": slot.video_url, "zone": person.timezone,
                     "parts": [] if method is not ics.Method.REQUEST
                     else visit_parts_for(slot, person.locale),
                     "url": external_url("interviews.book", application_id=application.id)
                     if role == "applicant" else external_url("interviews.panel_home")})


def save_scores(interview: Interview, scores: dict[int, int], comment: str, *,
                by) -> None:
    """Store a panel member's interview scores on the call's criteria.

    The interview's row is locked first, and the member's scores read after it: a second
    save sent at the same moment updates the rows the first one wrote.
    """
    interview = locks.lock(Interview, interview.id)
    if interview.status is not InterviewStatus.BOOKED or not rules.can_sit_on_panel(
            by.id, interview):
        raise SelectionError("forbidden")
    if not rules.may_score(by.id, interview, database_now()):
        raise SelectionError("not_started")
    criteria = {c.id: c for c in interview.application.call.criteria}
    if set(scores) != set(criteria):
        raise SelectionError("scores_incomplete")
    for criterion_id, value in scores.items():
        criterion = criteria[criterion_id]
        if value is None or not criterion.scale_min <= value <= criterion.scale_max:
            raise SelectionError("score_out_of_scale")
    existing = {s.criterion_id: s for s in db.session.scalars(select(InterviewScore).where(
        InterviewScore.interview_id == interview.id, InterviewScore.panelist_id == by.id))}
    for criterion_id, value in scores.items():
        row = existing.get(criterion_id)
        if row is None:
            row = InterviewScore(interview_id=interview.id, panelist_id=by.id,
                                 criterion_id=criterion_id)
            db.session.add(row)
        row.score, row.comment = value, (comment or "").strip()[:4000]
    db.session.flush()
    audit.record("interview.scored", actor=by, obj=interview.application,
                 scores={str(k): v for k, v in scores.items()})


def send_reminders(now: datetime | None = None) -> int:
    """Remind applicant and panel of interviews in the next 24 hours; once per start time."""
    now = now or database_now()
    due = db.session.scalars(
        select(Interview).join(InterviewSlot, Interview.slot_id == InterviewSlot.id)
        .where(Interview.status == InterviewStatus.BOOKED,
               InterviewSlot.starts_at > now,
               InterviewSlot.starts_at <= now + timedelta(hours=24))
        .with_for_update(of=Interview, skip_locked=True)).all()
    count = 0
    for interview in due:
        slot = interview.slot
        if interview.reminded_for == slot.starts_at:
            continue
        application = interview.application
        panel = [u for u in slot.panel if rules.can_sit_on_panel(u.id, interview)]
        for person in [application.applicant, *panel]:
            queue_mail(
                to=person.email, user=person, template="selection_interview_reminder",
                locale=person.locale,
                key=f"interview-reminder:{interview.id}:{slot.starts_at.isoformat()}:{person.id}",
                context={**call_context(application), "name": person.name,
                         "starts_at": slot.starts_at.isoformat(), "zone": person.timezone,
                         "location": slot.location, "video_url": slot.video_url,
                         "duration": slot.duration_minutes})
        interview.reminded_for = slot.starts_at
        count += 1
    db.session.flush()
    return count
