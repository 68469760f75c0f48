"""Review reminders, escalation to HR and the discussion digest.

Each reminder step (three days before the due date, on it, after it, then HR) is recorded
once per assignment in `reminder_log`, and each mail has its own outbox key, so the hourly
beat task may run any number of times. Dates are the member's own calendar days.
"""

import hashlib
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application
from icm_recruit.assignment import rules as assignment_rules
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import User
from icm_recruit.board.models import BoardMember, DigestPreference
from icm_recruit.core import audit
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.timeutil import days_late, to_zone, utcnow
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db
from icm_recruit.reviews import queries
from icm_recruit.reviews.models import DiscussionPost, ReminderLog, ReminderStep
from icm_recruit.reviews.operations import ReviewError, existing_key

BEFORE_DAYS = 3
ESCALATE_AFTER = timedelta(days=3)
DATE_FORMAT = "%d/%m/%Y %H:%M %Z"


def reminder_step(due_at: datetime, now: datetime, zone: str | None) -> ReminderStep | None:
    """Return the member reminder due now, judged on the member's calendar."""
    if now >= due_at:
        return ReminderStep.OVERDUE
    days_left = (to_zone(due_at, zone).date() - to_zone(now, zone).date()).days
    if days_left == 0:
        return ReminderStep.DUE
    if days_left <= BEFORE_DAYS:
        return ReminderStep.BEFORE
    return None


