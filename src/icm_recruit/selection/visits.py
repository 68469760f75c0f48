"""Interview visit planning: HR's time windows, the panel's answers, slots fixed in a window.

A window's panel is the call's board (active members available for the call) less those a
conflict keeps away from a candidate concerned: the window's own candidate, or else every
shortlisted candidate of the call. Conflicts are asked at every read, so a conflict that
appears after an answer takes that member off the window at once. HR fixes a slot in a
window only while every member of its panel has answered yes or "if needed"; the slot is
an ordinary interview slot with that panel, which candidates then book as before.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.assignment.queries import call_board
from icm_recruit.auth.models import User
from icm_recruit.calls.models import Call, database_now
from icm_recruit.core import audit, locks
from icm_recruit.core.forms import has_control_characters
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.extensions import db
from icm_recruit.selection import interviews, rules
from icm_recruit.selection.models import InterviewSlot
from icm_recruit.selection.operations import SelectionError
from icm_recruit.selection.visit_models import (
    Availability,
    VisitAvailability,
    VisitSlot,
    VisitWindow,
)


class VisitError(SelectionError):
    messages = {
        **SelectionError.messages,
        "window_order": _l("The window must end after it starts."),
        "window_in_past": _l("This window has already begun; propose a later one."),
        "window_too_long": _l("A window lasts at most 14 days; propose several."),
        "note_one_line": _l("The note must fit on one line, without invisible characters."),
        "not_a_candidate": _l("%(ref)s is not a shortlisted candidate of this call."),
        "window_fixed": _l("HR has already fixed interview slots in this window: the "
                           "answers for it can no longer be changed."),
        "not_on_panel": _l("You are not on the panel of this window."),
        "outside_window": _l("The slot must start and end within the window."),
        "panel_missing": _l("Not every panel member is free in this window. Missing: "
                            "%(names)s."),
        "slot_exists": _l("A slot is already offered at this time in this place; change it "
                          "on the interview slots page or choose another time."),
        "empty_panel": _l("Nobody on the board can sit on this window’s panel."),
    }


MAX_WINDOW_DAYS = 14


@dataclass
class WindowPlan:
    """One window as HR's planning page shows it: the panel's answers, sorted out."""

    window: VisitWindow
    panel: list[User]
    free: list[User] = field(default_factory=list)
    if_needed: list[User] = field(default_factory=list)
    unavailable: list[User] = field(default_factory=list)
    unanswered: list[User] = field(default_factory=list)
    kept_away: int = 0
    slots: list[InterviewSlot] = field(default_factory=list)

    @property
    def missing(self) -> list[User]:
        return self.unavailable + self.unanswered

    @property
    def can_fix(self) -> bool:
        return bool(self.panel) and not self.missing


# ---------------------------------------------------------------- reads


def board_of(call: Call, user_id: int | None = None) -> list[User]:
    """The call's board: active members who hold themselves available for the call (with
    `user_id`, that person alone if they are one of them)."""
    return [seat.member.user for seat in call_board(call, user_id) if seat.available]


def shortlisted_candidates(call_id: int, *, with_names: bool = False) -> list[Application]:
    """The call's candidates for a visit; `with_names` reads their applicants in the same
    query (for a list that names them)."""
    query = (select(Application).where(Application.call_id == call_id,
                                       Application.status.in_(ApplicationStatus.interviewable))
             .order_by(Application.reference))
    if with_names:
        query = query.options(joinedload(Application.applicant))
    return list(db.session.scalars(query))


def concerned_candidates(window: VisitWindow) -> list[Application]:
    """The candidates whose visits the window is for."""
    if window.application_id is not None:
        return [window.application]
    return shortlisted_candidates(window.call_id)


def window_panel(window: VisitWindow, board: list[User] | None = None) -> list[User]:
    """The members who would sit on the window's panel (no conflict with a candidate)."""
    board = board_of(window.call) if board is None else board
    kept = rules.kept_from_visits([u.id for u in board], concerned_candidates(window))
    return [u for u in board if u.id not in kept]


