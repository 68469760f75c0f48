"""Propose, edit, publish and repair the assignment of a call's applications to the board.

The proposal comes from the exact solver (``solver.solve``) on the affinities of
``affinity.py`` (lexical and dense, embeddings kept per text in the database); every
manual change is checked against the access rules (conflicts) and the loads. Functions
take the acting user, audit and flush; the caller commits once.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from flask_babel import get_locale
from sqlalchemy import delete, not_, select

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application, ApplicationStatus, StageProgress
from icm_recruit.applications.publications import publications_by_user
from icm_recruit.applications.stage_part import entry_of
from icm_recruit.assignment import affinity, queries, rules
from icm_recruit.assignment.models import Assignment, AssignmentOrigin, AssignmentStatus
from icm_recruit.assignment.notify import notify_published, notify_replacement
from icm_recruit.assignment.project_text import project_texts
from icm_recruit.assignment.solver import (
    AssignmentProblem,
    AssignmentResult,
    Notice,
    SolverOptions,
    describe,
    solve,
    suggest_replacement,
)
from icm_recruit.assignment.vectors import database_encoder
from icm_recruit.auth.models import Role, User
from icm_recruit.board import rules as board_rules
from icm_recruit.board import signals as board_signals
from icm_recruit.calls.models import Call
from icm_recruit.core import audit, locks
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.i18n import ngettext
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db

Progress = Callable[[int], None]
TOP_TERMS = 5


class AssignmentError(DomainError):
    """A problem HR can act on; `code` says which."""

    messages = {
        "forbidden": _l("You cannot do this."),
        "conflicted": _l("This member has a conflict of interest with this application."),
        "not_on_board": _l("This member is not active or not available for this call."),
        "over_load": _l("This member has reached their maximum load (%(cap)s)."),
        "application_full": _l("This application already has %(k)s members; remove one "
                               "first or replace one."),
        "already_assigned": _l("This member already has this application."),
        "not_assignable": _l("This application is not waiting for review."),
        "nothing_to_publish": _l("There is no proposed assignment to publish."),
        "unscreened": _l("%(n)s applications in the proposal are not screened yet. Screen "
                         "them first, or confirm that they are to be marked eligible."),
        "not_declined": _l("Only a declined assignment can be replaced."),
        "review_done": _l("The review is already submitted."),
        "not_editable": _l("This assignment cannot be changed any more."),
        "reason_needed": _l("Give a reason."),
        "not_restorable": _l("Only an assignment HR withdrew, and nobody replaced, can be "
                             "given back."),
    }

    def message_params(self) -> dict:
        return {"cap": self.details.get("cap", ""), "k": self.details.get("k", ""),
                "n": self.details.get("n", "")}

    @property
    def message(self) -> str:
        if self.code == "no_replacement":  # the solver says why, in its own words
            notice = self.details["notice"]
            return describe(Notice(notice["code"], notice["params"]), str(get_locale() or "en"))
        return super().message


@dataclass
class Prepared:
    """A call's assignment problem with what is needed to store and explain its answer."""

    call: Call
    problem: AssignmentProblem
    model: affinity.AffinityModel
    bids: dict[tuple[int, int], str]
    blocked: set[tuple[int, int]]
    existing: dict[tuple[int, int], Assignment]


def _require_admin(user: User) -> None:
    if not user.has_role(Role.ADMIN):
        raise AssignmentError("forbidden")


def _require_hr_on(user: User, application: Application) -> None:
    """HR who handles the application; never the applicant themselves."""
    if application_rules.is_applicant(user, application):
        raise AssignmentError("own_application")
    if not rules.can_assign(user, application):
        raise AssignmentError("forbidden")


def _recent_titles(papers) -> list[str]:
    """Return publication titles, the most recent first."""
    ordered = sorted(papers, key=lambda p: (p.year is None, -(p.year or 0), p.id))
    return [p.title for p in ordered]


def _texts(applications, seats) -> tuple[list, list]:
    """Return the matching texts of applications (with the research project) and members
    (with the titles of their imported publications)."""
    projects = project_texts(applications)
    papers = publications_by_user([s.user_id for s in seats])
    return (
        [affinity.ApplicationText(a.id, a.title, a.keyword_list, a.summary,
                                  projects.get(a.id, "")) for a in applications],
        [affinity.MemberText(s.user_id, [k.strip() for k in
                                         s.member.expertise_keywords.split(",") if k.strip()],
                             s.member.expertise_statement,
                             _recent_titles(papers.get(s.user_id, []))) for s in seats])


