"""Every change of reviewing: answer an assignment, save and submit a review, discuss,
reassign. Functions take the acting user, audit, queue mail and flush; the caller commits.

The review deadline is the assignment's own due date (`Assignment.due_at`): the call has no
separate review deadline, and HR moves one member's date when it reassigns or extends.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application
from icm_recruit.applications.rules import OWN_APPLICATION_MESSAGE
from icm_recruit.assignment import declines
from icm_recruit.assignment import operations as assignment_ops
from icm_recruit.assignment import queries as assignment_queries
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.assignment.signals import assignment_declined
from icm_recruit.assignment.solver import suggest_replacement
from icm_recruit.auth.models import User
from icm_recruit.calls.models import Criterion
from icm_recruit.core import audit, locks
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.timeutil import utcnow
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db
from icm_recruit.reviews import queries, rules
from icm_recruit.reviews.models import (
    DiscussionPost,
    Recommendation,
    Review,
    ReviewRescue,
    ReviewScore,
    ReviewStatus,
)

MAX_TEXT = 20_000
MAX_POST = 5_000
REASSIGN_DAYS = 14  # a member taking over a late review gets at least this long
DOUBLE_POST_SECONDS = 60  # the same message again this soon is one post sent twice


class ReviewError(DomainError):
    """A problem the user can fix or must be told about; `code` says which."""

    messages = {
        "forbidden": _l("You cannot do this on this review."),
        "own_application": OWN_APPLICATION_MESSAGE,
        "stage_over": _l("The application has moved on to a later stage: the reviews of "
                         "this stage are kept as they were and can no longer change."),
        "deadline_passed": _l("The review deadline has passed: the review can no longer be "
                              "changed. Your text is still on this page."),
        "score_out_of_range": _l("%(criterion)s: choose a score from %(min)d to %(max)d."),
        "unknown_criterion": _l("A score was sent for a criterion this call does not have."),
        "bad_recommendation": _l("Choose one of the recommendations offered."),
        "confidence_out_of_range": _l("Choose a confidence from 1 to 5."),
        "too_long": _l("The text is too long (at most %(limit)d characters)."),
        "incomplete": _l("To submit, complete: %(missing)s."),
        "reason_needed": _l("Give a reason; HR reads it."),
        "not_a_participant": _l("Only the chair, HR and the members who have submitted their "
                                "review of this application take part in its discussion."),
        "empty_post": _l("Write a message first."),
        "not_late": _l("Only a late or declined review can be reassigned."),
        "review_done": _l("This review is already submitted."),
        "nothing_to_remind": _l("This member has nothing left to review here."),
        "no_replacement": _l("No free board member can take this review; add one by hand on "
                             "the assignment page."),
        "application_full": assignment_ops.AssignmentError.messages["application_full"],
    }
    fallback = _l("This could not be done (%(code)s).")

    def message_params(self) -> dict:
        details = self.details
        return {"criterion": _criterion_name(details.get("criterion_id")),
                "min": details.get("min", 0), "max": details.get("max", 0),
                "limit": details.get("limit", 0), "k": details.get("k", ""),
                "missing": ", ".join(_missing_label(m) for m in details.get("missing", []))}


def _criterion_name(criterion_id) -> str:
    criterion = db.session.get(Criterion, criterion_id) if criterion_id else None
    return criterion.name if criterion else ""


def _missing_label(item) -> str:
    """Missing criteria come as ids, other fields as names."""
    if isinstance(item, int):
        return _criterion_name(item)
    labels = {"recommendation": _("the recommendation"), "confidence": _("the confidence"),
              "comments": _("the comments for the board")}
    return labels.get(item, item)


@dataclass
class ReviewInput:
    """What the review form sends; scores by criterion id, any of them may be missing."""

    scores: dict[int, int | None] = field(default_factory=dict)
    recommendation: str | None = None
    confidence: int | None = None
    comments_to_board: str = ""
    feedback_for_applicant: str = ""


def is_open_for_editing(assignment: Assignment, now: datetime) -> bool:
    """Before its due date, while the application is still at the assignment's stage."""
    return (assignment.stage == assignment.application.stage
            and (assignment.due_at is None or now < assignment.due_at))


def _check_scores(criteria: list[Criterion], scores: dict[int, int | None]) -> None:
    by_id = {c.id: c for c in criteria}
    for criterion_id, value in scores.items():
        criterion = by_id.get(criterion_id)
        if criterion is None:
            raise ReviewError("unknown_criterion")
        if value is None:
            continue
        if not isinstance(value, int) or not criterion.scale_min <= value <= criterion.scale_max:
            raise ReviewError("score_out_of_range", criterion_id=criterion.id,
                              min=criterion.scale_min, max=criterion.scale_max)