def windows_of(call_id: int) -> list[VisitWindow]:
    """The call's windows, each with the candidate it is for (and their name) if any."""
    return list(db.session.scalars(
        select(VisitWindow).where(VisitWindow.call_id == call_id)
        .options(joinedload(VisitWindow.application).joinedload(Application.applicant))
        .order_by(VisitWindow.starts_at, VisitWindow.id)).unique())


def planning(call: Call) -> list[WindowPlan]:
    """Every window of the call with who is free, only if needed, not free, silent."""
    board = board_of(call)
    slots = db.session.execute(
        select(VisitSlot.window_id, InterviewSlot)
        .join(InterviewSlot, InterviewSlot.id == VisitSlot.slot_id)
        .where(InterviewSlot.call_id == call.id, InterviewSlot.withdrawn_at.is_(None))
        .order_by(InterviewSlot.starts_at))
    by_window: dict[int, list[InterviewSlot]] = {}
    for window_id, slot in slots:
        by_window.setdefault(window_id, []).append(slot)
    plans = []
    for window in windows_of(call.id):
        panel = window_panel(window, board)
        plan = WindowPlan(window, panel, kept_away=len(board) - len(panel),
                          slots=by_window.get(window.id, []))
        for user in panel:
            answer = window.answer_of(user.id)
            {Availability.YES: plan.free, Availability.IF_NEEDED: plan.if_needed,
             Availability.NO: plan.unavailable, None: plan.unanswered}[answer].append(user)
        plans.append(plan)
    return plans


def plan_of(window: VisitWindow) -> WindowPlan:
    return next(p for p in planning(window.call) if p.window.id == window.id)


def member_windows(user, now: datetime | None = None) -> list[tuple[VisitWindow, bool]]:
    """Windows still to come whose panel the user sits on, each with whether it is fixed."""
    now = now or database_now()
    windows = db.session.scalars(select(VisitWindow).where(VisitWindow.ends_at > now)
                                 .order_by(VisitWindow.starts_at, VisitWindow.id)).all()
    # Only the user's own place on each panel is asked (never the whole board); windows of
    # one call for the same candidates share their panel: computed once.
    boards: dict[int, list[User]] = {}
    panels: dict[tuple[int, int | None], set[int]] = {}
    found = []
    for window in windows:
        key = (window.call_id, window.application_id)
        if window.call_id not in boards:
            boards[window.call_id] = board_of(window.call, user.id)
        if key not in panels:
            panels[key] = {u.id for u in window_panel(window, boards[window.call_id])}
        if rules.may_answer_window(user, panels[key]):
            found.append((window, window.is_fixed))
    return found


def unanswered_count(user) -> int:
    """Open windows the member has not answered yet (for their home page)."""
    return sum(1 for window, fixed in member_windows(user)
               if not fixed and window.answer_of(user.id) is None)


# ---------------------------------------------------------------- changes


def check_window(call: Call, starts_at: datetime, ends_at: datetime, note: str,
                  application: Application | None, by) -> None:
    if not rules.may_plan_visits(by, call):
        raise VisitError("forbidden")
    if ends_at <= starts_at:
        raise VisitError("window_order")
    if starts_at <= database_now():
        raise VisitError("window_in_past")
    if (ends_at - starts_at).days >= MAX_WINDOW_DAYS:
        raise VisitError("window_too_long")
    if has_control_characters(note) or "\n" in note or "\r" in note:
        raise VisitError("note_one_line")
    if application is not None:
        if not rules.may_plan_visit_of(by, application):
            raise VisitError("forbidden")
        if (application.call_id != call.id
                or application.status not in ApplicationStatus.interviewable):
            raise VisitError("not_a_candidate", reference=application.reference)