def _model(applications, seats) -> affinity.AffinityModel:
    """Build the call's affinity from its texts."""
    return affinity.build_model(*_texts(applications, seats), encoder=database_encoder())


def embed_ahead(calls, limit: int) -> int:
    """Embed up to `limit` texts the calls' next assignment will need; return how many.

    Run by beat, so that the assignment job finds the vectors kept and only scores.
    """
    done = 0
    for call in calls:
        if done >= limit:
            break
        seats = [s for s in queries.call_board(call) if s.available]
        texts = affinity.dense_texts(*_texts(queries.assignable_applications(call), seats))
        done += database_encoder().warm(texts, limit - done)
        db.session.flush()
    return done


def prepare(call: Call, *, progress: Progress | None = None) -> Prepared:
    """Read a call's applications, board, bids, conflicts and current assignments."""
    progress = progress or (lambda _: None)
    applications = queries.assignable_applications(call)
    seats = [s for s in queries.call_board(call) if s.available]
    progress(10)
    model = _model(applications, seats)
    bids = queries.bids_of_call(call)
    scores = affinity.affinity_matrix(model, {p: affinity.Bid(b) for p, b in bids.items()})
    progress(30)
    blocked = queries.blocked_pairs(call, [s.user_id for s in seats])
    existing = {(a.application_id, a.reviewer_id): a for a in queries.call_assignments(call)}
    progress(45)
    on_board = {s.user_id for s in seats}
    locks, declined, held_elsewhere = [], [], {}
    for (app_id, user_id), a in existing.items():
        if a.status == AssignmentStatus.DECLINED:
            declined.append((app_id, user_id))
        elif user_id not in on_board:
            held_elsewhere[app_id] = held_elsewhere.get(app_id, 0) + 1
        elif a.status != AssignmentStatus.PROPOSED or a.locked \
                or a.origin == AssignmentOrigin.MANUAL:
            locks.append((app_id, user_id))
    k = call.review_k
    problem = AssignmentProblem(
        application_ids=[a.id for a in applications], member_ids=[s.user_id for s in seats],
        scores=scores, k=[max(k - held_elsewhere.get(a.id, 0), 0) for a in applications],
        max_load=[s.cap for s in seats], conflicts=blocked, exclusions=declined, locks=locks,
        labels={a.id: a.reference or str(a.id) for a in applications})
    return Prepared(call, problem, model, bids, blocked, existing)


def _explanation(prepared: Prepared, app_id: int, user_id: int) -> dict:
    terms = affinity.explain(prepared.model, app_id, user_id, TOP_TERMS)
    return {"shared_terms": [[t.term, round(t.contribution, 4)] for t in terms],
            "bid": prepared.bids.get((app_id, user_id))}


def _store(prepared: Prepared, result: AssignmentResult, *, by: User | None, job_id) -> None:
    """Replace the unlocked automatic proposals by the solver's pairs."""
    chosen = {(p.application_id, p.member_id): p for p in result.pairs}
    for pair, a in prepared.existing.items():
        stale = a.status == AssignmentStatus.PROPOSED and pair not in chosen and (
            pair in prepared.blocked or (not a.locked and a.origin == AssignmentOrigin.AUTO))
        if stale:
            db.session.delete(a)
    for pair, chosen_pair in chosen.items():
        a = prepared.existing.get(pair)
        if a is None:
            a = Assignment(application_id=pair[0], reviewer_id=pair[1],
                           stage=prepared.call.current_stage,
                           status=AssignmentStatus.PROPOSED, origin=AssignmentOrigin.AUTO,
                           created_by_id=getattr(by, "id", None), job_run_id=job_id)
            db.session.add(a)
        a.affinity = round(float(chosen_pair.affinity), 6)
        a.explanation = _explanation(prepared, *pair)
    db.session.flush()


def notice_dict(notice: Notice) -> dict:
    return {"code": notice.code, "params": {k: (v.item() if isinstance(v, np.generic) else v)
                                            for k, v in notice.params.items()},
            "application_id": notice.application_id, "member_id": notice.member_id}


