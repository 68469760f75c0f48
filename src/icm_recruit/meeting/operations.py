"""Meeting state changes: create and invite, edit the agenda, move the pointer, record.

Each function checks who may act (meeting.rules), writes the audit event and queues its
mails in the caller's transaction, then flushes; the caller commits once.
"""

from datetime import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from icm_recruit.auth.models import Role, User
from icm_recruit.board import signals as board_signals
from icm_recruit.calls.models import Call
from icm_recruit.core import audit, locks
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.timeutil import utcnow
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db
from icm_recruit.meeting import rules
from icm_recruit.meeting.models import (
    GROUP_RANK,
    AgendaGroup,
    AgendaItem,
    ItemOutcome,
    Meeting,
    MeetingDeparture,
    MeetingMember,
)
from icm_recruit.selection import ics
from icm_recruit.selection.models import RankingSnapshot

BOARD_ROLES = (Role.REVIEWER, Role.CHAIR)
MAX_VOTES = 1000


class MeetingError(DomainError):
    messages = {
        "forbidden": _l("You cannot do this in this meeting."),
        "no_snapshot": _l("The call has no ranking yet. Compute a ranking first: the agenda "
                          "is drawn from it."),
        "wrong_snapshot": _l("This ranking belongs to another call."),
        "members_needed": _l("Invite at least one board member."),
        "not_board_member": _l("Only active board members can be invited."),
        "place_needed": _l("Give a place or a video link."),
        "published": _l("The minutes are published: the meeting can no longer change."),
        "not_on_agenda": _l("This item is not on the meeting's agenda."),
        "too_many_votes": _l("A vote count cannot exceed %(max)d.", max=MAX_VOTES),
        "agenda_changed": _l("The agenda changed meanwhile (someone else moved an item): "
                             "here it is as it stands now; move the item again."),
    }


# ---------------------------------------------------------------- agenda


def ordered_items(meeting: Meeting) -> list[AgendaItem]:
    """The agenda in the order it is discussed: by group, then by position."""
    return sorted(meeting.items, key=lambda i: (GROUP_RANK[i.group], i.position))


def default_group(row, total: int, top: int | None = None) -> AgendaGroup:
    """A first grouping from the ranking: the reviewers' disagreements are discussed; the
    top third likely advances, the bottom third likely does not."""
    if row.disagreement or total < 3:
        return AgendaGroup.DISCUSS
    third = top or max(1, total // 3)
    if row.calibrated_rank <= third:
        return AgendaGroup.LIKELY_ADVANCE
    if row.calibrated_rank > total - third:
        return AgendaGroup.LIKELY_REJECT
    return AgendaGroup.DISCUSS


def _agenda_from(meeting: Meeting, snapshot: RankingSnapshot) -> None:
    rows = sorted(snapshot.rows, key=lambda r: r.calibrated_rank)
    for position, row in enumerate(rows, start=1):
        meeting.items.append(AgendaItem(application_id=row.application_id, position=position,
                                        group=default_group(row, len(rows))))


def _check_place(location: str, video_url: str) -> None:
    if not (location or "").strip() and not (video_url or "").strip():
        raise MeetingError("place_needed")


def _board_users(member_ids) -> list[User]:
    ids = sorted(set(member_ids or []))
    if not ids:
        raise MeetingError("members_needed")
    users = list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)))
    if len(users) != len(ids) or not all(u.active and u.has_role(*BOARD_ROLES) for u in users):
        raise MeetingError("not_board_member")
    return users


def create_meeting(call: Call, *, snapshot: RankingSnapshot | None, starts_at: datetime,
                   duration: int, location: str, video_url: str, member_ids, by) -> Meeting:
    """Create a meeting of the call, its agenda from the snapshot; invite the members."""
    if not rules.may_organise(by):
        raise MeetingError("forbidden")
    if snapshot is None:
        raise MeetingError("no_snapshot")
    if snapshot.call_id != call.id:
        raise MeetingError("wrong_snapshot")
    _check_place(location, video_url)
    users = _board_users(member_ids)
    # The call's row is locked: the same form sent twice finds the meeting the first made.
    locks.lock(Call, call.id)
    same = db.session.scalar(select(Meeting).where(
        Meeting.call_id == call.id, Meeting.snapshot_id == snapshot.id,
        Meeting.starts_at == starts_at).limit(1))
    if same is not None:
        return same
    meeting = Meeting(call_id=call.id, snapshot_id=snapshot.id, starts_at=starts_at,
                      duration_minutes=duration, location=(location or "").strip(),
                      video_url=(video_url or "").strip(), created_by_id=by.id)
    meeting.members = [MeetingMember(user_id=u.id) for u in users]
    _agenda_from(meeting, snapshot)
    db.session.add(meeting)
    db.session.flush()
    audit.record("meeting.created", actor=by, obj=meeting, call_id=call.id,
                 snapshot_id=snapshot.id, members=[u.id for u in users],
                 items=len(meeting.items))
    send_invitations(meeting, users)
    return meeting


