"""What each signed-in person's home page shows: HR's calls and the work waiting in each,
a board member's next things to do, an applicant's next step per application.

Each feature answers from its own queries and rules (HR's counts leave out their own
application); this module only puts the answers side by side. A page costs a fixed
number of queries whatever the number of calls, applications or assignments.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from icm_recruit.applications import queries as application_queries
from icm_recruit.applications import rules as application_rules
from icm_recruit.applications import stage_part
from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    RefereeStatus,
    StageProgress,
)
from icm_recruit.assignment import queries as assignment_queries
from icm_recruit.assignment.models import AssignmentStatus
from icm_recruit.auth.models import Role
from icm_recruit.board import queries as board_queries
from icm_recruit.calls.models import Call, CallStatus
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import ngettext
from icm_recruit.extensions import db
from icm_recruit.reviews import queries as review_queries
from icm_recruit.reviews.models import ReviewStatus
from icm_recruit.selection import queries as selection_queries
from icm_recruit.selection import visits
from icm_recruit.selection.models import InterviewStatus, Outcome

HR_CALLS_SHOWN = 8


@dataclass
class Todo:
    """One thing to do (or to know), with where to do it."""

    text: str
    url: str | None = None
    link: str = ""
    due_at: datetime | None = None
    late: bool = False
    # due_at is when it takes place (an interview), not a deadline.
    takes_place: bool = False


@dataclass
class CallBoard:
    """One call on HR's home: counts by status, late reviews and the work waiting."""

    call: Call
    counts: list[tuple[ApplicationStatus, int]]
    total: int
    late_reviews: int
    waiting: list[Todo] = field(default_factory=list)


# ---------------------------------------------------------------- HR


def hr_calls(viewer) -> list[Call]:
    """The calls HR follows from home: every one not archived, the latest deadlines first."""
    return list(db.session.scalars(
        select(Call).where(Call.status != CallStatus.ARCHIVED)
        .options(lazyload(Call.criteria))
        .order_by(Call.closes_at.desc()).limit(HR_CALLS_SHOWN)))


def _hr_waiting(call: Call, counts: dict, found: dict) -> list[Todo]:
    cid, waiting = call.id, []

    def add(number: int, text: str, endpoint: str, link: str, **args) -> None:
        if number:
            waiting.append(Todo(text, url_for(endpoint, call_id=cid, **args), link))

    if call.status == CallStatus.DRAFT:
        waiting.append(Todo(_("The call is a draft: check it and open it."),
                            url_for("calls.admin_show", call_id=cid), _("Open the call page")))
    n = counts.get(ApplicationStatus.SUBMITTED, 0)
    add(n, ngettext("%(num)d application to screen for eligibility",
                    "%(num)d applications to screen for eligibility", n),
        "applications_hr.call_applications", _("Screen"), status="submitted")
    n = found["conflicts"].get(cid, 0)
    add(n, ngettext("%(num)d suggested conflict of interest to confirm or dismiss",
                    "%(num)d suggested conflicts of interest to confirm or dismiss", n),
        "board.conflicts", _("Decide"), status="suggested")
    n = found["proposed"].get(cid, 0)
    add(n, ngettext("%(num)d proposed assignment to publish to the board",
                    "%(num)d proposed assignments to publish to the board", n),
        "assignment.proposal", _("Review and publish"))
    n = found["late"].get(cid, 0)
    add(n, ngettext("%(num)d late review: remind the member",
                    "%(num)d late reviews: remind the members", n),
        "reviews.progress", _("Review progress"))
    n = found["replace"].get(cid, 0)
    add(n, ngettext("%(num)d declined review to give to another member",
                    "%(num)d declined reviews to give to other members", n),
        "reviews.progress", _("Review progress"))
    n = found["unmarked"].get(cid, 0)
    add(n, ngettext("%(num)d reviewed application to mark on the shortlist",
                    "%(num)d reviewed applications to mark on the shortlist", n),
        "selection.shortlist", _("Shortlist"))
    selection = found["selection"]
    n = selection.get("outcomes", {}).get(cid, 0)
    add(n, ngettext("%(num)d shortlist outcome to send", "%(num)d shortlist outcomes to send",
                    n), "selection.outcomes", _("Send the outcomes"))
    n = selection.get("to_invite", {}).get(cid, 0)
    add(n, ngettext("%(num)d shortlisted applicant to invite to an interview",
                    "%(num)d shortlisted applicants to invite to an interview", n),
        "interviews.slots", _("Interviews"))
    n = selection.get("letters", {}).get(cid, 0)
    add(n, ngettext("%(num)d decision letter to send", "%(num)d decision letters to send", n),
        "decisions.call_decisions", _("Decisions"))
    n = selection.get("offers", {}).get(cid, 0)
    add(n, ngettext("%(num)d offer waits for the applicant’s answer",
                    "%(num)d offers wait for the applicants’ answers", n),
        "decisions.call_decisions", _("Decisions"))
    return waiting