def propose_assignment(call: Call, *, by: User | None, job_id: int | None = None,
                       progress: Progress | None = None, fairness: bool = False) -> dict:
    """Solve a call's assignment and store it as a proposal; return the summary."""
    progress = progress or (lambda _: None)
    prepared = prepare(call, progress=progress)
    result = solve(prepared.problem, SolverOptions(fairness=fairness))
    progress(75)
    _store(prepared, result, by=by, job_id=job_id)
    summary = {
        "applications": len(prepared.problem.application_ids),
        "members": len(prepared.problem.member_ids),
        "k": call.review_k, "stage": call.current_stage, "pairs": len(result.pairs),
        "objective": round(result.objective, 4), "optimal": result.optimal,
        "status": result.status, "fairness": fairness,
        "shortfalls": [notice_dict(n) for n in result.shortfalls],
        "notices": [notice_dict(n) for n in result.notices],
    }
    audit.record("assignment.proposed", actor=by, obj=call, job_id=job_id,
                 **{k: v for k, v in summary.items() if k not in ("shortfalls", "notices")},
                 shortfalls=len(result.shortfalls))
    return summary


# ---------------------------------------------------------------- HR edits the proposal


def _seat_of(call: Call, user_id: int) -> queries.Seat | None:
    return next((s for s in queries.call_board(call) if s.user_id == user_id and s.available),
                None)


def _stage_part_in(application: Application) -> bool:
    """At a later stage, the board reviews only what the applicant sent in."""
    if application.stage == 1:
        return True
    entry = entry_of(application)
    return entry is not None and entry.progress == StageProgress.SUBMITTED


def _check_can_give(application: Application, reviewer: User, *, ignoring: Assignment | None
                    ) -> queries.Seat:
    """Refuse a pair the rules forbid: conflict, not on the board, full member or application."""
    call = application.call
    if application.status not in ApplicationStatus.in_review \
            or application.stage != call.current_stage or not _stage_part_in(application):
        raise AssignmentError("not_assignable")
    if queries.is_blocked(application, reviewer.id):
        raise AssignmentError("conflicted")
    seat = _seat_of(call, reviewer.id)
    if seat is None:
        raise AssignmentError("not_on_board")
    same_member = ignoring is not None and ignoring.reviewer_id == reviewer.id
    if queries.member_load(call.id, reviewer.id) - same_member >= seat.cap:
        raise AssignmentError("over_load", cap=seat.cap)
    if queries.application_load(application.id) - (ignoring is not None) \
            >= call.review_k:
        raise AssignmentError("application_full", k=call.review_k)
    return seat


def _pair_affinity(application: Application, user_id: int) -> tuple[float | None, dict]:
    """Score one pair against the call's whole vocabulary, as the solver would."""
    call = application.call
    seats = [s for s in queries.call_board(call) if s.available]
    applications = queries.assignable_applications(call)
    model = _model(applications, seats)
    if user_id not in model.member_ids or application.id not in model.application_ids:
        return None, {}
    score = affinity.pair_score(model, application.id, user_id)
    terms = affinity.explain(model, application.id, user_id, TOP_TERMS)
    return round(score, 6), {"shared_terms": [[t.term, round(t.contribution, 4)]
                                              for t in terms]}


def add_manual(application: Application, reviewer: User, *, by: User,
               replacing: Assignment | None = None) -> Assignment:
    """Give an application to a member by hand (locked), optionally in place of another.

    The application's row is locked first, so the same pair added twice at once is added
    once, and the load checks count what the other request wrote.
    """
    _require_hr_on(by, application)
    application = locks.lock(Application, application.id)
    if replacing is not None and replacing.application_id != application.id:
        raise AssignmentError("not_assignable")
    _check_can_give(application, reviewer, ignoring=replacing)
    if replacing is not None:
        remove_assignment(replacing, by=by)
    existing = db.session.scalar(select(Assignment).where(
        Assignment.application_id == application.id, Assignment.reviewer_id == reviewer.id,
        Assignment.stage == application.stage))
    if existing is not None and existing.status in AssignmentStatus.held:
        raise AssignmentError("already_assigned")
    assignment = existing or Assignment(application_id=application.id, reviewer_id=reviewer.id,
                                        stage=application.stage)
    if existing is None:
        db.session.add(assignment)
    assignment.status, assignment.origin = AssignmentStatus.PROPOSED, AssignmentOrigin.MANUAL
    assignment.locked, assignment.created_by_id = True, by.id
    assignment.decline_reason = assignment.responded_at = assignment.published_at = None
    assignment.affinity, assignment.explanation = _pair_affinity(application, reviewer.id)
    db.session.flush()
    audit.record("assignment.added", actor=by, obj=assignment, application_id=application.id,
                 reviewer_id=reviewer.id, replacing=getattr(replacing, "id", None))
    return assignment