def propose_window(call: Call, *, starts_at: datetime, ends_at: datetime, note: str = "",
                   application: Application | None = None, by) -> VisitWindow:
    """Offer the panel a time in which the call's interview visits could take place."""
    note = (note or "").strip()
    check_window(call, starts_at, ends_at, note, application, by)
    locks.lock(Call, call.id)
    # The same window sent twice (a double click) finds the one the first request made.
    same = db.session.scalar(select(VisitWindow).where(
        VisitWindow.call_id == call.id, VisitWindow.starts_at == starts_at,
        VisitWindow.ends_at == ends_at,
        (VisitWindow.application_id == application.id) if application
        else VisitWindow.application_id.is_(None)).limit(1))
    if same is not None:
        return same
    window = VisitWindow(call_id=call.id, starts_at=starts_at, ends_at=ends_at, note=note,
                         application_id=application.id if application else None,
                         created_by_id=by.id)
    db.session.add(window)
    db.session.flush()
    audit.record("visit_window.proposed", actor=by, obj=window, call_id=call.id,
                 starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat(),
                 application_id=window.application_id)
    return window


def lock_window(window_id: int) -> VisitWindow:
    return locks.lock(VisitWindow, window_id)


def save_availability(user, answers: dict[int, Availability], *, by) -> int:
    """Record a member's answers for these windows; return how many changed.

    Each window's row is locked first, so an answer and HR fixing a slot in the same
    window cannot cross: whichever comes second sees the other.
    """
    if by.id != user.id:
        raise VisitError("forbidden")
    changed = 0
    for window_id in sorted(answers):
        window = lock_window(window_id)
        if not rules.may_answer_window(user, {u.id for u in window_panel(window)}):
            raise VisitError("not_on_panel")
        answer = answers[window_id]
        row = next((a for a in window.answers if a.user_id == user.id), None)
        if row is not None and row.answer == answer:
            continue
        if window.is_fixed:
            raise VisitError("window_fixed")
        if row is None:
            window.answers.append(VisitAvailability(user_id=user.id, answer=answer))
        else:
            row.answer = answer
        changed += 1
        db.session.flush()
        audit.record("visit_window.answered", actor=by, obj=window, answer=answer.value)
    return changed


def check_fix(window: VisitWindow, starts_at: datetime, duration: int, location: str,
              video_url: str, *, by) -> WindowPlan:
    """Refuse a slot outside the window or while a member of its panel is not free."""
    if not rules.may_see_window(by, window):
        raise VisitError("forbidden")
    plan = plan_of(window)
    if starts_at < window.starts_at or starts_at + timedelta(minutes=duration) > window.ends_at:
        raise VisitError("outside_window")
    if not plan.panel:
        raise VisitError("empty_panel")
    if plan.missing:
        raise VisitError("panel_missing", names=", ".join(u.name for u in plan.missing))
    interviews.check_slot_fields(starts_at, duration, location, video_url,
                                 [u.id for u in plan.panel])
    return plan


def fix_slot(window: VisitWindow, *, starts_at: datetime, duration: int, location: str,
             video_url: str, by) -> InterviewSlot:
    """Make an interview slot in the window, its panel the window's whole panel.

    Refused unless every member of the panel said yes or "if needed". A window for one
    candidate books the slot for them at once (invitations go out as for any booking).
    """
    window = lock_window(window.id)
    plan = check_fix(window, starts_at, duration, location, video_url, by=by)
    slot = interviews.create_slot(window.call, starts_at=starts_at, duration=duration,
                                  location=location, video_url=video_url,
                                  panel_ids=[u.id for u in plan.panel], by=by)
    link = db.session.get(VisitSlot, slot.id)
    if slot.panel_ids != {u.id for u in plan.panel} or (
            link is not None and link.window_id != window.id):
        # create_slot handed back a slot offered before at this time and place.
        raise VisitError("slot_exists")
    if link is None:  # else the same slot, sent twice
        db.session.add(VisitSlot(slot_id=slot.id, window_id=window.id))
    window.fixed_at = window.fixed_at or database_now()
    db.session.flush()
    audit.record("visit_window.slot_fixed", actor=by, obj=window, slot_id=slot.id,
                 starts_at=starts_at.isoformat(), panel=sorted(u.id for u in plan.panel))
    if window.application is not None:
        interviews.book(window.application, slot.id, by=by)
    return slot