def _domain() -> str:
    return urlsplit(current_app.config["SERVER_NAME_FOR_MAIL"]).hostname or "icm-recruit"


def calendar_event(meeting: Meeting, users: list[User]) -> ics.Interview:
    """The meeting as one calendar entry; its UID stays the same across updates."""
    _, sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    call = meeting.call
    return ics.Interview(
        uid=f"meeting-{meeting.id}@{_domain()}", sequence=meeting.sequence,
        starts_at=meeting.starts_at, ends_at=meeting.ends_at,
        summary=f"Board meeting / Réunion du conseil · {call.title_en}",
        organizer=ics.Person(sender or "recruitment@icm-institute.org", "ICM Recruitment"),
        attendees=[ics.Person(u.email, u.name) for u in users],
        location=meeting.location, url=meeting.video_url,
        description=f"{call.title_en} / {call.title_fr}")


def send_invitations(meeting: Meeting, users: list[User]) -> int:
    """Mail each member the meeting's .ics through the outbox, once per version."""
    body = ics.invitation(calendar_event(meeting, users)).decode()
    url = external_url("meeting.show", meeting_id=meeting.id)
    for user in users:
        queue_mail(to=user.email, user=user, template="meeting_invitation",
                   locale=user.locale, key=f"meeting:{meeting.id}:s{meeting.sequence}:{user.id}",
                   attachments=[{"filename": "meeting.ics", "mimetype": "text/calendar",
                                 "content": body}],
                   context={"name": user.name, "call_title_en": meeting.call.title_en,
                            "call_title_fr": meeting.call.title_fr,
                            "starts_at": meeting.starts_at.isoformat(),
                            "duration": meeting.duration_minutes,
                            "location": meeting.location, "video_url": meeting.video_url,
                            "url": url})
    return len(users)


def _require_open(meeting: Meeting) -> None:
    if meeting.is_published:
        raise MeetingError("published")


def _locked_item(item: AgendaItem, by) -> AgendaItem:
    meeting = locks.lock(Meeting, item.meeting_id)
    _require_open(meeting)
    item = locks.lock(AgendaItem, item.id)
    if not rules.may_handle_item(by, item):
        raise MeetingError("forbidden")
    return item


def move_item(item: AgendaItem, direction: str, *, by) -> bool:
    """Swap the item with its neighbour in its group; False at the group's edge."""
    item = _locked_item(item, by)
    same_group = [i for i in ordered_items(item.meeting) if i.group == item.group]
    index = same_group.index(item)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(same_group):
        return False
    other = same_group[other_index]
    item.position, other.position = other.position, item.position
    db.session.flush()
    audit.record("meeting.agenda_moved", actor=by, obj=item.meeting, item_id=item.id,
                 direction=direction)
    return True


def reorder_group(meeting: Meeting, group: AgendaGroup, item_ids: list[int], *, by) -> bool:
    """Put the items of a group the runner is in the room for in this order (a drag and
    drop); the items they are out of the room for keep their places. Refused unless the
    ids are exactly those items, so a stale page changes nothing. False if nothing moved."""
    meeting = locks.lock(Meeting, meeting.id)
    _require_open(meeting)
    if not rules.may_run(by, meeting):
        raise MeetingError("forbidden")
    in_group = [i for i in ordered_items(meeting) if i.group == group]
    movable = [i for i in in_group if rules.may_handle_item(by, i)]
    if sorted(item_ids) != sorted(i.id for i in movable) or len(set(item_ids)) != len(item_ids):
        raise MeetingError("agenda_changed")
    if item_ids == [i.id for i in movable]:
        return False
    slots = [i.position for i in movable]
    by_id = {i.id: i for i in movable}
    for position, item_id in zip(slots, item_ids, strict=True):
        by_id[item_id].position = position
    db.session.flush()
    audit.record("meeting.agenda_reordered", actor=by, obj=meeting, group=group.value,
                 item_ids=item_ids)
    return True


def set_group(item: AgendaItem, group: AgendaGroup, *, by) -> None:
    """Put the item in another group, at the end of it."""
    item = _locked_item(item, by)
    if item.group == group:
        return
    before = item.group.value
    item.group = group
    item.position = max((i.position for i in item.meeting.items), default=0) + 1
    db.session.flush()
    audit.record("meeting.agenda_regrouped", actor=by, obj=item.meeting, item_id=item.id,
                 before=before, group=group.value)


# ---------------------------------------------------------------- the live meeting


