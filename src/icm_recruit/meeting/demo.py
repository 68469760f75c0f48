"""Demo data of the meeting: a board meeting planned on the reviewed demo call, its agenda
drawn from a ranking, every demo member invited, one of them in conflict with a candidate
(so the chair sees that member leave the room for that item). Idempotent."""

from datetime import timedelta

from sqlalchemy import select

from icm_recruit.applications.models import Application
from icm_recruit.assignment.models import Assignment
from icm_recruit.auth.models import User
from icm_recruit.board.models import Conflict, ConflictSource, ConflictStatus
from icm_recruit.calls.models import call_by_slug
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.meeting import operations as ops
from icm_recruit.meeting.models import Meeting
from icm_recruit.selection.models import RankingSnapshot
from icm_recruit.selection.ranking import build_snapshot

MEMBERS = ["chair@demo.icm-recruit.org", "reviewer1@demo.icm-recruit.org",
           "reviewer2@demo.icm-recruit.org", "reviewer3@demo.icm-recruit.org"]
CONFLICTED = "reviewer3@demo.icm-recruit.org"


def _conflict_for(member: User, call_id: int) -> Application | None:
    """Put the member in conflict with an application of the call they did not review."""
    reviewed = select(Assignment.application_id).where(Assignment.reviewer_id == member.id)
    application = db.session.scalar(
        select(Application).where(Application.call_id == call_id,
                                  Application.id.not_in(reviewed))
        .order_by(Application.reference).limit(1))
    if application is not None and db.session.scalar(select(Conflict.id).where(
            Conflict.reviewer_id == member.id,
            Conflict.application_id == application.id)) is None:
        db.session.add(Conflict(reviewer_id=member.id, application_id=application.id,
                                source=ConflictSource.COAUTHOR,
                                status=ConflictStatus.CONFIRMED,
                                reason="Co-authored two papers with the applicant in 2024."))
        db.session.flush()
    return application


def seed_meeting(call_slug: str, chair_email: str) -> list[str]:
    """Plan the demo meeting once; return the lines to print."""
    call = call_by_slug(call_slug)
    chair = User.by_email(chair_email)
    members = [u for u in (User.by_email(e) for e in MEMBERS) if u is not None]
    if call is None or chair is None or len(members) < 2:
        return []
    existing = db.session.scalar(select(Meeting).where(Meeting.call_id == call.id).limit(1))
    if existing is not None:
        return [f"Board meeting: /meeting/{existing.id}"]
    conflicted = User.by_email(CONFLICTED)
    if conflicted is not None:
        _conflict_for(conflicted, call.id)
    snapshot = db.session.scalar(select(RankingSnapshot).where(
        RankingSnapshot.call_id == call.id).order_by(RankingSnapshot.id.desc()).limit(1))
    snapshot = snapshot or build_snapshot(call, by=chair)
    start = (utcnow() + timedelta(days=1)).replace(hour=13, minute=0, second=0, microsecond=0)
    meeting = ops.create_meeting(call, snapshot=snapshot, starts_at=start, duration=180,
                                 location="Salle du conseil, bâtiment A",
                                 video_url="https://visio.example.org/sab-2026",
                                 member_ids=[u.id for u in members], by=chair)
    db.session.commit()
    return [f"Board meeting (one member in conflict with a candidate): /meeting/{meeting.id}"]
