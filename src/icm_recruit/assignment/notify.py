"""Tell members about their assignments: one e-mail per member and publication.

Members who chose a daily summary get theirs from the beat task instead.
"""

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from icm_recruit.applications.models import Application
from icm_recruit.assignment import rules as assignment_rules
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.board.models import BoardMember, DigestPreference
from icm_recruit.calls.models import Call
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.timeutil import to_zone
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db


def _items(assignments: list[Assignment]) -> list[dict]:
    return [{"reference": a.application.reference, "title": a.application.title,
             "due_at": a.due_at.isoformat() if a.due_at else ""}
            for a in sorted(assignments, key=lambda a: a.application.reference or "")]


def _visible(user, assignments: list[Assignment]) -> list[Assignment]:
    """Keep only what the access rules let this member see (a last check before mailing)."""
    ids = set(db.session.scalars(assignment_rules.visible_applications(user).with_only_columns(
        Application.id).where(Application.id.in_([a.application_id for a in assignments]))))
    return [a for a in assignments if a.application_id in ids]


def _send(user, call: Call, assignments: list[Assignment], key: str) -> None:
    assignments = _visible(user, assignments)
    if not assignments:
        return
    queue_mail(to=user.email, user=user, template="board_assignments", locale=user.locale,
               key=key, context={
                   "name": user.name, "call_title_en": call.title_en,
                   "call_title_fr": call.title_fr, "assignments": _items(assignments),
                   "url": external_url("assignment.mine")})


def _digest_preferences(user_ids) -> dict[int, DigestPreference]:
    rows = db.session.execute(select(BoardMember.user_id, BoardMember.digest)
                              .where(BoardMember.user_id.in_(list(user_ids))))
    return dict(rows.all())


def notify_published(call: Call, assignments: list[Assignment]) -> None:
    """Queue one e-mail per member listing the assignments just published for them."""
    by_member: dict[int, list[Assignment]] = {}
    for assignment in assignments:
        by_member.setdefault(assignment.reviewer_id, []).append(assignment)
    preferences = _digest_preferences(by_member)
    for user_id, items in by_member.items():
        if preferences.get(user_id) == DigestPreference.DAILY:
            continue
        ids = ",".join(str(a.id) for a in sorted(items, key=lambda a: a.id))
        publication = hashlib.sha256(ids.encode()).hexdigest()[:16]
        _send(items[0].reviewer, call, items, f"assignments:{call.id}:{user_id}:{publication}")


def notify_replacement(assignment: Assignment) -> None:
    preference = _digest_preferences([assignment.reviewer_id]).get(assignment.reviewer_id)
    if preference != DigestPreference.DAILY:
        _send(assignment.reviewer, assignment.application.call, [assignment],
              f"assignments:{assignment.application.call_id}:{assignment.reviewer_id}:"
              f"replacement-{assignment.id}")


def send_daily_digests(now: datetime) -> int:
    """Mail each daily-summary member what was published for them in the last day."""
    since = now - timedelta(days=1)
    rows = db.session.scalars(
        select(Assignment)
        .join(BoardMember, BoardMember.user_id == Assignment.reviewer_id)
        .where(BoardMember.digest == DigestPreference.DAILY,
               Assignment.status == AssignmentStatus.ACTIVE,
               Assignment.published_at >= since, Assignment.published_at < now)
        .options(selectinload(Assignment.application).selectinload(Application.call),
                 selectinload(Assignment.reviewer)))
    groups: dict[tuple[int, int], list[Assignment]] = {}
    for assignment in rows:
        groups.setdefault((assignment.reviewer_id, assignment.application.call_id),
                          []).append(assignment)
    day = to_zone(now).date().isoformat()
    for (user_id, call_id), items in groups.items():
        _send(items[0].reviewer, items[0].application.call, items,
              f"assignments-digest:{call_id}:{user_id}:{day}")
    return len(groups)
