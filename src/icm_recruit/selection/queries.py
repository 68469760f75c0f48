"""Reads of the selection feature used by views and tasks."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import case, false, func, literal, not_, or_, select
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.assignment.rules import visible_applications
from icm_recruit.auth.models import User
from icm_recruit.board import rules as board_rules
from icm_recruit.calls.models import Call, CallStatus
from icm_recruit.extensions import db
from icm_recruit.reviews import scoring
from icm_recruit.selection import rules
from icm_recruit.selection.models import (
    Decision,
    Interview,
    InterviewScore,
    InterviewSlot,
    InterviewStatus,
    Outcome,
    RankingRow,
    RankingSnapshot,
    ShortlistMark,
)


def _at_current_stage(user, call_id: int, states):
    """The select of the call's applications the user may see, at the call's current
    stage, in these states."""
    at_stage = select(Call.current_stage).where(Call.id == call_id).scalar_subquery()
    return visible_applications(user, call_id).where(Application.status.in_(states),
                                                     Application.stage == at_stage)


def shortlist_candidates(user, call_id: int, status: str = "") -> list[Application]:
    """Applications the user may shortlist or has marked, best calibrated rank first."""
    states = [s for s in ApplicationStatus.shortlisting if not status or s.value == status]
    stmt = (_at_current_stage(user, call_id, states)
            .options(joinedload(Application.applicant)).order_by(Application.reference))
    return list(db.session.scalars(stmt))


# Gone on from the shortlist: to an interview, or a decision after it.
BEYOND_SHORTLIST = ApplicationStatus.past_review - ApplicationStatus.shortlisting


def count_beyond_shortlist(user, call_id: int) -> int:
    """How many of the call's applications at its current stage have gone on from the
    shortlist (and so are no longer on its page)."""
    visible = _at_current_stage(user, call_id, BEYOND_SHORTLIST)
    return db.session.scalar(select(func.count()).select_from(visible.subquery())) or 0


def marks_for(application_ids) -> dict[int, ShortlistMark]:
    rows = db.session.scalars(select(ShortlistMark).where(
        ShortlistMark.application_id.in_(list(application_ids)))
        .options(joinedload(ShortlistMark.marked_by)))
    return {m.application_id: m for m in rows}


def latest_snapshot(call_id: int, stage: int | None = None) -> RankingSnapshot | None:
    """The call's latest ranking (of one stage, if given)."""
    stmt = select(RankingSnapshot).where(RankingSnapshot.call_id == call_id)
    if stage is not None:
        stmt = stmt.where(RankingSnapshot.stage == stage)
    return db.session.scalar(stmt.order_by(RankingSnapshot.id.desc()).limit(1))


def snapshot_rows(snapshot_id: int) -> list[RankingRow]:
    """Rows of a ranking snapshot with their application and applicant, best first."""
    return list(db.session.scalars(
        select(RankingRow).where(RankingRow.snapshot_id == snapshot_id)
        .options(joinedload(RankingRow.application).joinedload(Application.applicant))
        .order_by(RankingRow.calibrated_rank, RankingRow.raw_rank)))


def snapshots(call_id: int) -> list[RankingSnapshot]:
    return list(db.session.scalars(select(RankingSnapshot)
                                   .where(RankingSnapshot.call_id == call_id)
                                   .order_by(RankingSnapshot.id.desc()).limit(20)))


def slots_of(call_id: int) -> list[InterviewSlot]:
    return list(db.session.scalars(
        select(InterviewSlot).where(InterviewSlot.call_id == call_id)
        .options(selectinload(InterviewSlot.panelists),
                 joinedload(InterviewSlot.interview))
        .order_by(InterviewSlot.withdrawn_at.is_not(None), InterviewSlot.starts_at)).unique())


def interviews_of(call_id: int, viewer) -> list[Interview]:
    return list(db.session.scalars(
        select(Interview).join(Interview.application)
        .where(Application.call_id == call_id, application_rules.hr_handles(viewer))
        .options(joinedload(Interview.application).joinedload(Application.applicant))
        .order_by(Application.reference)))


