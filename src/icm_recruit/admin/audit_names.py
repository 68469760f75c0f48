"""The audit trail as people read it: who, the object by its name, the details in words.

Events keep ids (the hash covers them); this module turns a page of events into names in
a fixed number of queries: one per kind of thing the page mentions, whatever the number
of events (exports read in chunks of CHUNK ids).
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from icm_recruit.admin.audit_labels import action_label
from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    Document,
    RefereeRequest,
)
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import User
from icm_recruit.board.models import BoardMember, Conflict, ConflictStatus
from icm_recruit.calls.models import (
    DOCUMENT_KIND_LABELS,
    Call,
    CallStatus,
    DocumentKind,
    localized,
)
from icm_recruit.core import mailkinds
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.timeutil import to_zone
from icm_recruit.extensions import db
from icm_recruit.reviews.models import DiscussionPost, Review
from icm_recruit.selection.models import InterviewSlot
from icm_recruit.selection.visit_models import Availability, VisitPartKind

CHUNK = 5000
TEXT_MAX = 300
LIST_MAX = 20

OBJECT_TYPE_LABELS = {
    "application": _l("Application"), "call": _l("Call"), "user": _l("Person"),
    "document": _l("Document"), "assignment": _l("Assignment"),
    "conflict": _l("Conflict of interest"), "board_member": _l("Board member"),
    "review": _l("Review"), "discussion_post": _l("Discussion message"),
    "interview_slot": _l("Interview slot"), "referee_request": _l("Referee request"),
    "agenda_item": _l("Agenda item"), "application_stage": _l("Application stage"),
    "application_tag": _l("Tag"), "application_version": _l("Application version"),
    "bid": _l("Wish"), "call_stage": _l("Stage"), "conflict_declaration": _l(
        "Conflict declaration"), "criterion": _l("Criterion"), "decision": _l("Decision"),
    "equality_answer": _l("Equality answers"), "evaluation_report": _l("Evaluation report"),
    "institution": _l("Institution"), "interview": _l("Interview"),
    "interview_panelist": _l("Interview panel member"),
    "interview_score": _l("Interview score"), "mail_text": _l("E-mail text"),
    "meeting": _l("Board meeting"), "meeting_departure": _l("Departure from the meeting"),
    "meeting_member": _l("Meeting member"),
    "member_call_setting": _l("Member’s settings for the call"),
    "outbox_message": _l("E-mail"), "publication": _l("Publication"),
    "ranking_row": _l("Ranking row"), "ranking_snapshot": _l("Ranking"),
    "recovery_code": _l("Recovery code"), "review_rescue": _l("Review text kept"),
    "review_score": _l("Review score"), "saved_search": _l("Saved search"),
    "shortlist_mark": _l("Shortlist mark"), "user_role": _l("Role"),
    "visit_availability": _l("Availability"), "visit_part": _l("Part of a visit"),
    "visit_slot": _l("Visit slot"), "visit_window": _l("Visit window"),
}
# Tables that hold no object an event names: the trail itself, jobs, caches and counters.
NOT_AUDIT_OBJECTS = {"audit_event", "job_run", "text_embedding", "review_tally",
                     "reminder_log", "page_generation", "page_generation_touch"}

# The words for the keys of the events' data; a key not listed is shown as written.
DATA_KEY_LABELS = {
    "reason": _l("Reason"), "before": _l("Before"), "after": _l("After"),
    "previous_subject": _l("Previous subject"),
    "previous_body": _l("Previous text"),
    "status": _l("Status"), "outcome": _l("Outcome"), "locale": _l("Language"),
    "via": _l("Through"), "method": _l("Method"), "role": _l("Role"), "roles": _l("Roles"),
    "reference": _l("Reference"), "application_id": _l("Application"),
    "application_ids": _l("Applications"), "applications": _l("Applications"),
    "reviewer_id": _l("Board member"), "member_id": _l("Board member"),
    "user_id": _l("Person"), "call_id": _l("Call"), "members": _l("Board members"),
    "referee_request_id": _l("Referee"), "referee_email": _l("Referee’s e-mail"),
    "slot_id": _l("Interview slot"), "starts_at": _l("Starts"), "panel": _l("Panel"),
    "assignment_id": _l("Assignment"), "declined_id": _l("Declined assignment"),
    "previous_id": _l("Previous assignment"), "replacing": _l("Replacing"),
    "due_at": _l("Due"), "until": _l("Until"), "previous": _l("Previous"),
    "closes_at": _l("Deadline"), "deadline": _l("Deadline"),
    "call_deadline": _l("Call deadline"), "at_db": _l("Database time"),
    "kind": _l("Kind"), "size": _l("Size in bytes"), "pages": _l("Pages"),
    "replaced": _l("Replaced a file"), "sha256": _l("Fingerprint (SHA-256)"),
    "previous_sha256": _l("Previous fingerprint"), "removed": _l("Removed"),
    "eligible": _l("Eligible"), "has_conflict": _l("Conflict of interest"),
    "level": _l("Wish"), "source": _l("Source"), "bulk": _l("Several at once"),
    "tag": _l("Tag"), "fields": _l("Fields"), "available": _l("Available"),
    "max_load": _l("Maximum load"), "count": _l("Count"), "references": _l("References"),
    "assignments": _l("Assignments"), "marked_eligible": _l("Marked eligible"),
    "shortfalls": _l("Short of reviewers"), "affinity": _l("Affinity"),
    "rows": _l("Rows"), "filters": _l("Filters"), "format": _l("Format"),
    "reviews": _l("Reviews"), "response": _l("Answer"), "version": _l("Version"),
    "sequence": _l("Booking number"), "moved_from": _l("Moved from slot"),
    "rebooked": _l("Booked again"), "scores": _l("Scores"), "subject": _l("Subject"),
    "body": _l("Text"), "drafts": _l("Drafts"), "extensions_kept": _l("Personal deadlines kept"),
    "new_account": _l("New account"), "remaining": _l("Codes left"),
    "reminder": _l("Reminder number"), "request": _l("Request"), "slug": _l("Address name"),
    "snapshot_id": _l("Ranking"), "job_id": _l("Job"), "interview_id": _l("Interview"),
    "document_id": _l("Document"), "data_email": _l("E-mail typed"),
    "consent_privacy_notice": _l("Privacy notice accepted"),
    "answer": _l("Answer"), "answers_cleared": _l("Answers cleared"),
    "changes": _l("Changes"), "chosen_by_institution": _l("Chosen by the institution"),
    "direction": _l("Direction"), "ends_at": _l("Ends"), "was_starts_at": _l("Previous start"),
    "was_ends_at": _l("Previous end"), "entries": _l("Entries"), "entry": _l("Entry"),
    "filename": _l("File name"), "group": _l("Group"), "item_id": _l("Agenda item"),
    "item_ids": _l("Agenda items"), "items": _l("Agenda items"),
    "members_told": _l("Members told"), "name": _l("Name"), "place": _l("Place"),
    "present": _l("Present"), "report_id": _l("Evaluation report"),
    "runs_selection": _l("Chair runs the selection"), "sections": _l("Sections"),
    "stage": _l("Stage"), "to": _l("To stage"), "verdict": _l("Verdict"),
    "votes": _l("Votes"), "with_letter": _l("With a letter"),
}
_APPLICATION_KEYS = {"application_id"}
# Keys of an event's data naming one person by their user id, and a list of them (a key
# of the second kind may also hold a count, in other events).
PERSON_KEYS = ("reviewer_id", "member_id", "user_id")
PERSON_LIST_KEYS = ("panel", "members")
_USER_KEYS = set(PERSON_KEYS)
_ASSIGNMENT_KEYS = {"assignment_id", "declined_id", "previous_id"}
# Which states the "before"/"after"/"status" of an action's data are, by action prefix.
_STATES = (("call.", CallStatus), ("assignment.", AssignmentStatus),
           ("conflict.", ConflictStatus), ("", ApplicationStatus))
# Other stored codes with words, by action prefix and key: a visit window's answer, the
# kind of a visit's part or of a document.
# Where an event was recorded from (its "via"), in words.
VIA_WORDS = {
    "hr": _l("HR’s page of the application"), "review": _l("the board’s dossier"),
    "panel": _l("the interview panel’s page"), "seed-demo": _l("the demo data"),
    "cli": _l("the command line"),
}
_CODE_WORDS = {
    ("", "via"): lambda code: VIA_WORDS[code],
    ("visit_window.", "answer"): lambda code: Availability(code).label,
    ("visit_part.", "kind"): lambda code: VisitPartKind(code).label,
    ("document.", "kind"): lambda code: DOCUMENT_KIND_LABELS[DocumentKind(code)],
}


@dataclass
class EventView:
    """One event as the page and the export show it."""

    event: AuditEvent
    actor: str = ""
    action: str = ""
    object: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)


def _chunks(ids) -> list[list]:
    ids = sorted(ids)
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _rows(stmt_for, ids) -> list:
    rows = []
    for chunk in _chunks(ids):
        rows += db.session.execute(stmt_for(chunk)).all()
    return rows


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


class _Names:
    """The names of everything a set of events mentions, looked up kind by kind."""

    def __init__(self, events: list[AuditEvent]):
        wanted: dict[str, set[int]] = {}
        for event in events:
            if event.object_type and (number := _int(event.object_id)) is not None:
                wanted.setdefault(event.object_type, set()).add(number)
            if event.actor_id:
                wanted.setdefault("user", set()).add(event.actor_id)
            data = event.data if isinstance(event.data, dict) else {}
            for key, value in data.items():
                kind = ("application" if key in _APPLICATION_KEYS else "user"
                        if key in _USER_KEYS else "assignment" if key in _ASSIGNMENT_KEYS
                        else {"call_id": "call", "referee_request_id": "referee_request",
                              "slot_id": "interview_slot"}.get(key))
                if key == "application_ids" and isinstance(value, list):
                    kind, values = "application", value[:LIST_MAX]
                elif key in PERSON_LIST_KEYS and isinstance(value, list):
                    kind, values = "user", value[:LIST_MAX]
                else:
                    values = [value]
                if kind:
                    wanted.setdefault(kind, set()).update(
                        n for v in values if (n := _int(v)) is not None)
        self._load(wanted)

    def _load(self, wanted: dict[str, set[int]]) -> None:
        applications, users = set(wanted.get("application", ())), set(wanted.get("user", ()))
        # Parts of an application: their application (and member) first.
        self.parts: dict[str, dict[int, tuple]] = {}
        part_queries = {
            "assignment": lambda ids: select(Assignment.id, Assignment.application_id,
                                             Assignment.reviewer_id).where(
                Assignment.id.in_(ids)),
            "conflict": lambda ids: select(Conflict.id, Conflict.application_id,
                                           Conflict.reviewer_id).where(Conflict.id.in_(ids)),
            "review": lambda ids: select(Review.id, Assignment.application_id,
                                         Assignment.reviewer_id).join(
                Assignment, Assignment.id == Review.assignment_id).where(Review.id.in_(ids)),
            "discussion_post": lambda ids: select(
                DiscussionPost.id, DiscussionPost.application_id,
                DiscussionPost.author_id).where(DiscussionPost.id.in_(ids)),
            "document": lambda ids: select(Document.id, Document.application_id,
                                           Document.kind).where(Document.id.in_(ids)),
            "referee_request": lambda ids: select(
                RefereeRequest.id, RefereeRequest.application_id,
                RefereeRequest.name).where(RefereeRequest.id.in_(ids)),
        }
        for kind, stmt_for in part_queries.items():
            if wanted.get(kind):
                rows = _rows(stmt_for, wanted[kind])
                self.parts[kind] = {row[0]: tuple(row[1:]) for row in rows}
                applications |= {row[1] for row in rows}
                if kind in {"assignment", "conflict", "review", "discussion_post"}:
                    users |= {row[2] for row in rows if row[2]}
        self.members = {}
        if wanted.get("board_member"):
            self.members = dict(_rows(lambda ids: select(BoardMember.id, BoardMember.user_id)
                                      .where(BoardMember.id.in_(ids)), wanted["board_member"]))
            users |= set(self.members.values())
        self.slots = {}
        if wanted.get("interview_slot"):
            self.slots = dict(_rows(lambda ids: select(InterviewSlot.id, InterviewSlot.starts_at)
                                    .where(InterviewSlot.id.in_(ids)), wanted["interview_slot"]))
        self.applications = {}
        if applications:
            self.applications = {row[0]: row[1:] for row in _rows(
                lambda ids: select(Application.id, Application.reference, User.name)
                .join(User, User.id == Application.applicant_id)
                .where(Application.id.in_(ids)), applications)}
        self.users = dict(_rows(lambda ids: select(User.id, User.name).where(User.id.in_(ids)),
                                users)) if users else {}
        self.calls = {}
        if wanted.get("call"):
            self.calls = {row.id: localized(row, "title") for row in db.session.execute(
                select(Call.id, Call.title_en, Call.title_fr)
                .where(Call.id.in_(sorted(wanted["call"]))))}

    # ------------------------------------------------------------ one name each

    def user(self, user_id) -> str:
        return self.users.get(_int(user_id)) or _("Person %(id)s", id=user_id)

    def application(self, application_id) -> str:
        found = self.applications.get(_int(application_id))
        if found is None:
            return _("Application %(id)s", id=application_id)
        reference, applicant = found
        return f"{reference} · {applicant}" if reference else _("Draft of %(name)s",
                                                                name=applicant)

    def call(self, call_id) -> str:
        return self.calls.get(_int(call_id)) or _("Call %(id)s", id=call_id)

    def slot(self, slot_id) -> str:
        starts_at = self.slots.get(_int(slot_id))
        return (_localdt(starts_at) if starts_at
                else _("Interview slot %(id)s", id=slot_id))

    def part(self, kind: str, part_id) -> str | None:
        found = self.parts.get(kind, {}).get(_int(part_id))
        if found is None:
            return None
        application_id, other = found
        if kind == "document":
            kind_label = DOCUMENT_KIND_LABELS[DocumentKind(other)]
            return f"{kind_label} · {self.application(application_id)}"
        if kind == "referee_request":
            return f"{other} · {self.application(application_id)}"
        person = self.user(other) if other else ""
        return " · ".join(p for p in (self.application(application_id), person) if p)

    def object(self, object_type: str | None, object_id) -> str:
        if not object_type:
            return ""
        if object_type == "application":
            return self.application(object_id)
        if object_type == "user":
            return self.user(object_id)
        if object_type == "call":
            return self.call(object_id)
        if object_type == "mail_kind":  # an e-mail text written for every call
            kind = mailkinds.kind_of(object_id or "")
            return str(kind.title) if kind else str(object_id)
        if object_type == "interview_slot":
            return self.slot(object_id)
        if object_type == "board_member" and _int(object_id) in self.members:
            return self.user(self.members[_int(object_id)])
        named = self.part(object_type, object_id)
        if named:
            return named
        kind = OBJECT_TYPE_LABELS.get(object_type)
        return f"{kind or object_type} {object_id or ''}".strip()


def _localdt(value: datetime, zone: str | None = None) -> str:
    from flask_login import current_user

    zone = zone or getattr(current_user, "timezone", None)
    return to_zone(value, zone).strftime("%d/%m/%Y %H:%M %Z")


def _as_moment(value) -> datetime | None:
    if not isinstance(value, str) or len(value) < 19 or value[4] != "-" or "T" not in value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _state_label(action: str, value: str) -> str:
    for prefix, states in _STATES:
        if action.startswith(prefix):
            try:
                return str(states(value).label)
            except ValueError:
                return value
    return value


def _text(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None:
        return "—"
    if isinstance(value, list):
        shown = ", ".join(_text(v) for v in value[:LIST_MAX])
        return shown + (" …" if len(value) > LIST_MAX else "")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if (moment := _as_moment(value)) is not None:
        return _localdt(moment)
    text = str(value)
    return text if len(text) <= TEXT_MAX else text[:TEXT_MAX] + "…"


def _detail(names: _Names, action: str, key: str, value) -> str:
    if value in (None, "", []):
        return "—"
    if key in _APPLICATION_KEYS:
        return names.application(value)
    if key == "application_ids" and isinstance(value, list):
        shown = ", ".join(names.application(v) for v in value[:LIST_MAX])
        return shown + (" …" if len(value) > LIST_MAX else "")
    if key in _USER_KEYS:
        return names.user(value)
    if key in PERSON_LIST_KEYS and isinstance(value, list):
        shown = ", ".join(names.user(v) for v in value[:LIST_MAX])
        return shown + (" …" if len(value) > LIST_MAX else "")
    if key == "call_id":
        return names.call(value)
    if key == "slot_id":
        return names.slot(value)
    if key in _ASSIGNMENT_KEYS or key == "referee_request_id":
        kind = "referee_request" if key == "referee_request_id" else "assignment"
        return names.part(kind, value) or str(value)
    if key in {"before", "after", "status"} and isinstance(value, str):
        return _state_label(action, value)
    if isinstance(value, str):
        for (prefix, code_key), words in _CODE_WORDS.items():
            if key == code_key and action.startswith(prefix):
                try:
                    return str(words(value))
                except (ValueError, KeyError):
                    return value
    return _text(value)


def describe(events: list[AuditEvent]) -> list[EventView]:
    """The events in words, in the reader's language and time zone."""
    names = _Names(events)
    views = []
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        views.append(EventView(
            event=event,
            actor=names.user(event.actor_id) if event.actor_id else "",
            action=action_label(event.action),
            object=names.object(event.object_type, event.object_id),
            details=[(str(DATA_KEY_LABELS.get(key, key.replace("_", " "))),
                      _detail(names, event.action, key, value))
                     for key, value in data.items()]))
    return views
