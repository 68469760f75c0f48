"""Selection for HR and the chair: overview, shortlist and its outcomes, ranking, exports,
reports."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from icm_recruit.applications.models import Application
from icm_recruit.assignment.rules import visible_applications
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import Call, CallStatus
from icm_recruit.core import pagecache
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import ngettext
from icm_recruit.core.jobs import JobKind, JobRun, active_job, latest_job, start_job
from icm_recruit.core.paging import ListPage, QueryPage
from icm_recruit.core.params import int32, page_number
from icm_recruit.core.permissions import require, roles_required
from icm_recruit.extensions import db
from icm_recruit.selection import letters, queries, tables, text_views
from icm_recruit.selection import operations as ops
from icm_recruit.selection import shortlist as shortlisting
from icm_recruit.selection.forms import SendOutcomesForm, ShortlistForm
from icm_recruit.selection.marking import mark_ticked
from icm_recruit.selection.models import RankingSnapshot, ShortlistOutcome
from icm_recruit.selection.tasks import compute_ranking, send_shortlist_outcomes

bp = Blueprint("selection", __name__, url_prefix="/selection")
STAFF = (Role.ADMIN, Role.CHAIR)


def visible_ids(call_id: int) -> set[int]:
    """Ids of the call's applications the current user may see (the chair: no conflicts)."""
    stmt = visible_applications(current_user, call_id).with_only_columns(Application.id)
    return set(db.session.scalars(stmt))


@bp.get("")
@roles_required(*STAFF)
def index():
    calls = db.session.scalars(select(Call).where(Call.status.in_(CallStatus.in_selection))
                               .order_by(Call.closes_at.desc())).all()
    return render_template("selection/index.html", calls=calls)


@bp.get("/calls/<int:call_id>")
@roles_required(*STAFF)
def overview(call_id):
    call = db.get_or_404(Call, call_id)
    from icm_recruit.selection.reports import funnel

    return render_template("selection/overview.html", call=call, funnel=funnel(call),
                           snapshot=queries.latest_snapshot(call.id, call.current_stage))


@bp.get("/calls/<int:call_id>/shortlist")
@roles_required(*STAFF)
def shortlist(call_id, form=None, status_code=200):
    call = db.get_or_404(Call, call_id)
    status = request.args.get("status", "")
    applications = queries.shortlist_candidates(current_user, call.id, status)
    snapshot = queries.latest_snapshot(call.id, call.current_stage)
    ranks = {r.application_id: r for r in snapshot.rows} if snapshot else {}
    applications.sort(key=lambda a: (ranks[a.id].calibrated_rank if a.id in ranks else 10**6,
                                     a.reference))
    return render_template("selection/shortlist.html", call=call, applications=applications,
                           marks=queries.marks_for(a.id for a in applications), ranks=ranks,
                           earlier=queries.earlier_standings(call, call.current_stage),
                           beyond=queries.count_beyond_shortlist(current_user, call.id),
                           form=form or ShortlistForm(), status=status), status_code


@bp.post("/calls/<int:call_id>/shortlist")
@roles_required(*STAFF)
def mark(call_id):
    call = db.get_or_404(Call, call_id)
    form = ShortlistForm()
    page = mark_ticked(
        call, form, error=ops.SelectionError, refusal=shortlisting.ShortlistError,
        mark=lambda rows: shortlisting.mark_many(rows, outcome=form.outcome.data,
                                                 reason=form.reason.data, by=current_user),
        again=lambda: shortlist(call.id, form=form, status_code=422),
        done_message=lambda done: ngettext(
            "%(num)d application marked: %(refs)s. Nothing is sent until you send the "
            "outcomes; you can still change this mark.",
            "%(num)d applications marked: %(refs)s. Nothing is sent until you send the "
            "outcomes; you can still change these marks.", len(done), refs=", ".join(done)))
    if page is not None:
        return page
    return redirect(url_for(".shortlist", call_id=call.id))


@bp.get("/calls/<int:call_id>/outcomes")
@roles_required(*STAFF)
def outcomes(call_id):
    call = db.get_or_404(Call, call_id)
    summary = shortlisting.summary(call, current_user)
    return render_template(
        "selection/outcomes.html", call=call, summary=summary,
        form=SendOutcomesForm(fingerprint=summary.fingerprint),
        job=latest_job(JobKind.SHORTLIST_OUTCOMES, call.id), outcomes=list(ShortlistOutcome),
        locales=shortlisting.LOCALES)


@bp.post("/calls/<int:call_id>/outcomes")
@roles_required(*STAFF)
def send_outcomes(call_id):
    call = db.get_or_404(Call, call_id)
    form = SendOutcomesForm()
    require(AppForm().validate_on_submit(), 400)
    back = redirect(url_for(".outcomes", call_id=call.id))
    problem = _outcomes_problem(call, form.fingerprint.data if form.validate() else "")
    if problem:
        flash(problem, "warning")
        return back
    start_job(JobKind.SHORTLIST_OUTCOMES, call, current_user, send_shortlist_outcomes)
    flash(_("The outcomes are being sent; progress is shown below."), "info")
    return back


def _outcomes_problem(call: Call, fingerprint: str) -> str | None:
    """Why the outcomes cannot be sent as confirmed, or None."""
    if active_job(JobKind.SHORTLIST_OUTCOMES, call.id) is not None:
        return shortlisting.ShortlistError("outcomes_running").message
    summary = shortlisting.summary(call, current_user)
    if not summary.total:
        return shortlisting.ShortlistError("nothing_to_tell").message
    if summary.fingerprint != fingerprint:
        return shortlisting.ShortlistError("marks_changed").message
    problems = [p for p in summary.previews.values() if isinstance(p, str)]
    return problems[0] if problems else None