def shortlisted_without_interview(call_id: int, viewer) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(Application.call_id == call_id,
                                  application_rules.hr_handles(viewer),
                                  Application.status == ApplicationStatus.SHORTLISTED,
                                  ~select(Interview.id).where(
                                      Interview.application_id == Application.id).exists())
        .order_by(Application.reference)))


def interview_for(application_id: int) -> Interview | None:
    return db.session.scalar(select(Interview).where(Interview.application_id == application_id))


def panel_interviews(user) -> list[Interview]:
    """Booked interviews on whose panel the user sits, soonest first."""
    return list(db.session.scalars(
        select(Interview).join(InterviewSlot, Interview.slot_id == InterviewSlot.id)
        .where(rules.seated_on_panel_of(user.id),
               Interview.status == InterviewStatus.BOOKED)
        .order_by(InterviewSlot.starts_at)))


def interview_scores(call: Call) -> dict[int, dict]:
    """Per application: the mean interview score on the 0-10 scale and panel members scored."""
    criteria = [scoring.Criterion(str(c.id), c.weight, c.scale_min, c.scale_max)
                for c in call.criteria]
    rows = db.session.execute(
        select(Interview.application_id, InterviewScore.panelist_id,
               InterviewScore.criterion_id, InterviewScore.score)
        .join(InterviewScore.interview).join(Interview.application)
        .where(Application.call_id == call.id,
               not_(board_rules.pair_conflicted(InterviewScore.panelist_id,
                                                Interview.application_id))))
    by_panelist: dict = defaultdict(dict)
    for application_id, panelist_id, criterion_id, score in rows:
        by_panelist[(application_id, panelist_id)][str(criterion_id)] = score
    totals: dict[int, list[float]] = defaultdict(list)
    keys = {c.key for c in criteria}
    for (application_id, _panelist), scores in by_panelist.items():
        if criteria and keys <= set(scores):
            totals[application_id].append(scoring.review_score(scores, criteria))
    return {app_id: {"mean": sum(v) / len(v), "count": len(v)} for app_id, v in totals.items()}


def decision_rows(call_id: int) -> list[tuple[Application, Decision | None]]:
    """Interviewed and decided applications of the call, each with its decision."""
    applications = db.session.scalars(
        select(Application).where(Application.call_id == call_id,
                                  Application.status.in_(ApplicationStatus.at_decision))
        .options(joinedload(Application.applicant)).order_by(Application.reference)).all()
    decisions = {d.application_id: d for d in db.session.scalars(
        select(Decision).where(Decision.application_id.in_([a.id for a in applications])))}
    rows = [(a, decisions.get(a.id)) for a in applications]
    # Rejected at the shortlist stage is not a decision after interview.
    return [(a, d) for a, d in rows
            if d is not None or a.status == ApplicationStatus.INTERVIEW]


def unsent_decision_ids(call_id: int, viewer) -> list[int]:
    """Decisions whose letter HR `viewer` may send: never the letter of their own file."""
    return list(db.session.scalars(
        select(Decision.id).join(Decision.application)
        .where(Application.call_id == call_id, Decision.sent_at.is_(None),
               application_rules.hr_handles(viewer))
        .order_by(Decision.id)))


# ---------------------------------------------------------------- home pages


def _count_by_call(stmt) -> dict[int, int]:
    return dict(db.session.execute(stmt.group_by(Application.call_id)).all())


def waiting_for_hr(call_ids, viewer) -> dict[str, dict[int, int]]:
    """Per kind of selection work and per call, how many items wait for HR `viewer` (never
    about their own application): four grouped queries whatever the calls' sizes."""
    if not call_ids:
        return {}
    ids, handled = list(call_ids), application_rules.hr_handles(viewer)
    in_calls = Application.call_id.in_(ids)
    count = func.count(Application.id)
    return {
        # Marks set on the shortlist page whose outcome mail is not sent yet.
        "outcomes": _count_by_call(
            select(Application.call_id, count).join(ShortlistMark.application)
            .where(in_calls, handled, ShortlistMark.told_at.is_(None),
                   Application.status == ApplicationStatus.UNDER_REVIEW)),
        "to_invite": _count_by_call(
            select(Application.call_id, count)
            .where(in_calls, handled, Application.status == ApplicationStatus.SHORTLISTED,
                   ~select(Interview.id).where(
                       Interview.application_id == Application.id).exists())),
        "letters": _count_by_call(
            select(Application.call_id, count).join(Decision.application)
            .where(in_calls, handled, Decision.sent_at.is_(None))),
        "offers": _count_by_call(
            select(Application.call_id, count).join(Decision.application)
            .where(in_calls, handled, Decision.sent_at.is_not(None),
                   Decision.outcome == Outcome.OFFER, Decision.response.is_(None),
                   Application.status == ApplicationStatus.OFFERED)),
    }


