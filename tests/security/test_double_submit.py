"""Double submissions: every create or save form, sent twice at the same moment on
PostgreSQL, makes one record and no server error.

Each case builds its own small world with real commits, signs two test clients in as the
same person, lets both fetch the form's page (each gets its own CSRF token), then posts
both at once from two threads held at a barrier. The rows the form creates are counted
before and after.
"""

import io
import secrets
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    Document,
    DocumentKind,
    RefereeRequest,
    RefereeStatus,
)
from icm_recruit.applications.referees import hash_token
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import RecoveryCode, Role, User, UserRole
from icm_recruit.board.models import (
    Bid,
    BoardMember,
    Conflict,
    ConflictDeclaration,
    ConflictSource,
    MemberCallSetting,
)
from icm_recruit.calls.models import Call, CallStatus, Criterion
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.jobs import JobKind, JobRun
from icm_recruit.core.mailtexts import MailText
from icm_recruit.core.timeutil import to_zone, utcnow
from icm_recruit.extensions import db
from icm_recruit.meeting.models import EvaluationReport, Meeting
from icm_recruit.reviews.models import DiscussionPost, Review
from icm_recruit.selection import visits
from icm_recruit.selection.models import (
    Decision,
    Interview,
    InterviewScore,
    InterviewSlot,
    InterviewStatus,
    Outcome,
    ShortlistMark,
)
from icm_recruit.selection.ranking import build_snapshot
from icm_recruit.selection.visit_models import VisitAvailability, VisitWindow
from tests.applications.factories import make_application, make_call, make_pdf
from tests.applications.helpers import DRAFT
from tests.selection.factories import make_slot, quick_user, submitted_review
from tests.support import IsolatedClient, csrf_from, empty_every_table

pytestmark = pytest.mark.services

OK = {200, 302, 303}
# Answers a second request may get instead of the same success: a page saying what
# happened (422, 409), or the referee's "this link was already used" (410).
REFUSALS = {409, 410, 422}
FIGURES = {"forms": 0, "server_errors": 0, "duplicate_rows": 0}
MESSAGE_MARKS = ('class="alert', "invalid-feedback", 'class="lead')


@dataclass
class Race:
    """One form: where it is posted, what it sends, and which rows it may create."""

    user: User | None
    url: str
    data: dict
    rows: Callable  # returns the select()s of the rows the form creates
    grows: int = 1
    page: str | None = None  # the page whose form carries the CSRF token
    token_field: str = "csrf_token"
    files: dict = field(default_factory=dict)  # field name -> bytes, sent as a PDF
    login: str | None = None  # the session id of `user`, read while it is still loaded
    session: dict = field(default_factory=dict)  # more session values both clients share
    eager: bool = True  # False: jobs are queued for a worker, as in production


def _count(race: Race) -> int:
    selects = race.rows()
    selects = selects if isinstance(selects, tuple) else (selects,)
    return sum(db.session.scalar(select(func.count()).select_from(s.subquery()))
               for s in selects)


def _client(app, race: Race):
    client = app.test_client()
    if race.login is not None:
        with client.session_transaction() as session:
            session["_user_id"] = race.login
            session["_fresh"] = True
            session.update(race.session)
    page = client.get(race.page or race.url)
    assert page.status_code == 200, f"{race.page or race.url}: {page.status_code}"
    return client, {race.token_field: csrf_from(page.get_data(as_text=True))}