WITHDRAWN_BY_HR = "withdrawn by HR"


def remove_assignment(assignment: Assignment, *, by: User, reason: str = WITHDRAWN_BY_HR
                      ) -> None:
    """Drop a proposal, or withdraw a published assignment (kept as declined, for history)."""
    _require_hr_on(by, assignment.application)
    if assignment.status == AssignmentStatus.DONE:
        raise AssignmentError("review_done")
    audit.record("assignment.removed", actor=by, obj=assignment,
                 application_id=assignment.application_id,
                 reviewer_id=assignment.reviewer_id, status=assignment.status.value)
    if assignment.status == AssignmentStatus.PROPOSED:
        db.session.delete(assignment)
    elif assignment.status == AssignmentStatus.ACTIVE:
        assignment.status, assignment.decline_reason = AssignmentStatus.DECLINED, reason
        assignment.responded_at = utcnow()
    db.session.flush()


def can_restore(assignment: Assignment) -> bool:
    """Whether a published assignment HR withdrew may be given back to its member."""
    return (assignment.status == AssignmentStatus.DECLINED and assignment.published_at is not None
            and assignment.decline_reason == WITHDRAWN_BY_HR and not assignment.ended_by_conflict)


def restore_assignment(assignment: Assignment, *, by: User) -> None:
    """Give a withdrawn assignment back, unless a replacement, a conflict or a full load
    now stands in the way."""
    _require_hr_on(by, assignment.application)
    if not can_restore(assignment):
        raise AssignmentError("not_restorable")
    locks.lock(Application, assignment.application_id)
    _check_can_give(assignment.application, assignment.reviewer, ignoring=None)
    assignment.status, assignment.decline_reason = AssignmentStatus.ACTIVE, None
    assignment.responded_at = None
    db.session.flush()
    audit.record("assignment.restored", actor=by, obj=assignment,
                 application_id=assignment.application_id, reviewer_id=assignment.reviewer_id)


def recomputed_proposals(call: Call) -> dict[str, int]:
    """What running the computation again would touch: the unlocked automatic proposals
    (computed again) and the manual or locked ones (kept)."""
    proposed = [a for a in queries.call_assignments(call)
                if a.status == AssignmentStatus.PROPOSED]
    redone = sum(1 for a in proposed if not a.locked and a.origin == AssignmentOrigin.AUTO)
    return {"redone": redone, "kept": len(proposed) - redone}


def set_locked(assignment: Assignment, locked: bool, *, by: User) -> None:
    _require_hr_on(by, assignment.application)
    if assignment.status not in AssignmentStatus.changeable:
        raise AssignmentError("not_editable")
    assignment.locked = locked
    db.session.flush()
    audit.record("assignment.locked" if locked else "assignment.unlocked", actor=by,
                 obj=assignment)


# ---------------------------------------------------------------- publishing


def unscreened_in_proposal(call: Call) -> list[Application]:
    """Applications of the proposal HR has not screened yet, by reference."""
    applications = {a.application for a in queries.call_assignments(call)
                    if a.status == AssignmentStatus.PROPOSED}
    return sorted((a for a in applications if a.status == ApplicationStatus.SUBMITTED),
                  key=lambda a: a.reference or "")