def panel_interviews_scored(user) -> list[tuple[Interview, bool]]:
    """Booked interviews on whose panel the user sits, soonest first, each with whether
    the user has scored it yet (one query)."""
    scored = select(InterviewScore.id).where(InterviewScore.interview_id == Interview.id,
                                             InterviewScore.panelist_id == user.id).exists()
    rows = db.session.execute(
        select(Interview, scored).join(InterviewSlot, Interview.slot_id == InterviewSlot.id)
        .where(rules.seated_on_panel_of(user.id), Interview.status == InterviewStatus.BOOKED)
        .options(contains_eager(Interview.slot).lazyload(InterviewSlot.panelists),
                 joinedload(Interview.application))
        .order_by(InterviewSlot.starts_at))
    return [(interview, bool(done)) for interview, done in rows]


def applicant_selection(application_ids) -> tuple[dict[int, Interview], dict[int, Decision]]:
    """The interviews and the sent decisions of these applications, by application id
    (two queries): what an applicant's next step depends on after the shortlist."""
    ids = list(application_ids)
    if not ids:
        return {}, {}
    interviews = {i.application_id: i for i in db.session.scalars(
        select(Interview).where(Interview.application_id.in_(ids))
        .options(joinedload(Interview.slot).lazyload(InterviewSlot.panelists)))}
    decisions = {d.application_id: d for d in db.session.scalars(
        select(Decision).where(Decision.application_id.in_(ids),
                               Decision.sent_at.is_not(None)))}
    return interviews, decisions


def unmarked_counts(user, call_ids=None) -> list[tuple[Call, int]]:
    """Calls in selection with reviewed applications the user may shortlist and nobody has
    marked yet, with how many (one query); only these calls when `call_ids` is given."""
    marked = select(ShortlistMark.id).where(
        ShortlistMark.application_id == Application.id).exists()
    stmt = (select(Call, func.count(Application.id))
            .join(Application, Application.call_id == Call.id)
            .where(visible_applications(user).whereclause, Call.status == CallStatus.SELECTION,
                   Application.status == ApplicationStatus.UNDER_REVIEW, ~marked)
            .group_by(Call.id).order_by(Call.closes_at)
            .options(lazyload(Call.criteria)))
    if call_ids is not None:
        stmt = stmt.where(Call.id.in_(list(call_ids)))
    return [(call, count) for call, count in db.session.execute(stmt)]


@dataclass(frozen=True)
class EarlierStanding:
    """Where an application stood at an earlier stage: its rank and calibrated score in
    that stage's latest ranking, and the board's verdict."""

    rank: int | None
    of: int
    score: float | None
    verdict: object | None  # StageVerdict
    reason: str