def _post_both(app, race: Race) -> list:
    prepared = [_client(app, race) for _ in range(2)]
    start = threading.Barrier(2)
    responses: list = [None, None]

    def run(index: int) -> None:
        client, values = prepared[index]
        payload = {**values, **race.data}
        payload.update({name: (io.BytesIO(data), "file.pdf")
                        for name, data in race.files.items()})
        start.wait()
        try:
            responses[index] = client.post(race.url, data=payload)
        except Exception as exc:  # the test client re-raises what the app did not catch
            responses[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # hand the interpreter over often, so the two interleave
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        sys.setswitchinterval(interval)
    return responses


def _queueing_app(make_app, run_id):
    """An app whose jobs wait in a queue nobody reads, as they wait for a busy worker."""
    server = make_app(CELERY={"task_always_eager": False,
                              "task_default_queue": f"icm-test-{run_id}-double"})
    server.test_client_class = IsolatedClient
    return server


# ---------------------------------------------------------------- small worlds

# The cases share one database, emptied once at the end: names carry the case's tag.
TAG = {"value": ""}


def _email(local: str) -> str:
    return f"{local}.{TAG['value']}@example.org"


def _slug(name: str) -> str:
    return f"race-{name}-{TAG['value']}"



def _hr():
    return quick_user(_email(f"hr.{uuid.uuid4().hex[:4]}"), Role.ADMIN)


def _member(local: str = "member", *, roles=(Role.REVIEWER,)) -> User:
    user = quick_user(_email(local), *roles)
    db.session.add(BoardMember(user_id=user.id, past_affiliations=[]))
    db.session.commit()
    return user


def _review_world():
    call = make_call(_slug("review"), status=CallStatus.IN_REVIEW, opens_in_days=-60,
                     closes_in_days=-10)
    applicant = quick_user(_email("applicant"), Role.APPLICANT)
    application = make_application(call, applicant, status=ApplicationStatus.UNDER_REVIEW,
                                   complete=True)
    return call, application


def _open_draft(**call_fields):
    call = make_call(_slug("open"), **call_fields)
    applicant = quick_user(_email("applicant"), Role.APPLICANT)
    return call, applicant, make_application(call, applicant, complete=True)


def register() -> Race:
    email = _email("ada")
    data = {"name": "Ada Lovelace", "email": email, "password": "correct-horse-42",
            "confirm": "correct-horse-42", "locale": "en", "consent": "y"}
    return Race(None, "/register", data,
                lambda: select(User).where(User.email == email))


def invite_user() -> Race:
    email = _email("new.hr")
    data = {"email": email, "name": "New HR", "locale": "en",
            "roles": ["admin"]}
    return Race(_hr(), "/admin/users/invite", data,
                lambda: select(User).where(User.email == email))


def invite_member() -> Race:
    email = _email("new.member")
    data = {"email": email, "name": "New Member", "locale": "en"}
    return Race(_hr(), "/admin/board/invite", data,
                lambda: select(BoardMember).join(User, User.id == BoardMember.user_id)
                .where(User.email == email), page="/admin/board")


def create_call() -> Race:
    slug = _slug("new")
    data = {
        "slug": slug, "title_en": "Team leaders 2028", "title_fr": "Chefs 2028",
        "description_en": "Lead.", "description_fr": "Diriger.",
        "opens_at": "2028-01-10T09:00", "closes_at": "2028-03-31T17:00",
        "reviewers_per_application": "3", "referees_required": "2",
        "summary_word_limit": "500",
        "doc_cv-requested": "required", "doc_cv-max_mb": "5", "doc_cv-max_pages": "4",
        "doc_research_project-requested": "no", "doc_research_project-max_mb": "5",
        "doc_research_project-max_pages": "10",
        "doc_publications-requested": "no", "doc_publications-max_mb": "5",
        "doc_publications-max_pages": "10",
        "doc_other-requested": "no", "doc_other-max_mb": "5", "doc_other-max_pages": "10",
        "criteria-0-name_en": "Excellence", "criteria-0-name_fr": "Excellence",
        "criteria-0-weight": "1", "criteria-0-scale_min": "1", "criteria-0-scale_max": "5",
    }
    return Race(_hr(), "/admin/calls/new", data,
                lambda: select(Call).where(Call.slug == slug))


def start_application() -> Race:
    call = make_call(_slug("apply"))
    applicant = quick_user(_email("applicant"), Role.APPLICANT)
    return Race(applicant, f"/calls/{call.slug}/apply", {},
                lambda: select(Application).where(Application.call_id == call.id),
                page=f"/calls/{call.slug}")


def save_draft() -> Race:
    _call, applicant, application = _open_draft()
    return Race(applicant, f"/applications/{application.id}", DRAFT,
                lambda: select(Application).where(Application.applicant_id == applicant.id),
                grows=0)


def add_referee() -> Race:
    _call, applicant, application = _open_draft()
    data = {"referee-name": "Prof. Ref", "referee-email": "ref@example.org",
            "referee-institution": "Oxford", "referee-locale": "en"}
    return Race(applicant, f"/applications/{application.id}/referees", data,
                lambda: select(RefereeRequest)
                .where(RefereeRequest.application_id == application.id),
                page=f"/applications/{application.id}", token_field="referee-csrf_token")


def upload_document() -> Race:
    _call, applicant, application = _open_draft()
    return Race(applicant, f"/applications/{application.id}/documents", {"kind": "cv"},
                lambda: select(Document).where(Document.application_id == application.id,
                                               Document.kind == DocumentKind.CV,
                                               Document.is_current),
                page=f"/applications/{application.id}", files={"file": make_pdf()})


def submit_application() -> Race:
    _call, applicant, application = _open_draft(document_rules=[], referees_required=0)
    return Race(applicant, f"/applications/{application.id}/submit",
                {"confirm": "y", "consent": "y"},
                lambda: select(Application).where(
                    Application.id == application.id,
                    Application.status == ApplicationStatus.SUBMITTED),
                page=f"/applications/{application.id}")


def referee_letter() -> Race:
    call, application = _review_world()
    application.status = ApplicationStatus.SUBMITTED
    token = secrets.token_urlsafe(16)
    db.session.add(RefereeRequest(
        application_id=application.id, name="Prof. Ref", email="ref@example.org",
        status=RefereeStatus.REQUESTED, token_hash=hash_token(token), sent_at=utcnow(),
        expires_at=utcnow() + timedelta(days=5)))
    db.session.commit()
    return Race(None, f"/referee/{token}", {"action": "upload"},
                lambda: select(Document).where(Document.application_id == application.id,
                                               Document.kind == DocumentKind.LETTER),
                token_field="letter-csrf_token", files={"letter-file": make_pdf()})


def save_review(submit: bool) -> Callable[[], Race]:
    def build() -> Race:
        call, application = _review_world()
        member = _member()
        now = utcnow()
        assignment = Assignment(application_id=application.id, reviewer_id=member.id,
                                status=AssignmentStatus.ACTIVE, published_at=now,
                                due_at=now + timedelta(days=10))
        db.session.add(assignment)
        db.session.commit()
        data = {f"score_{c.id}": str(c.scale_max) for c in call.criteria}
        data.update(recommendation="interview", confidence="4",
                    comments_to_board="A strong project.", feedback_for_applicant="Clear.")
        if submit:
            data["action"] = "submit"
        return Race(member, f"/review/assignments/{assignment.id}", data,
                    lambda: select(Review).where(Review.assignment_id == assignment.id))
    return build


def post_to_discussion() -> Race:
    _call, application = _review_world()
    hr = _hr()
    url = f"/review/applications/{application.id}/discussion"
    return Race(hr, url, {"body": "Shall we invite this applicant?"},
                lambda: select(DiscussionPost)
                .where(DiscussionPost.application_id == application.id))


def _title_list():
    _call, application = _review_world()
    return application, _member()


def declare_conflict() -> Race:
    application, member = _title_list()
    return Race(member, f"/board/applications/{application.id}/declaration",
                {"answer": "conflict", "reason": "My former student."},
                lambda: (select(Conflict).where(Conflict.application_id == application.id,
                                                Conflict.source == ConflictSource.DECLARED),
                         select(ConflictDeclaration)
                         .where(ConflictDeclaration.application_id == application.id)),
                grows=2, page=f"/board/calls/{application.call_id}")


def bid() -> Race:
    application, member = _title_list()
    return Race(member, f"/board/applications/{application.id}/bid", {"level": "eager"},
                lambda: select(Bid).where(Bid.application_id == application.id),
                page=f"/board/calls/{application.call_id}")


def availability() -> Race:
    application, member = _title_list()
    return Race(member, f"/board/calls/{application.call_id}/availability",
                {"available": "y", "max_load": "4"},
                lambda: select(MemberCallSetting)
                .where(MemberCallSetting.call_id == application.call_id),
                page=f"/board/calls/{application.call_id}")


def first_board_profile() -> Race:
    # No board profile yet; the token comes from the account page, since opening a board
    # page would make the profile before the race.
    user = quick_user(_email("new.reviewer"), Role.REVIEWER)
    data = {"affiliation": "Oxford", "past_affiliations": "", "country": "GB",
            "expertise_keywords": "memory", "expertise_statement": "Memory.", "coauthors": "",
            "default_max_load": "8", "digest": "daily"}
    return Race(user, "/board/profile", data,
                lambda: select(BoardMember).where(BoardMember.user_id == user.id),
                page="/account")


def manual_conflict() -> Race:
    application, member = _title_list()
    data = {"member": str(member.id), "application": str(application.id),
            "reason": "Co-author in 2024."}
    return Race(_hr(), f"/admin/calls/{application.call_id}/conflicts/manual", data,
                lambda: select(Conflict).where(Conflict.application_id == application.id,
                                               Conflict.source == ConflictSource.MANUAL),
                page=f"/admin/calls/{application.call_id}/conflicts")


def add_assignment() -> Race:
    application, member = _title_list()
    data = {"application_id": str(application.id), "member_id": str(member.id)}
    return Race(_hr(), f"/admin/calls/{application.call_id}/assignment/add", data,
                lambda: select(Assignment).where(Assignment.application_id == application.id),
                page=f"/admin/calls/{application.call_id}/assignment")


def _selection_world(status: ApplicationStatus):
    call = make_call(_slug("selection"), status=CallStatus.SELECTION, opens_in_days=-60,
                     closes_in_days=-30)
    applicant = quick_user(_email("applicant"), Role.APPLICANT)
    application = make_application(call, applicant, status=status, complete=True)
    return call, applicant, application


def shortlist() -> Race:
    call, _applicant, application = _selection_world(ApplicationStatus.UNDER_REVIEW)
    data = {"application_id": str(application.id), "outcome": "shortlisted",
            "reason": "Strong reviews."}
    return Race(_hr(), f"/selection/calls/{call.id}/shortlist", data,
                lambda: select(ShortlistMark)
                .where(ShortlistMark.application_id == application.id))


def record_decision() -> Race:
    _call, _applicant, application = _selection_world(ApplicationStatus.INTERVIEW)
    return Race(_hr(), f"/selection/applications/{application.id}/decision",
                {"outcome": "offer", "feedback": "Welcome."},
                lambda: select(Decision).where(Decision.application_id == application.id),
                page=f"/selection/calls/{application.call_id}/decisions")


def letter_template() -> Race:
    call, _applicant, _application = _selection_world(ApplicationStatus.INTERVIEW)
    data = {"subject": "Your application {reference}", "body": "Dear {name},\n\nWelcome.",
            "action": "save"}
    return Race(_hr(), f"/selection/calls/{call.id}/letters/offer/en", data,
                lambda: select(MailText).where(MailText.call_id == call.id))


def create_slot() -> Race:
    call, _applicant, _application = _selection_world(ApplicationStatus.SHORTLISTED)
    panel = _member()
    starts = to_zone(utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT10:00")
    data = {"starts_at": starts, "duration": "45", "location": "Room 2.14", "video_url": "",
            "panel": [str(panel.id)]}
    return Race(_hr(), f"/selection/calls/{call.id}/interviews", data,
                lambda: select(InterviewSlot).where(InterviewSlot.call_id == call.id))


def invite_to_book() -> Race:
    call, _applicant, application = _selection_world(ApplicationStatus.SHORTLISTED)
    return Race(_hr(), f"/selection/calls/{call.id}/interviews/invite", {"confirm": "y"},
                lambda: select(Interview).where(Interview.application_id == application.id),
                page=f"/selection/calls/{call.id}/interviews")


def book_slot() -> Race:
    call, applicant, application = _selection_world(ApplicationStatus.SHORTLISTED)
    slot = make_slot(call, [_member()])
    db.session.add(Interview(application_id=application.id, status=InterviewStatus.INVITED,
                             invited_at=utcnow()))
    db.session.commit()
    return Race(applicant, f"/applications/{application.id}/interview",
                {"slot_id": str(slot.id)},
                lambda: select(Interview).where(Interview.application_id == application.id,
                                                Interview.status == InterviewStatus.BOOKED))


def interview_scores() -> Race:
    call, _applicant, application = _selection_world(ApplicationStatus.INTERVIEW)
    panelist = _member()
    slot = make_slot(call, [panelist], days=-1)  # scores follow the interview
    interview = Interview(application_id=application.id, slot_id=slot.id,
                          status=InterviewStatus.BOOKED, booked_at=utcnow())
    db.session.add(interview)
    db.session.commit()
    data = {f"criterion-{c.id}": str(c.scale_max) for c in call.criteria}
    data["comment"] = "Convincing."
    return Race(panelist, f"/panel/interviews/{interview.id}", data,
                lambda: select(InterviewScore).where(InterviewScore.interview_id == interview.id),
                grows=len(call.criteria))


def discussion_after_review() -> Race:
    call, application = _review_world()
    member = _member()
    submitted_review(application, member, dict.fromkeys(call.criteria, 4))
    return Race(member, f"/review/applications/{application.id}/discussion",
                {"body": "I agree with the others."},
                lambda: select(DiscussionPost)
                .where(DiscussionPost.application_id == application.id))


def _audited(action: str, obj) -> Callable:
    return lambda: select(AuditEvent).where(AuditEvent.action == action,
                                            AuditEvent.object_id == str(obj.id))


def _call_form(call: Call, **overrides) -> dict:
    data = {"slug": call.slug, "title_en": call.title_en, "title_fr": call.title_fr,
            "description_en": "Lead.", "description_fr": "Diriger.",
            "opens_at": "2028-01-10T09:00", "closes_at": "2028-03-31T17:00",
            "reviewers_per_application": "3", "referees_required": "1",
            "summary_word_limit": "100"}
    for kind in ("cv", "research_project", "publications", "other"):
        data.update({f"doc_{kind}-requested": "required" if kind == "cv" else "no",
                     f"doc_{kind}-max_mb": "5", f"doc_{kind}-max_pages": "10"})
    data.update(overrides)
    return data


def edit_call() -> Race:
    call = make_call(_slug("edit"), status=CallStatus.DRAFT)
    first = call.criteria[0]
    data = _call_form(call, **{
        "criteria-0-criterion_id": str(first.id), "criteria-0-name_en": first.name_en,
        "criteria-0-name_fr": first.name_fr, "criteria-0-weight": "2",
        "criteria-0-scale_min": "1", "criteria-0-scale_max": "5",
        "criteria-1-name_en": "Vision", "criteria-1-name_fr": "Vision",
        "criteria-1-weight": "1", "criteria-1-scale_min": "1", "criteria-1-scale_max": "5"})
    return Race(_hr(), f"/admin/calls/{call.id}/edit", data,
                lambda: select(Criterion).where(Criterion.call_id == call.id))


def open_call() -> Race:
    call = make_call(_slug("status"), status=CallStatus.DRAFT, opens_in_days=1)
    return Race(_hr(), f"/admin/calls/{call.id}/status", {"to": "open"},
                _audited("call.status_changed", call), page=f"/admin/calls/{call.id}")


def _published(status=AssignmentStatus.ACTIVE, due_in_days: float = 10, k: int = 3):
    call, application = _review_world()
    call.reviewers_per_application = k
    member = _member()
    now = utcnow()
    assignment = Assignment(application_id=application.id, reviewer_id=member.id,
                            status=status, published_at=now,
                            due_at=now + timedelta(days=due_in_days))
    db.session.add(assignment)
    db.session.commit()
    return call, application, member, assignment


def accept_assignment() -> Race:
    _call, _application, member, assignment = _published()
    return Race(member, f"/review/assignments/{assignment.id}/accept", {},
                _audited("assignment.accepted", assignment), page="/review/")


def decline_assignment() -> Race:
    _call, _application, member, assignment = _published()
    return Race(member, f"/board/assignments/{assignment.id}/decline",
                {"reason": "I am travelling.", "confirm": "y"},
                _audited("assignment.declined", assignment),
                page="/board/assignments")


def replace_declined() -> Race:
    # One member per application: the first replacement completes it.
    _call, application, _member_, _assignment = _published(AssignmentStatus.DECLINED, k=1)
    _member("free")
    _member("also.free")
    return Race(_hr(), f"/admin/assignments/{_assignment.id}/replace", {"confirm": "y"},
                lambda: select(Assignment).where(Assignment.application_id == application.id),
                page=f"/admin/calls/{application.call_id}/assignment")


def reassign_late() -> Race:
    _call, application, _member_, assignment = _published(due_in_days=-1, k=1)
    _member("free")
    _member("also.free")
    return Race(_hr(), f"/review/assignments/{assignment.id}/reassign", {"confirm": "y"},
                lambda: select(Assignment).where(Assignment.application_id == application.id),
                page=f"/review/calls/{application.call_id}/progress")


def publish_assignment() -> Race:
    call, _application, _member_, _assignment = _published(AssignmentStatus.PROPOSED)
    due_on = (utcnow() + timedelta(days=20)).date().isoformat()
    return Race(_hr(), f"/admin/calls/{call.id}/assignment/publish", {"due_on": due_on},
                _audited("assignment.published", call),
                page=f"/admin/calls/{call.id}/assignment")


def _job(kind: JobKind, call: Call) -> Callable:
    return lambda: select(JobRun).where(JobRun.kind == kind, JobRun.call_id == call.id)


def compute_ranking() -> Race:
    call, _applicant, _application = _selection_world(ApplicationStatus.UNDER_REVIEW)
    return Race(_hr(), f"/selection/calls/{call.id}/ranking", {},
                _job(JobKind.RANKING, call), eager=False)


def detect_conflicts() -> Race:
    call, _application = _review_world()
    return Race(_hr(), f"/admin/calls/{call.id}/conflicts/detect", {},
                _job(JobKind.CONFLICTS, call), page=f"/admin/calls/{call.id}/conflicts",
                eager=False)


def run_assignment() -> Race:
    call, _application = _review_world()
    return Race(_hr(), f"/admin/calls/{call.id}/assignment/run", {"confirm": "y"},
                _job(JobKind.ASSIGNMENT, call), page=f"/admin/calls/{call.id}/assignment",
                eager=False)


def withdraw_application() -> Race:
    _call, applicant, application = _open_draft()
    return Race(applicant, f"/applications/{application.id}/withdraw", {"confirm": "y"},
                _audited("application.withdrawn", application))


def screen_application() -> Race:
    _call, application = _review_world()
    application.status = ApplicationStatus.SUBMITTED
    db.session.commit()
    return Race(_hr(), f"/admin/applications/{application.id}/screening",
                {"decision": "eligible"},
                lambda: select(Application).where(
                    Application.id == application.id,
                    Application.status == ApplicationStatus.UNDER_REVIEW),
                page=f"/admin/applications/{application.id}")


def answer_offer() -> Race:
    _call, applicant, application = _selection_world(ApplicationStatus.OFFERED)
    db.session.add(Decision(application_id=application.id, outcome=Outcome.OFFER,
                            sent_at=utcnow(), letter_subject="Offer", letter_body="Welcome."))
    db.session.commit()
    return Race(applicant, f"/applications/{application.id}/decision", {"answer": "accept"},
                _audited("decision.offer_answered", application))


def hr_books_slot() -> Race:
    call, _applicant, application = _selection_world(ApplicationStatus.SHORTLISTED)
    slot = make_slot(call, [_member()])
    return Race(_hr(), f"/selection/applications/{application.id}/interview",
                {"slot_id": str(slot.id)},
                lambda: select(Interview).where(Interview.application_id == application.id,
                                                Interview.status == InterviewStatus.BOOKED))


def _visit_window_data(days: int = 12) -> dict:
    start = to_zone(utcnow() + timedelta(days=days))
    return {"starts_at": start.strftime("%Y-%m-%dT09:00"),
            "ends_at": start.strftime("%Y-%m-%dT17:00"), "note": "Seminar first",
            "application_id": "0"}


def propose_visit_window() -> Race:
    call, _applicant, _application = _selection_world(ApplicationStatus.SHORTLISTED)
    return Race(_hr(), f"/selection/calls/{call.id}/visits", _visit_window_data(),
                lambda: select(VisitWindow).where(VisitWindow.call_id == call.id))


def answer_visit_window() -> Race:
    call, _applicant, _application = _selection_world(ApplicationStatus.SHORTLISTED)
    member = _member()
    window = visits.propose_window(
        call, starts_at=utcnow() + timedelta(days=12),
        ends_at=utcnow() + timedelta(days=12, hours=8), by=_hr())
    db.session.commit()
    return Race(member, "/panel/visits", {f"answer_{window.id}": "yes"},
                lambda: select(VisitAvailability).where(VisitAvailability.window_id == window.id))


def save_evaluation_report() -> Race:
    _call, _applicant, application = _selection_world(ApplicationStatus.UNDER_REVIEW)
    return Race(_hr(), f"/evaluation/applications/{application.id}",
                {"body": "The board praised the clarity of the project."},
                lambda: select(EvaluationReport)
                .where(EvaluationReport.application_id == application.id))


def plan_meeting() -> Race:
    call, _applicant, _application = _selection_world(ApplicationStatus.UNDER_REVIEW)
    hr, member = _hr(), _member()
    snapshot = build_snapshot(call, by=hr)
    db.session.commit()
    start = to_zone(utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT14:00")
    data = {"starts_at": start, "duration": "120", "location": "Room 1", "video_url": "",
            "snapshot": str(snapshot.id), "members": [str(member.id)]}
    return Race(hr, f"/meeting/calls/{call.id}/new", data,
                lambda: select(Meeting).where(Meeting.call_id == call.id))


def edit_roles() -> Race:
    user = quick_user(_email("promoted"), Role.APPLICANT)
    return Race(_hr(), f"/admin/users/{user.id}/roles", {"roles": ["applicant", "reviewer"]},
                lambda: select(UserRole).where(UserRole.user_id == user.id), grows=1)


def two_factor_setup() -> Race:
    user = quick_user(_email("careful"), Role.APPLICANT)
    secret = pyotp.random_base32()
    return Race(user, "/account/two-factor", {"code": pyotp.TOTP(secret).now()},
                lambda: select(RecoveryCode).where(RecoveryCode.user_id == user.id),
                grows=10, session={"2fa_setup_secret": secret})


CASES = [
    ("anonymous", "register an account", register),
    ("hr", "invite a user", invite_user),
    ("hr", "invite a board member", invite_member),
    ("hr", "create a call", create_call),
    ("applicant", "start an application", start_application),
    ("applicant", "save the application form", save_draft),
    ("applicant", "add a referee", add_referee),
    ("applicant", "upload a document", upload_document),
    ("applicant", "submit the application", submit_application),
    ("referee", "send a reference letter", referee_letter),
    ("member", "save a first review draft", save_review(submit=False)),
    ("member", "submit a first review", save_review(submit=True)),
    ("hr", "post to the discussion", post_to_discussion),
    ("member", "post to the discussion after reviewing", discussion_after_review),
    ("member", "declare a conflict", declare_conflict),
    ("member", "bid on an application", bid),
    ("member", "set availability for a call", availability),
    ("member", "save a first board profile", first_board_profile),
    ("hr", "add a manual conflict", manual_conflict),
    ("hr", "assign a member by hand", add_assignment),
    ("hr", "mark for the shortlist", shortlist),
    ("hr", "record a decision", record_decision),
    ("hr", "save a letter template", letter_template),
    ("hr", "create an interview slot", create_slot),
    ("hr", "invite the shortlist to book", invite_to_book),
    ("applicant", "book an interview slot", book_slot),
    ("member", "save interview scores", interview_scores),
    ("hr", "edit a call, adding a criterion", edit_call),
    ("hr", "open a call", open_call),
    ("member", "accept an assignment", accept_assignment),
    ("member", "decline an assignment", decline_assignment),
    ("hr", "replace a declined assignment", replace_declined),
    ("hr", "reassign a late review", reassign_late),
    ("hr", "publish the assignment", publish_assignment),
    ("hr", "compute the ranking", compute_ranking),
    ("hr", "detect conflicts", detect_conflicts),
    ("hr", "run the assignment", run_assignment),
    ("applicant", "withdraw the application", withdraw_application),
    ("hr", "record eligibility", screen_application),
    ("applicant", "answer an offer", answer_offer),
    ("hr", "book a slot for an applicant", hr_books_slot),
    ("applicant", "turn on two-factor sign-in", two_factor_setup),
    ("hr", "give a user a role", edit_roles),
    ("hr", "propose a visit window", propose_visit_window),
    ("member", "answer for a visit window", answer_visit_window),
    ("hr", "save an evaluation report", save_evaluation_report),
    ("hr", "plan a board meeting", plan_meeting),
]


@pytest.fixture(scope="module")
def committed_db(app):
    """Real commits, visible to the request threads; the tables are emptied once, after
    the last case (each case names its rows with its own tag)."""
    yield
    with app.app_context():
        empty_every_table()


@pytest.fixture(scope="module")
def figures(request):
    yield FIGURES
    line = (f"double submissions: {FIGURES['forms']} forms raced in pairs, "
            f"{FIGURES['server_errors']} server errors, "
            f"{FIGURES['duplicate_rows']} duplicate rows")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\n{line}")


@pytest.mark.parametrize("persona,form,build", CASES, ids=[c[1] for c in CASES])
def test_double_submission_makes_one_record(persona, form, build, app, make_app, run_id,
                                            committed_db, figures):
    app.config["RATELIMIT_PREFIX"] = f"icm-test-{uuid.uuid4().hex[:12]}"
    TAG["value"] = uuid.uuid4().hex[:8]
    with app.app_context():
        race = build()
        race.login = race.user.get_id() if race.user is not None else None
        before = _count(race)
        db.session.remove()
    server = app if race.eager else _queueing_app(make_app, run_id)
    try:
        responses = _post_both(server, race)
    finally:
        if server is not app:
            server.extensions["celery"].control.purge()
    with app.app_context():
        grown = _count(race) - before
    errors = [r for r in responses if isinstance(r, Exception) or r.status_code >= 500]
    figures["forms"] += 1
    figures["server_errors"] += len(errors)
    figures["duplicate_rows"] += max(grown - race.grows, 0)
    assert not errors, f"{persona} / {form}: {errors}"
    codes = [r.status_code for r in responses]
    assert any(code in OK for code in codes), f"{persona} / {form}: neither succeeded {codes}"
    assert set(codes) <= OK | REFUSALS, f"{persona} / {form}: {codes}"
    for response in responses:
        if response.status_code in REFUSALS:  # a refusal says why, on the page
            page = response.get_data(as_text=True)
            assert any(mark in page for mark in MESSAGE_MARKS), f"{persona} / {form}: silent"
    assert grown == race.grows, f"{persona} / {form}: {grown} rows, expected {race.grows}"