def hr_home(viewer, now: datetime) -> list[CallBoard]:
    """HR's calls with their counts and the work waiting, in a fixed number of queries."""
    calls = hr_calls(viewer)
    ids = [c.id for c in calls]
    counts = application_queries.status_counts_by_call(ids, viewer)
    found = {"conflicts": board_queries.suggested_conflict_counts(ids, viewer),
             "proposed": assignment_queries.proposed_counts(ids, viewer),
             "late": review_queries.late_review_counts(ids, now, viewer),
             "replace": review_queries.replacement_counts(ids, viewer),
             "unmarked": {call.id: n for call, n
                          in selection_queries.unmarked_counts(viewer, ids)},
             "selection": selection_queries.waiting_for_hr(ids, viewer)}
    boards = []
    for call in calls:
        by_status = counts.get(call.id, {})
        boards.append(CallBoard(
            call=call, counts=[(s, by_status[s]) for s in ApplicationStatus if by_status.get(s)],
            total=sum(by_status.values()), late_reviews=found["late"].get(call.id, 0),
            waiting=_hr_waiting(call, by_status, found)))
    return boards


# ---------------------------------------------------------------- board members


def member_home(user, now: datetime) -> list[Todo]:
    """A board member's next things to do, late reviews first, then by due date."""
    todos = []
    for call, count in board_queries.undeclared_counts(user):
        todos.append(Todo(
            ngettext("%(call)s: say for %(num)d application whether you have a conflict of "
                     "interest", "%(call)s: say for %(num)d applications whether you have a "
                     "conflict of interest", count, call=call.title),
            url_for("board.call_list", call_id=call.id), _("Declare")))
    if user.has_role(Role.CHAIR):
        for call, count in selection_queries.unmarked_counts(user):
            todos.append(Todo(
                ngettext("%(call)s: mark %(num)d reviewed application on the shortlist",
                         "%(call)s: mark %(num)d reviewed applications on the shortlist",
                         count, call=call.title),
                url_for("selection.shortlist", call_id=call.id), _("Shortlist")))
    reviews = []
    for rows in review_queries.member_assignments(user).values():
        for row in rows:
            assignment = row.assignment
            if (assignment.status != AssignmentStatus.ACTIVE
                    or row.review_status == ReviewStatus.SUBMITTED):
                continue
            application = assignment.application
            text = (_("Write your review of %(ref)s: %(title)s", ref=application.reference,
                      title=application.title) if row.review_status is None
                    else _("Finish your review of %(ref)s: %(title)s",
                           ref=application.reference, title=application.title))
            reviews.append(Todo(
                text, url_for("reviews.review_form", assignment_id=assignment.id),
                _("Review"), due_at=assignment.due_at,
                late=assignment.due_at is not None and assignment.due_at < now))
    reviews.sort(key=lambda t: (not t.late, t.due_at is None, t.due_at or now))
    # Late reviews come before everything else, then the declarations, then the others.
    todos = ([t for t in reviews if t.late] + todos + [t for t in reviews if not t.late])
    windows = visits.unanswered_count(user)
    if windows:
        todos.append(Todo(ngettext("Say whether you are free in %(num)d window proposed for "
                                   "interview visits", "Say whether you are free in %(num)d "
                                   "windows proposed for interview visits", windows),
                          url_for("interviews.visit_availability"), _("Availability")))
    for interview, scored in selection_queries.panel_interviews_scored(user):
        starts_at = interview.slot.starts_at
        reference = interview.application.reference
        if starts_at > now:
            todos.append(Todo(_("Panel interview of %(ref)s", ref=reference),
                              url_for("interviews.panel_home"), _("Panel"), due_at=starts_at,
                              takes_place=True))
        elif not scored:
            todos.append(Todo(_("Score the interview of %(ref)s", ref=reference),
                              url_for("interviews.score", interview_id=interview.id),
                              _("Score"), due_at=starts_at))
    return todos


