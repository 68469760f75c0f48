"""HR moves or withdraws a visit window that has no slot fixed in it yet.

Moving its times clears the answers given for the former times (a member free on Monday
is not known to be free on Tuesday) and tells those members, who answer again; changing
only the note keeps them. Withdrawing removes the window and its answers and tells the
members who had answered. A window with slots fixed in it stays as it is: its slots are
changed or withdrawn on the interview slots page.
"""

from datetime import datetime

from icm_recruit.auth.models import User
from icm_recruit.core import audit
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db
from icm_recruit.selection import rules, visits
from icm_recruit.selection.visit_models import VisitWindow


class WindowChangeError(visits.VisitError):
    messages = {
        **visits.VisitError.messages,
        "fixed_window": _l("Interview slots were fixed in this window: change or withdraw "
                           "them on the interview slots page instead."),
    }


def _checked(window: VisitWindow, by) -> VisitWindow:
    window = visits.lock_window(window.id)
    if not rules.may_see_window(by, window):
        raise WindowChangeError("forbidden")
    if window.is_fixed:
        raise WindowChangeError("fixed_window")
    return window


def answered_members(window: VisitWindow) -> list[User]:
    ids = [a.user_id for a in window.answers]
    if not ids:
        return []
    return list(db.session.scalars(db.select(User).where(User.id.in_(ids)).order_by(User.name)))


def _tell(window: VisitWindow, members: list[User], kind: str, was: tuple, event_id) -> None:
    call = window.call
    for member in members:
        queue_mail(to=member.email, user=member, template="selection_visit_window_changed",
                   locale=member.locale, key=f"visit-window:{window.id}:{event_id}:{member.id}",
                   context={"name": member.name, "kind": kind, "call_title_en": call.title_en,
                            "call_title_fr": call.title_fr,
                            "was_starts_at": was[0].isoformat(),
                            "was_ends_at": was[1].isoformat(),
                            "starts_at": window.starts_at.isoformat(),
                            "ends_at": window.ends_at.isoformat(), "zone": member.timezone,
                            "url": external_url("interviews.visit_availability")})


def change_window(window: VisitWindow, *, starts_at: datetime, ends_at: datetime, note: str,
                  by) -> int:
    """Move the window or change its note; return how many answers were cleared."""
    window = _checked(window, by)
    note = (note or "").strip()
    visits.check_window(window.call, starts_at, ends_at, note, window.application, by)
    was = (window.starts_at, window.ends_at)
    moved = was != (starts_at, ends_at)
    told = answered_members(window) if moved else []
    if moved:
        window.answers.clear()
    window.starts_at, window.ends_at, window.note = starts_at, ends_at, note
    db.session.flush()
    event = audit.record("visit_window.changed", actor=by, obj=window,
                         was_starts_at=was[0].isoformat(), was_ends_at=was[1].isoformat(),
                         starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat(),
                         answers_cleared=len(told))
    _tell(window, told, "changed", was, event.id)
    return len(told)


def withdraw_window(window: VisitWindow, *, by) -> int:
    """Remove the window and its answers; return how many members who answered are told."""
    window = _checked(window, by)
    told = answered_members(window)
    was = (window.starts_at, window.ends_at)
    audit.record("visit_window.withdrawn", actor=by, obj=window, call_id=window.call_id,
                 starts_at=was[0].isoformat(), ends_at=was[1].isoformat(),
                 members_told=len(told))
    _tell(window, told, "withdrawn", was, "withdrawn")
    db.session.delete(window)
    db.session.flush()
    return len(told)