def _check_complete(criteria: list[Criterion], data: ReviewInput) -> None:
    missing: list = [c.id for c in criteria if data.scores.get(c.id) is None]
    if data.recommendation is None:
        missing.append("recommendation")
    if data.confidence is None:
        missing.append("confidence")
    if not data.comments_to_board.strip():
        missing.append("comments")
    if missing:
        raise ReviewError("incomplete", missing=missing)


def _check_input(criteria: list[Criterion], data: ReviewInput, *, submit: bool) -> None:
    _check_scores(criteria, data.scores)
    if data.recommendation is not None and data.recommendation not in set(Recommendation):
        raise ReviewError("bad_recommendation")
    if data.confidence is not None and not 1 <= data.confidence <= 5:
        raise ReviewError("confidence_out_of_range")
    if max(len(data.comments_to_board), len(data.feedback_for_applicant)) > MAX_TEXT:
        raise ReviewError("too_long", limit=MAX_TEXT)
    if submit:
        _check_complete(criteria, data)


def _require_reviewer(assignment: Assignment, by: User, now: datetime) -> None:
    if not rules.can_review(by, assignment):
        raise ReviewError("forbidden")
    if assignment.stage != assignment.application.stage:
        raise ReviewError("stage_over")
    if not is_open_for_editing(assignment, now):
        raise ReviewError("deadline_passed")


def _apply(review: Review, criteria: list[Criterion], data: ReviewInput) -> None:
    existing = {s.criterion_id: s for s in review.scores}
    for criterion in criteria:
        value = data.scores.get(criterion.id)
        row = existing.get(criterion.id)
        if value is None:
            if row is not None:
                review.scores.remove(row)
        elif row is None:
            review.scores.append(ReviewScore(criterion_id=criterion.id, score=value,
                                             scale_min=criterion.scale_min,
                                             scale_max=criterion.scale_max))
        else:
            row.score = value
    review.recommendation = Recommendation(data.recommendation) if data.recommendation else None
    review.confidence = data.confidence
    review.comments_to_board = data.comments_to_board
    review.feedback_for_applicant = data.feedback_for_applicant


def save_review(assignment: Assignment, data: ReviewInput, *, by: User, submit: bool,
                now: datetime | None = None) -> Review:
    """Save the member's review as a draft, or submit it (complete); refuse after the
    deadline. A submitted review stays submitted: later saves must be complete too.

    The assignment's row is locked first: a second save sent at the same moment waits,
    then updates the review the first one created.
    """
    now = now or utcnow()
    assignment = locks.lock(Assignment, assignment.id)
    _require_reviewer(assignment, by, now)
    criteria = assignment.application.call.criteria_of(assignment.stage)
    review = queries.review_of(assignment)
    submit = submit or bool(review and review.is_submitted)
    _check_input(criteria, data, submit=submit)
    if review is None:
        review = Review(assignment_id=assignment.id, created_at=now)
        db.session.add(review)
    _apply(review, criteria, data)
    review.updated_at = now
    if submit:
        first = not review.is_submitted
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = review.submitted_at or now
        assignment.status = AssignmentStatus.DONE
        db.session.flush()
        audit.record("review.submitted" if first else "review.updated", actor=by, obj=review,
                     assignment_id=assignment.id, application_id=assignment.application_id)
    db.session.execute(delete(ReviewRescue).where(ReviewRescue.assignment_id == assignment.id))
    db.session.flush()
    return review


def keep_rescued_text(assignment: Assignment, fields: dict, *, by: User) -> None:
    """Keep what a member sent as their session ended; the form offers it back."""
    if assignment.reviewer_id != by.id:
        return
    assignment = locks.lock(Assignment, assignment.id)
    rescue = queries.rescue_of(assignment) or ReviewRescue(assignment_id=assignment.id)
    rescue.data, rescue.saved_at = fields, utcnow()
    db.session.add(rescue)
    db.session.flush()


# ---------------------------------------------------------------- answering an assignment


def accept_assignment(assignment: Assignment, *, by: User) -> None:
    assignment = locks.lock(Assignment, assignment.id)  # accepted twice at once: once
    if assignment.reviewer_id != by.id or assignment.status != AssignmentStatus.ACTIVE:
        raise ReviewError("forbidden")
    if assignment.responded_at is None:
        assignment.responded_at = utcnow()
        db.session.flush()
        audit.record("assignment.accepted", actor=by, obj=assignment,
                     application_id=assignment.application_id)


def decline_assignment(assignment: Assignment, *, reason: str, by: User) -> None:
    """The member declines, with a reason; HR is told so it can find a replacement."""
    if not reason.strip():
        raise ReviewError("reason_needed")
    try:
        declines.decline_assignment(assignment, reason=reason, by=by)
    except assignment_ops.AssignmentError as exc:
        raise ReviewError(exc.code) from exc