def publish(call: Call, *, due_at: datetime, by: User,
            mark_eligible: int | None = None) -> int:
    """Make every proposal of a call active, notify each member once, start the reviews.

    Applications not screened yet are refused, unless HR confirmed marking exactly that
    many eligible (`mark_eligible`): a new unscreened one since the confirmation asks again.
    """
    from icm_recruit.applications.operations import screen_application

    _require_admin(by)
    locks.lock(Call, call.id)
    drop_conflicted_proposals(call.id, by=by)
    proposals = [a for a in queries.call_assignments(call)
                 if a.status == AssignmentStatus.PROPOSED]
    if not proposals:  # also the second of two clicks: the row lock above made it wait
        raise AssignmentError("nothing_to_publish")
    unscreened = unscreened_in_proposal(call)
    if unscreened and mark_eligible != len(unscreened):
        raise AssignmentError("unscreened", n=len(unscreened))
    now = utcnow()
    for assignment in proposals:
        assignment.status, assignment.due_at, assignment.published_at = (
            AssignmentStatus.ACTIVE, due_at, now)
    db.session.flush()
    for application in unscreened:
        screen_application(application, eligible=True, reason="", by=by)
    if unscreened:
        audit.record("assignment.unscreened_marked_eligible", actor=by, obj=call,
                     count=len(unscreened), references=[a.reference for a in unscreened])
    notify_published(call, proposals)
    audit.record("assignment.published", actor=by, obj=call, assignments=len(proposals),
                 members=len({a.reviewer_id for a in proposals}), due_at=due_at.isoformat(),
                 marked_eligible=len(unscreened))
    return len(proposals)


# ---------------------------------------------------------------- declines and replacements


def decline(assignment: Assignment, *, reason: str, by: User) -> bool:
    """The member declines a published assignment, with a reason HR reads.

    Return False when it was already declined by them (the same answer sent twice): the
    row is locked first, so the second of two at once sees the first one's decline.
    """
    assignment = locks.lock(Assignment, assignment.id)
    if assignment.reviewer_id == by.id and assignment.status == AssignmentStatus.DECLINED:
        return False
    if assignment.reviewer_id != by.id or assignment.status != AssignmentStatus.ACTIVE:
        raise AssignmentError("forbidden")
    if not reason.strip():
        raise AssignmentError("reason_needed")
    assignment.status = AssignmentStatus.DECLINED
    assignment.decline_reason, assignment.responded_at = reason.strip()[:2000], utcnow()
    db.session.flush()
    audit.record("assignment.declined", actor=by, obj=assignment,
                 application_id=assignment.application_id, reason=assignment.decline_reason)
    return True


def replace(assignment: Assignment, *, by: User) -> Assignment:
    """Give a declined assignment to the best free member, every other assignment kept,
    while the application lacks members: the application's row is locked first, so the
    second of two at once finds it complete."""
    _require_hr_on(by, assignment.application)
    if assignment.status != AssignmentStatus.DECLINED:
        raise AssignmentError("not_declined")
    application = locks.lock(Application, assignment.application_id)
    call = application.call
    if queries.application_load(application.id) >= call.review_k:
        raise AssignmentError("application_full", k=call.review_k)
    prepared = prepare(call)
    if assignment.application_id not in prepared.problem.application_ids:
        raise AssignmentError("not_assignable")
    current = [p for p, a in prepared.existing.items() if a.status in AssignmentStatus.held]
    declined = [p for p, a in prepared.existing.items()
                if a.status == AssignmentStatus.DECLINED]
    found = suggest_replacement(prepared.problem, current, assignment.application_id,
                                assignment.reviewer_id, declined=declined)
    if found.member_id is None:
        raise AssignmentError("no_replacement", notice=notice_dict(found.notice))
    new = Assignment(application_id=assignment.application_id, reviewer_id=found.member_id,
                     stage=assignment.stage, origin=AssignmentOrigin.MANUAL, locked=True,
                     created_by_id=by.id,
                     affinity=round(float(found.affinity), 6),
                     explanation=_explanation(prepared, assignment.application_id,
                                              found.member_id))
    if assignment.published_at is not None:
        new.status, new.due_at, new.published_at = (AssignmentStatus.ACTIVE, assignment.due_at,
                                                     utcnow())
    db.session.add(new)
    db.session.flush()
    audit.record("assignment.replaced", actor=by, obj=new, declined_id=assignment.id,
                 reviewer_id=found.member_id, affinity=new.affinity)
    if new.status == AssignmentStatus.ACTIVE:
        notify_replacement(new)
    return new


# ---------------------------------------------------------------- conflicts win


def _assignments_of_pairs(pairs, *conditions) -> list[Assignment]:
    wanted = set(pairs)
    rows = db.session.scalars(select(Assignment).where(
        board_rules.among_pairs(Assignment.reviewer_id, Assignment.application_id, wanted),
        *conditions).order_by(Assignment.id))
    return [a for a in rows if (a.reviewer_id, a.application_id) in wanted]