def move_pointer(meeting: Meeting, item_id: int | None, *, by) -> AgendaItem | None:
    """Make this item the current one (None: no item). The last write wins."""
    meeting = locks.lock(Meeting, meeting.id)
    if not rules.may_run(by, meeting):
        raise MeetingError("forbidden")
    _require_open(meeting)
    item = None
    if item_id is not None:
        item = db.session.get(AgendaItem, item_id)
        if item is None or item.meeting_id != meeting.id:
            raise MeetingError("not_on_agenda")
    meeting.current_item_id = item.id if item else None
    meeting.pointer_version += 1
    meeting.pointer_moved_at = utcnow()
    db.session.flush()
    if item is not None:
        record_departures(item, meeting.member_ids)
    audit.record("meeting.pointer_moved", actor=by, obj=meeting,
                 item_id=item.id if item else None)
    return item


def record_departures(item: AgendaItem, user_ids) -> int:
    """Note the members who leave the room for this item, with their reason code."""
    reasons = rules.departure_reasons(user_ids, item.application)
    known = set(db.session.scalars(select(MeetingDeparture.user_id).where(
        MeetingDeparture.item_id == item.id)))
    added = 0
    for user_id, reason in sorted(reasons.items()):
        if user_id in known:
            continue
        if locks.inserted(MeetingDeparture(item_id=item.id, user_id=user_id, reason=reason),
                          constraint="uq_meeting_departure_item_id_user_id"):
            added += 1
    return added


@board_signals.conflicts_changed.connect
def _conflicts_during_meeting(sender=None, *, blocked=(), lifted=(), by=None, **extra):
    """A member conflicted with the item under discussion leaves the room at once."""
    pairs = set(blocked or [])
    if not pairs:
        return
    application_ids = {a for _r, a in pairs}
    current = db.session.execute(
        select(Meeting, AgendaItem).join(AgendaItem, Meeting.current_item_id == AgendaItem.id)
        .where(AgendaItem.application_id.in_(application_ids),
               Meeting.minutes_published_at.is_(None))).all()
    for meeting, item in current:
        leaving = {r for r, a in pairs if a == item.application_id} & meeting.member_ids
        if leaving:
            record_departures(item, leaving)


def record_outcome(item: AgendaItem, *, outcome: ItemOutcome | None, votes: dict,
                   consensus: str, by) -> AgendaItem:
    """Store what the board decided on the item; the page of every member shows it."""
    item = _locked_item(item, by)
    counts = {k: votes.get(k) for k in ("for", "against", "abstain")}
    if any(v is not None and v > MAX_VOTES for v in counts.values()):
        raise MeetingError("too_many_votes")
    item.outcome = outcome
    item.votes_for, item.votes_against = counts["for"], counts["against"]
    item.votes_abstain = counts["abstain"]
    item.consensus = (consensus or "").strip()
    item.revision += 1
    item.recorded_by_id, item.recorded_at = by.id, utcnow()
    item.rescue = None
    db.session.flush()
    audit.record("meeting.item_recorded", actor=by, obj=item.meeting, item_id=item.id,
                 application_id=item.application_id,
                 outcome=outcome.value if outcome else None, votes=counts)
    return item


def keep_rescued_statement(item: AgendaItem, fields: dict, *, by) -> None:
    """Keep what a chair sent as their session ended; the form offers it back."""
    if not rules.may_handle_item(by, item):
        return
    item = locks.lock(AgendaItem, item.id)
    item.rescue = {"user_id": by.id, "fields": fields, "at": utcnow().isoformat()}
    db.session.flush()


def rescue_for(item: AgendaItem, user) -> dict | None:
    """The fields this user sent as their session ended, if they are still waiting."""
    rescue = item.rescue or {}
    return rescue.get("fields") if rescue.get("user_id") == user.id else None


def set_attendance(meeting: Meeting, present_ids, *, by) -> None:
    """Record which invited members are present."""
    meeting = locks.lock(Meeting, meeting.id)
    if not rules.may_run(by, meeting):
        raise MeetingError("forbidden")
    _require_open(meeting)
    present = set(present_ids or [])
    for member in meeting.members:
        member.present = member.user_id in present
    db.session.flush()
    audit.record("meeting.attendance", actor=by, obj=meeting,
                 present=sorted(present & meeting.member_ids))


def publish_minutes(meeting: Meeting, *, by) -> bool:
    """Publish the minutes to the members; False when they already were."""
    meeting = locks.lock(Meeting, meeting.id)
    if not rules.may_run(by, meeting):
        raise MeetingError("forbidden")
    if meeting.is_published:
        return False
    meeting.minutes_published_at = utcnow()
    meeting.minutes_published_by_id = by.id
    db.session.flush()
    audit.record("meeting.minutes_published", actor=by, obj=meeting,
                 items=len(meeting.items))
    return True