# ---------------------------------------------------------------- applicants


def _draft_step(application: Application, now: datetime) -> Todo:
    edit = url_for("applications.edit", application_id=application.id)
    if not application.accepts_changes(now):
        return Todo(_("The deadline has passed: this application was not submitted."),
                    url_for("applications.status", application_id=application.id),
                    _("Timeline"))
    missing = application.missing()
    text = (ngettext("Complete %(num)d item and submit by the deadline.",
                     "Complete %(num)d items and submit by the deadline.", len(missing))
            if missing else _("Everything is there: submit by the deadline."))
    return Todo(text, edit, _("Continue"), due_at=application.deadline)


def _letters_missing(application: Application) -> int:
    needed = application.call.referees_required
    received = sum(1 for r in application.referee_requests
                   if r.status == RefereeStatus.RECEIVED)
    return max(needed - received, 0)


def _after_shortlist(application: Application, now: datetime, interview,
                     decision) -> Todo | None:
    status = application.status
    portal = url_for("decisions.portal", application_id=application.id)
    book = url_for("interviews.book", application_id=application.id)
    if status in ApplicationStatus.interviewable and interview is not None:
        if interview.status == InterviewStatus.BOOKED and interview.slot is not None:
            starts_at = interview.slot.starts_at
            if starts_at < now:
                return Todo(_("Interview held: the decision will be sent to you."), book,
                            _("Interview"), due_at=starts_at)
            return Todo(_("Your interview is booked."), book, _("Interview"),
                        due_at=starts_at)
        return Todo(_("Book your interview: choose a time slot."), book, _("Book"))
    if status == ApplicationStatus.SHORTLISTED:
        return Todo(_("Shortlisted: HR will invite you to book an interview."))
    if (status == ApplicationStatus.OFFERED and decision is not None
            and decision.outcome == Outcome.OFFER and decision.response is None):
        return Todo(_("You have an offer: read it and give your answer."), portal,
                    _("Answer the offer"))
    if decision is not None and status in ApplicationStatus.at_decision:
        text = {ApplicationStatus.WAITLISTED: _("You are on the waiting list."),
                ApplicationStatus.ACCEPTED: _("You accepted the offer."),
                ApplicationStatus.DECLINED: _("You declined the offer."),
                ApplicationStatus.REJECTED: _("The decision was sent to you.")}.get(status)
        return Todo(text or _("The decision was sent to you."), portal, _("Read the decision"))
    return None