OUTCOME_TEXT = text_views.CallText(
    outcomes=ShortlistOutcome, current=shortlisting.template_for,
    save=shortlisting.save_template, reset=shortlisting.reset_template,
    defaults=shortlisting.DEFAULTS, placeholders=letters.PLACEHOLDERS[:3],
    heading=lambda outcome: _("Outcome e-mail: %(outcome)s", outcome=outcome.label),
    title=lambda: _("Outcome e-mail"), saved=lambda: _("E-mail text saved."),
    back_endpoint=".outcomes", kind=shortlisting.OUTCOME_KIND,
    action="shortlist_template")


@bp.route("/calls/<int:call_id>/outcomes/<outcome>/<locale>", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_outcome_template(call_id, outcome, locale):
    call, outcome = text_views.load(call_id, OUTCOME_TEXT, outcome, locale)
    sample = next((m.application for m in shortlisting.untold_marks(call.id, current_user)
                   if m.outcome is outcome), None)
    values = (ops.letter_values(sample, locale, "") if sample is not None else
              {"name": _("Dr. Ada Example"), "reference": "ICM-0000-0000", "feedback": "",
               "call": call.title_fr if locale == "fr" else call.title_en})
    return text_views.edit(OUTCOME_TEXT, call, outcome, locale, values=values, sample=sample)


def _snapshot_or_latest(call: Call) -> RankingSnapshot | None:
    snapshot_id = request.args.get("snapshot", type=int32)
    if snapshot_id:
        snapshot = db.get_or_404(RankingSnapshot, snapshot_id)
        require(snapshot.call_id == call.id, 404)
        return snapshot
    return queries.latest_snapshot(call.id, call.current_stage)


RANKING_PAGE_SIZE = 100

def ranking_rows(call: Call, snapshot: RankingSnapshot, args, interview: dict):
    """The select of the snapshot's rows the user may see, filtered and sorted as asked."""
    return queries.ranking_select(current_user, call, snapshot, args, interview)


@bp.get("/calls/<int:call_id>/ranking")
@roles_required(*STAFF)
def ranking(call_id):
    # The page is only the staff's (the role is checked before): a kept one needs no call.
    return pagecache.page(lambda: _ranking_page(db.get_or_404(Call, call_id)))


def _ranking_page(call: Call) -> str:
    snapshot = _snapshot_or_latest(call)
    interview = queries.interview_scores(call)
    if snapshot is None:
        page = ListPage([], 1, RANKING_PAGE_SIZE)
    else:
        page = QueryPage(ranking_rows(call, snapshot, request.args, interview),
                         request.args.get("page", type=page_number), RANKING_PAGE_SIZE,
                         total=queries.ranking_count(current_user, call, snapshot,
                                                     request.args))
    reviewer_names = tables.reviewer_names(page.items)
    return render_template(
        "selection/ranking.html", call=call, snapshot=snapshot, rows=page.items, page=page,
        total=page.total, interview=interview, snapshots=queries.snapshots(call.id),
        reviewer_names=reviewer_names, job=latest_job(JobKind.RANKING, call.id),
        earlier=queries.earlier_standings(call, snapshot.stage) if snapshot else {},
        args=request.args, form=AppForm())


@bp.post("/calls/<int:call_id>/ranking")
@roles_required(*STAFF)
def compute(call_id):
    call = db.get_or_404(Call, call_id)
    require(AppForm().validate_on_submit(), 400)
    if active_job(JobKind.RANKING, call.id) is None:
        # No notice: the job card on the page shows the progress, then the ranking.
        start_job(JobKind.RANKING, call, current_user, compute_ranking)
    else:
        flash(_("A ranking is already being computed."), "info")
    return redirect(url_for(".ranking", call_id=call.id))


@bp.get("/jobs/<int:job_id>")
@roles_required(*STAFF)
def job_status(job_id):
    job = db.get_or_404(JobRun, job_id)
    require(job.kind in (JobKind.RANKING, JobKind.SHORTLIST_OUTCOMES,
                         JobKind.DECISION_LETTERS, JobKind.STAGE_OUTCOMES), 404)
    require(job.kind != JobKind.DECISION_LETTERS or current_user.has_role(Role.ADMIN))
    return render_template("selection/_job.html", job=job)


@bp.get("/calls/<int:call_id>/ranking.<fmt>")
@roles_required(*STAFF)
def export_ranking(call_id, fmt):
    call = db.get_or_404(Call, call_id)
    snapshot = _snapshot_or_latest(call)
    require(snapshot is not None, 404)
    rows = db.session.scalars(ranking_rows(call, snapshot, {},
                                           queries.interview_scores(call))).unique().all()
    headers, rows = tables.ranking_table(call, snapshot, rows)
    return _download(headers, rows, fmt, f"{call.slug}-ranking-{snapshot.id}", _("Ranking"))


@bp.get("/calls/<int:call_id>/reviews.<fmt>")
@roles_required(*STAFF)
def export_reviews(call_id, fmt):
    call = db.get_or_404(Call, call_id)
    headers, rows = tables.reviews_table(call, visible_ids(call.id))
    return _download(headers, rows, fmt, f"{call.slug}-reviews", _("Reviews"))


def _download(headers, rows, fmt: str, name: str, sheet: str) -> Response:
    from icm_recruit.core import export

    return export.download(headers, rows, fmt, name, sheet)


@bp.get("/calls/<int:call_id>/report")
@roles_required(Role.ADMIN)
def report(call_id):
    call = db.get_or_404(Call, call_id)
    from icm_recruit.selection.reports import call_report

    return render_template("selection/report.html", call=call, report=call_report(call))