def earlier_standings(call: Call, before: int) -> dict[int, dict[int, EarlierStanding]]:
    """{stage position: {application id: standing}} for the stages before `before`, read
    in two queries, so that later pages show the earlier stages side by side."""
    from icm_recruit.applications.models import ApplicationStage

    if before <= 1:
        return {}
    latest = (select(func.max(RankingSnapshot.id)).where(
        RankingSnapshot.call_id == call.id, RankingSnapshot.stage < before)
        .group_by(RankingSnapshot.stage))
    ranked: dict[int, dict[int, tuple]] = defaultdict(dict)
    for stage, application_id, rank, score in db.session.execute(
            select(RankingSnapshot.stage, RankingRow.application_id,
                   RankingRow.calibrated_rank, RankingRow.calibrated)
            .join(RankingRow.snapshot).where(RankingSnapshot.id.in_(latest))):
        ranked[stage][application_id] = (rank, score)
    verdicts: dict[int, dict[int, tuple]] = defaultdict(dict)
    for stage, application_id, verdict, reason in db.session.execute(
            select(ApplicationStage.stage, ApplicationStage.application_id,
                   ApplicationStage.verdict, ApplicationStage.reason)
            .join(ApplicationStage.application)
            .where(Application.call_id == call.id, ApplicationStage.stage < before)):
        verdicts[stage][application_id] = (verdict, reason)
    result = {}
    for stage in range(1, before):
        rows, marks = ranked.get(stage, {}), verdicts.get(stage, {})
        result[stage] = {
            application_id: EarlierStanding(
                rows.get(application_id, (None, None))[0], len(rows),
                rows.get(application_id, (None, None))[1],
                *marks.get(application_id, (None, "")))
            for application_id in set(rows) | set(marks)}
    return result


RANKING_SORTS = {
    "rank": RankingRow.calibrated_rank, "raw": RankingRow.raw_rank,
    "change": RankingRow.raw_rank - RankingRow.calibrated_rank, "mean": RankingRow.mean,
    "median": RankingRow.median, "spread": RankingRow.score_range,
    "reference": Application.reference,
}


def _ranking_filtered(stmt, user, call: Call, snapshot: RankingSnapshot, args):
    """`stmt` (over the snapshot's rows, joined to their applications) cut to what the user
    may see and what `args` filter."""
    # The rows' own applications (joined) meet the conditions of the visible ones: read on
    # the join, not as a second pass over the call's applications.
    visible = visible_applications(user, call.id).whereclause
    stmt = stmt.where(RankingRow.snapshot_id == snapshot.id, visible)
    if args.get("flag") == "1":
        stmt = stmt.where(RankingRow.disagreement.is_(True))
    status = args.get("status", "")
    if status:
        known = {s.value: s for s in ApplicationStatus}
        stmt = stmt.where(Application.status == known[status] if status in known
                          else false())
    query = args.get("q", "").strip().lower()
    if query:
        stmt = stmt.where(or_(func.lower(Application.reference).contains(query, autoescape=True),
                              func.lower(User.name).contains(query, autoescape=True)))
    return stmt


def ranking_count(user, call: Call, snapshot: RankingSnapshot, args) -> int:
    """How many rows `ranking_select` gives, counted without the joins only a search needs."""
    stmt = select(func.count(RankingRow.id)).join(RankingRow.application)
    if args.get("q", "").strip():
        stmt = stmt.join(Application.applicant)
    return db.session.scalar(_ranking_filtered(stmt, user, call, snapshot, args)) or 0


def ranking_select(user, call: Call, snapshot: RankingSnapshot, args, interview: dict):
    """The snapshot's rows the user may see, filtered and sorted in SQL as `args` ask
    (flag=1, status, q on reference or name, sort and dir); ties keep the ranking's
    order. `interview` ({application id: {"mean"}}) gives the interview sort."""
    stmt = _ranking_filtered(
        select(RankingRow).join(RankingRow.application).join(Application.applicant)
        # Only the columns the table shows: a late page sorts every row of the call, and
        # with the dossiers' long texts that sort no longer fits in memory.
        .options(contains_eager(RankingRow.application).load_only(
            Application.reference, Application.status, Application.call_id,
            Application.applicant_id, Application.stage)
            .contains_eager(Application.applicant).load_only(User.name)),
        user, call, snapshot, args)
    sort = args.get("sort", "rank")
    if sort == "interview":
        means = {app_id: score["mean"] for app_id, score in interview.items()}
        key = case(means, value=RankingRow.application_id, else_=-1.0) if means \
            else literal(-1.0)
    else:
        key = RANKING_SORTS.get(sort, RANKING_SORTS["rank"])
    key = key.desc() if args.get("dir") == "desc" else key.asc()
    return stmt.order_by(key, RankingRow.calibrated_rank, RankingRow.raw_rank, RankingRow.id)