def _log_once(assignment_id: int, step: ReminderStep) -> bool:
    """Record the step; False when it was already recorded (by this or another run)."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (insert(ReminderLog.__table__)
            .values(assignment_id=assignment_id, step=step.value, sent_at=utcnow())
            .on_conflict_do_nothing(index_elements=["assignment_id", "step"])
            .returning(ReminderLog.__table__.c.id))
    return db.session.execute(stmt).scalar() is not None


def _item(assignment: Assignment, step: str, zone: str | None) -> dict:
    application = assignment.application
    return {"reference": application.reference, "title": application.title, "step": step,
            "due": to_zone(assignment.due_at, zone).strftime(DATE_FORMAT)
            if assignment.due_at else "",
            "url": external_url("reviews.review_form", assignment_id=assignment.id)}


def _mail_member(user: User, items: list[dict], key: str, *, manual: bool = False) -> bool:
    return queue_mail(to=user.email, user=user, locale=user.locale, template="review_reminder",
                      key=key, context={"name": user.name, "items": items, "manual": manual,
                                        "dashboard": external_url("reviews.dashboard")}
                      ) is not None


def _visible_ids(user: User, cache: dict[int, set[int]]) -> set[int]:
    if user.id not in cache:
        cache[user.id] = set(db.session.scalars(
            assignment_rules.visible_applications(user).with_only_columns(Application.id)))
    return cache[user.id]


def send_review_reminders(now: datetime | None = None) -> dict[str, int]:
    """Send the reminder steps that are due; escalate long-overdue reviews to HR."""
    now = now or utcnow()
    counts = {"single": 0, "digest": 0, "escalated": 0}
    daily = set(db.session.scalars(select(BoardMember.user_id)
                                   .where(BoardMember.digest == DigestPreference.DAILY)))
    visible: dict[int, set[int]] = {}
    digests: dict[int, list[tuple[Assignment, ReminderStep]]] = defaultdict(list)
    escalate: list[Assignment] = []
    for assignment in queries.open_assignments_with_due_date():
        reviewer = assignment.reviewer
        if assignment.application_id not in _visible_ids(reviewer, visible):
            continue
        step = reminder_step(assignment.due_at, now, reviewer.timezone)
        if step is not None and reviewer.id in daily:
            digests[reviewer.id].append((assignment, step))
        elif step is not None and _log_once(assignment.id, step):
            key = f"review-reminder:{assignment.id}:{step.value}"
            counts["single"] += _mail_member(reviewer, [_item(assignment, step, reviewer.timezone)],
                                             key)
        if now >= assignment.due_at + ESCALATE_AFTER:
            escalate.append(assignment)
    for pending in digests.values():
        counts["digest"] += _send_member_digest(pending, now)
    counts["escalated"] = _escalate(escalate, now)
    return counts


def _send_member_digest(pending: list[tuple[Assignment, ReminderStep]], now: datetime) -> int:
    """One summary a day for a member who asked for it; steps not yet sent go in it."""
    user = pending[0][0].reviewer
    key = f"review-reminders-daily:{user.id}:{to_zone(now, user.timezone).date().isoformat()}"
    if existing_key(key):
        return 0
    items = [_item(a, step, user.timezone) for a, step in pending if _log_once(a.id, step)]
    return int(bool(items) and _mail_member(user, items, key))


def _escalate(assignments: list[Assignment], now: datetime) -> int:
    """Tell HR once about each review long overdue, in one mail per HR person and run."""
    fresh = [a for a in assignments if _log_once(a.id, ReminderStep.ESCALATED)]
    if not fresh:
        return 0
    batch = hashlib.sha256(",".join(str(a.id) for a in fresh).encode()).hexdigest()[:16]
    for hr in queries.hr_users():
        items = [{**_item(a, "escalated", hr.timezone), "member": a.reviewer.name,
                  "days_late": days_late(a.due_at, now)}
                 for a in fresh if application_rules.can_act_as_hr_on(hr, a.application)]
        if items:
            queue_mail(to=hr.email, user=hr, locale=hr.locale, template="review_escalation",
                       key=f"review-escalation:{hr.id}:{batch}", context={
                           "items": items,
                           "url": external_url("reviews.progress",
                                               call_id=fresh[0].application.call_id)})
    for assignment in fresh:
        audit.record("review.escalated", obj=assignment, reviewer_id=assignment.reviewer_id)
    return len(fresh)


# ---------------------------------------------------------------- HR reminds now


def remind_now(assignment: Assignment, *, by: User, now: datetime | None = None) -> bool:
    """HR reminds one member of one review; at most once a day per assignment."""
    now = now or utcnow()
    if not application_rules.can_act_as_hr_on(by, assignment.application):
        raise ReviewError("own_application" if application_rules.is_applicant(
            by, assignment.application) else "forbidden")
    review = queries.review_of(assignment)
    if assignment.status != AssignmentStatus.ACTIVE or (review and review.is_submitted):
        raise ReviewError("nothing_to_remind")
    user = assignment.reviewer
    if assignment.application_id not in _visible_ids(user, {}):
        raise ReviewError("nothing_to_remind")
    step = reminder_step(assignment.due_at, now, user.timezone) if assignment.due_at else None
    key = _manual_key(assignment, now)
    sent = _mail_member(user, [_item(assignment, step or "manual", user.timezone)], key,
                        manual=True)
    if sent:
        audit.record("review.reminded", actor=by, obj=assignment, reviewer_id=user.id)
    return sent


def _manual_key(assignment: Assignment, now: datetime) -> str:
    return f"review-reminder:{assignment.id}:manual:{now.date().isoformat()}"


def reminder_plan(assignments: list[Assignment], *,
                  now: datetime | None = None) -> tuple[list[Assignment], list[Assignment]]:
    """Split assignments into those a reminder mail goes to now and those already reminded
    today (HR's reminders go once a day per assignment); a member kept from the
    application since (a conflict) is in neither."""
    now = now or utcnow()
    due, already, visible = [], [], {}
    for assignment in assignments:
        if assignment.application_id not in _visible_ids(assignment.reviewer, visible):
            continue
        (already if existing_key(_manual_key(assignment, now)) else due).append(assignment)
    return due, already


def remind_many(assignments: list[Assignment], *, by: User,
                now: datetime | None = None) -> tuple[int, int]:
    """HR reminds the members of these reviews; returns (mails queued, left out).

    Left out: already reminded today, nothing left to review, or HR's own application.
    """
    now = now or utcnow()
    sent = 0
    for assignment in assignments:
        try:
            sent += remind_now(assignment, by=by, now=now)
        except ReviewError:
            continue
    return sent, len(assignments) - sent


# ---------------------------------------------------------------- discussion digest


def send_discussion_digests(now: datetime | None = None) -> int:
    """Mail each participant the posts of the previous day (UTC) they did not write.

    Participants are computed at sending time with the access rules, so a member who has
    become conflicted meanwhile gets nothing about that application.
    """
    now = now or utcnow()
    day = now.astimezone(UTC).date() - timedelta(days=1)
    start = datetime.combine(day, time(0), tzinfo=UTC)
    posts = db.session.scalars(
        select(DiscussionPost)
        .where(DiscussionPost.created_at >= start,
               DiscussionPost.created_at < start + timedelta(days=1))
        .options(selectinload(DiscussionPost.author), selectinload(DiscussionPost.application))
        .order_by(DiscussionPost.created_at)).all()
    by_application: dict[int, list[DiscussionPost]] = defaultdict(list)
    for post in posts:
        by_application[post.application_id].append(post)
    per_user: dict[User, list[dict]] = defaultdict(list)
    for application_id, thread in by_application.items():
        for user in queries.discussion_participants(application_id):
            others = [p for p in thread if p.author_id != user.id]
            if others:
                per_user[user].append(_thread_item(others))
    for user, threads in per_user.items():
        queue_mail(to=user.email, user=user, locale=user.locale, template="discussion_digest",
                   key=f"discussion-digest:{user.id}:{day.isoformat()}",
                   context={"name": user.name, "threads": threads, "day": day.isoformat()})
    return len(per_user)


def _thread_item(posts: list[DiscussionPost]) -> dict:
    application = posts[0].application
    return {"reference": application.reference, "title": application.title,
            "url": external_url("reviews.discussion", application_id=application.id),
            "posts": [{"author": p.author.name if p.author else "", "body": p.body[:600]}
                      for p in posts]}