def withdraw_conflicted(pairs, *, by: User | None) -> int:
    """End the assignments of (reviewer, application) pairs that have just become conflicted.

    A proposal is dropped; a published assignment is withdrawn and marked as ended by the
    conflict, so that dismissing the conflict can give it back; a done one stays done (its
    review is kept and stops counting, see reviews.rules).
    """
    ended = _assignments_of_pairs(pairs, Assignment.status.in_(AssignmentStatus.changeable))
    for assignment in ended:
        audit.record("assignment.withdrawn_for_conflict", actor=by, object_type="assignment",
                     object_id=assignment.id, reviewer_id=assignment.reviewer_id,
                     application_id=assignment.application_id,
                     status=assignment.status.value)
        if assignment.status == AssignmentStatus.PROPOSED:
            db.session.delete(assignment)
        else:
            assignment.status = AssignmentStatus.DECLINED
            assignment.decline_reason, assignment.responded_at = (
                "conflict of interest", utcnow())
            assignment.ended_by_conflict = True
    db.session.flush()
    return len(ended)


def restore_after_conflict(pairs, *, by: User | None) -> int:
    """Give back the assignments a conflict ended, now that the conflict is dismissed."""
    restored = _assignments_of_pairs(pairs, Assignment.status == AssignmentStatus.DECLINED,
                                     Assignment.ended_by_conflict)
    for assignment in restored:
        assignment.status, assignment.ended_by_conflict = AssignmentStatus.ACTIVE, False
        assignment.decline_reason, assignment.responded_at = None, None
        audit.record("assignment.restored_after_conflict", actor=by, obj=assignment,
                     reviewer_id=assignment.reviewer_id,
                     application_id=assignment.application_id)
    db.session.flush()
    return len(restored)


@board_signals.conflicts_changed.connect
def _on_conflicts_changed(_sender, *, blocked, lifted, by, **_extra) -> None:
    withdraw_conflicted(blocked, by=by)
    restore_after_conflict(lifted, by=by)


@board_signals.member_deactivated.connect
def _on_member_deactivated(_sender, *, user_id, by, **_extra) -> None:
    drop_proposals_of(user_id, by=by)


@board_signals.deactivation_consequences.connect
def _deactivation_lines(_sender, *, user_id, **_extra) -> list[str]:
    counts = queries.open_counts_of(user_id)
    proposed, active = counts[AssignmentStatus.PROPOSED], counts[AssignmentStatus.ACTIVE]
    lines = [ngettext("%(num)d proposed assignment, not yet published, is dropped.",
                      "%(num)d proposed assignments, not yet published, are dropped.",
                      proposed)]
    if active:
        lines.append(ngettext(
            "%(num)d published assignment stays with them: withdraw or replace it on the "
            "call's assignment page if needed.",
            "%(num)d published assignments stay with them: withdraw or replace them on the "
            "call's assignment page if needed.", active))
    return lines


def drop_conflicted_proposals(call_id: int, *, by: User | None) -> int:
    """Delete the proposals of a call that the access rules now forbid."""
    ids = list(db.session.scalars(
        select(Assignment.id).join(Application, Application.id == Assignment.application_id)
        .where(Application.call_id == call_id, Assignment.status == AssignmentStatus.PROPOSED,
               not_(board_rules.not_conflicted(Assignment.reviewer_id)))))
    if ids:
        db.session.execute(delete(Assignment).where(Assignment.id.in_(ids)))
        audit.record("assignment.proposals_dropped", actor=by, object_type="call",
                     object_id=call_id, reason="conflict", assignments=ids)
    return len(ids)


def drop_proposals_of(user_id: int, *, by: User | None) -> int:
    """Delete a member's unpublished proposals (the member left the board)."""
    ids = list(db.session.scalars(select(Assignment.id).where(
        Assignment.reviewer_id == user_id, Assignment.status == AssignmentStatus.PROPOSED)))
    if ids:
        db.session.execute(delete(Assignment).where(Assignment.id.in_(ids)))
        audit.record("assignment.proposals_dropped", actor=by, object_type="user",
                     object_id=user_id, reason="member_deactivated", assignments=ids)
    return len(ids)