def _stage_step(application: Application, now: datetime, status_page: str) -> Todo:
    """At a later stage: send its part by its deadline, or wait for the board."""
    stage = stage_part.current_stage(application)
    entry = stage_part.entry_of(application)
    name = stage.name if stage else ""
    if stage_part.is_open(application, entry, now):
        return Todo(_("Selected for the stage “%(name)s”: send your part by its deadline.",
                      name=name),
                    url_for("applications.edit", application_id=application.id,
                            _anchor="stage"), _("Send it"), due_at=stage.closes_at)
    if entry is not None and entry.progress == StageProgress.MISSED:
        return Todo(_("The deadline of the stage “%(name)s” passed before your part was sent.",
                      name=name), status_page, _("Timeline"))
    return Todo(_("Stage “%(name)s”: under review by the Scientific Advisory Board.",
                  name=name), status_page, _("Timeline"))


def _applicant_step(user, application: Application, now: datetime, interview,
                    decision) -> Todo:
    status_page = url_for("applications.status", application_id=application.id)
    status = application.status
    if status == ApplicationStatus.DRAFT:
        return _draft_step(application, now)
    later = _after_shortlist(application, now, interview, decision)
    if later is not None:
        return later
    if status == ApplicationStatus.INELIGIBLE:
        reason = application_rules.ineligibility_told_to(user, application)
        return Todo(_("Found not eligible: %(reason)s", reason=reason) if reason
                    else _("Found not eligible."), status_page, _("Details"))
    if application.changing and application.may_change_submitted(now):
        return Todo(_("You started changing your submitted application: submit the changes "
                      "before the deadline, or the version you submitted stands."),
                    url_for("applications.edit", application_id=application.id,
                            _anchor="submit"), _("Go on with the changes"),
                    due_at=application.deadline)
    if status == ApplicationStatus.SUBMITTED:
        missing = _letters_missing(application)
        # Referees still to name (one declined, or the list falls short): no one to remind.
        standing = sum(1 for r in application.named_referees()
                       if r.status != RefereeStatus.DECLINED)
        unnamed = min(missing, application.call.referees_required - standing)
        if unnamed > 0:
            text = (ngettext(
                "Submitted. Name %(num)d more referee so that the letter can arrive.",
                "Submitted. Name %(num)d more referees so that the letters can arrive.",
                unnamed) if standing else ngettext(
                "Submitted. Name %(num)d referee so that the letter can arrive.",
                "Submitted. Name %(num)d referees so that the letters can arrive.", unnamed))
            return Todo(text, url_for("applications.edit", application_id=application.id,
                                      _anchor="referees"), _("Name a referee"))
        if missing:
            return Todo(ngettext(
                "Submitted. %(num)d reference letter is still missing: remind your referee.",
                "Submitted. %(num)d reference letters are still missing: remind your "
                "referees.", missing), url_for("applications.edit",
                                               application_id=application.id,
                                               _anchor="referees"), _("Referees"))
        return Todo(_("Submitted: HR checks its eligibility."), status_page, _("Timeline"))
    if status == ApplicationStatus.UNDER_REVIEW and application.stage > 1:
        return _stage_step(application, now, status_page)
    if status == ApplicationStatus.UNDER_REVIEW:
        return Todo(_("Under review by the Scientific Advisory Board."), status_page,
                    _("Timeline"))
    if status == ApplicationStatus.REJECTED and application.stage < application.call.stage_count:
        return Todo(_("Not selected for the next stage."), status_page, _("Timeline"))
    if status == ApplicationStatus.REJECTED:
        return Todo(_("Not selected for an interview."), status_page, _("Timeline"))
    if status == ApplicationStatus.WITHDRAWN:
        return Todo(_("You withdrew this application."), status_page, _("Timeline"))
    return Todo(str(status.label), status_page, _("Timeline"))


def applicant_home(user, now: datetime) -> list[tuple[Application, Todo]]:
    """Each of the user's applications with its next step, newest first."""
    applications = application_queries.applications_with_progress_of(user)
    interviews, decisions = selection_queries.applicant_selection(a.id for a in applications)
    return [(a, _applicant_step(user, a, now, interviews.get(a.id), decisions.get(a.id)))
            for a in applications]