@assignment_declined.connect
def _tell_hr_of_decline(_sender, *, assignment_id: int, by: User, **_extra) -> None:
    """HR is told of every decline, from any page, so it can find a replacement."""
    assignment = db.session.get(Assignment, assignment_id)
    application = assignment.application
    for hr in application_rules.hr_for(application):
        queue_mail(to=hr.email, user=hr, locale=hr.locale, template="review_declined",
                   key=f"assignment-declined:{assignment.id}:{hr.id}", context={
                       "member": by.name, "reference": application.reference,
                       "reason": assignment.decline_reason,
                       "url": external_url("reviews.progress", call_id=application.call_id)})


# ---------------------------------------------------------------- discussion


def post_to_discussion(application, body: str, *, by: User) -> DiscussionPost:
    """Add a post to the application's thread; only HR, chair and members who reviewed.

    The same author sending the same text again within a minute sent one post twice (a
    double click, a resent form): they get the post already made.
    """
    body = (body or "").strip()
    if not rules.can_discuss(by, application):
        raise ReviewError("not_a_participant")
    if not body:
        raise ReviewError("empty_post")
    if len(body) > MAX_POST:
        raise ReviewError("too_long", limit=MAX_POST)
    locks.lock(Application, application.id)  # one post at a time per thread
    now = utcnow()
    again = queries.latest_post_by(application, by)
    if again is not None and again.body == body and \
            now - again.created_at < timedelta(seconds=DOUBLE_POST_SECONDS):
        return again
    post = DiscussionPost(application_id=application.id, author_id=by.id, body=body,
                          created_at=now)
    db.session.add(post)
    db.session.flush()
    audit.record("discussion.posted", actor=by, obj=post, application_id=application.id)
    return post


# ---------------------------------------------------------------- HR


def _require_hr(by: User, assignment: Assignment) -> None:
    if application_rules.is_applicant(by, assignment.application):
        raise ReviewError("own_application")
    if not application_rules.can_act_as_hr_on(by, assignment.application):
        raise ReviewError("forbidden")


def reassign(assignment: Assignment, *, by: User, now: datetime | None = None) -> Assignment:
    """Give a late or declined review to the solver's best free member.

    The previous member's draft stays on their old assignment, seen by nobody else.
    """
    now = now or utcnow()
    _require_hr(by, assignment)
    assignment = locks.lock(Assignment, assignment.id)  # reassigned twice at once: once
    review = queries.review_of(assignment)
    if review is not None and review.is_submitted:
        raise ReviewError("review_done")
    late = (assignment.status == AssignmentStatus.ACTIVE and assignment.due_at is not None
            and assignment.due_at <= now)
    if assignment.status != AssignmentStatus.DECLINED and not late:
        raise ReviewError("not_late")
    try:
        if late:
            assignment_ops.remove_assignment(assignment, by=by, reason="late; reassigned by HR")
        new = assignment_ops.replace(assignment, by=by)
    except assignment_ops.AssignmentError as exc:
        raise ReviewError(exc.code, **exc.details) from exc
    floor = now + timedelta(days=REASSIGN_DAYS)
    if new.status == AssignmentStatus.ACTIVE and (new.due_at is None or new.due_at < floor):
        new.due_at = floor
    db.session.flush()
    audit.record("review.reassigned", actor=by, obj=new, previous_id=assignment.id,
                 due_at=new.due_at)
    return new


def replacement_suggestions(call, declined: list[Assignment]) -> dict[int, tuple[str, float]]:
    """For each declined assignment, the member the solver would pick and the affinity."""
    if not declined:
        return {}
    prepared = assignment_ops.prepare(call)
    current = [pair for pair, a in prepared.existing.items() if a.status in AssignmentStatus.held]
    refused = [pair for pair, a in prepared.existing.items()
               if a.status == AssignmentStatus.DECLINED]
    names = {seat.user_id: seat.name for seat in assignment_queries.call_board(call)}
    found = {}
    for assignment in declined:
        if assignment.application_id not in prepared.problem.application_ids:
            continue
        best = suggest_replacement(prepared.problem, current, assignment.application_id,
                                   assignment.reviewer_id, declined=refused)
        if best.member_id is not None:
            found[assignment.id] = (names.get(best.member_id, ""), round(best.affinity, 2))
    return found


def existing_key(key: str) -> bool:
    from icm_recruit.core.outbox import OutboxMessage

    return db.session.scalar(select(OutboxMessage.id)
                             .where(OutboxMessage.idempotency_key == key)) is not None
