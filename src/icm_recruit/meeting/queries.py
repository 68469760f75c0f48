"""Reads of the meeting: the meetings of a call or a member, and what an item shows."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from icm_recruit.applications.models import Application
from icm_recruit.calls.models import Call
from icm_recruit.extensions import db
from icm_recruit.meeting import rules
from icm_recruit.meeting.models import AgendaItem, Meeting, MeetingDeparture, MeetingMember
from icm_recruit.reviews import queries as review_queries
from icm_recruit.reviews import rules as review_rules
from icm_recruit.selection.models import RankingRow, RankingSnapshot


def meetings_of(call_id: int) -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).where(Meeting.call_id == call_id)
                                   .order_by(Meeting.starts_at.desc())))


def meetings_for(user) -> list[Meeting]:
    """The meetings the user may open: all for HR and the chair, else those invited to."""
    stmt = select(Meeting).order_by(Meeting.starts_at.desc())
    if not rules.may_organise(user):
        stmt = stmt.join(MeetingMember).where(MeetingMember.user_id == user.id)
    return list(db.session.scalars(stmt.limit(50)))


def load_agenda(meeting: Meeting) -> list[AgendaItem]:
    """Load the meeting's items with their applications and applicants in one query, so
    listing the agenda costs the same for any number of items. Keep the list while the
    page renders: the session holds loaded rows only as long as something refers to them."""
    return list(db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
        .options(joinedload(AgendaItem.application).joinedload(Application.applicant))))


def snapshots_of(call_id: int) -> list[RankingSnapshot]:
    return list(db.session.scalars(select(RankingSnapshot).where(
        RankingSnapshot.call_id == call_id).order_by(RankingSnapshot.id.desc()).limit(20)))


def calls_with_meetings() -> list[Call]:
    from icm_recruit.calls.models import CallStatus

    return list(db.session.scalars(select(Call).where(
        Call.status.in_(CallStatus.in_selection)).order_by(Call.closes_at.desc())))


@dataclass
class ItemView:
    """What a member in the room sees of the item under discussion."""

    item: AgendaItem
    application: Application
    row: RankingRow | None
    reviews: list  # [(review, weighted score on 0-10)]


def item_view(item: AgendaItem, viewer) -> ItemView | None:
    """The item's dossier summary, scores and reviews; None when the viewer is out."""
    if not rules.may_see_item(viewer, item):
        return None
    application = item.application
    meeting = item.meeting
    row = None
    if meeting.snapshot_id is not None:
        row = db.session.scalar(select(RankingRow).where(
            RankingRow.snapshot_id == meeting.snapshot_id,
            RankingRow.application_id == application.id))
    reviews = [(r, review_queries.weighted_score(r, application.call))
               for r in review_queries.submitted_reviews(application)
               if review_rules.counts_in_ranking(r)]
    return ItemView(item, application, row, reviews)


def departures_of(meeting: Meeting) -> dict[int, list[MeetingDeparture]]:
    """The departures of each item of the meeting, by item id."""
    rows = db.session.scalars(
        select(MeetingDeparture).join(AgendaItem)
        .where(AgendaItem.meeting_id == meeting.id).order_by(MeetingDeparture.id))
    out: dict[int, list[MeetingDeparture]] = {}
    for row in rows:
        out.setdefault(row.item_id, []).append(row)
    return out


def hidden_item_ids(meeting: Meeting, viewer) -> set[int]:
    """The items this viewer is out of the room for."""
    return rules.out_of_room_item_ids(viewer, meeting)
