"""Assignment pages: HR runs, reviews, edits and publishes the proposal; members see
and decline their assignments. `flask --app icm_recruit assign CALL_SLUG` runs the job."""

from datetime import datetime, time, timedelta

import click
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from wtforms import BooleanField, DateField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, Optional

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application
from icm_recruit.assignment import operations as ops
from icm_recruit.assignment import queries
from icm_recruit.assignment.declines import decline_assignment
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.assignment.solver import Notice, describe
from icm_recruit.assignment.tasks import run_assignment
from icm_recruit.auth.models import Role, User
from icm_recruit.board.forms import SimpleForm
from icm_recruit.calls.models import Call, call_by_slug
from icm_recruit.core.confirm import confirm_page, confirmed
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import ngettext
from icm_recruit.core.jobs import JobKind, JobRun, JobStatus, start_job
from icm_recruit.core.permissions import require, roles_required
from icm_recruit.core.timeutil import paris_to_utc, to_zone, utcnow
from icm_recruit.extensions import db

bp = Blueprint("assignment", __name__, cli_group=None)
REVIEW_WEEKS = 3


class RunForm(AppForm):
    fairness = BooleanField()


class AddForm(AppForm):
    application_id = IntegerField(validators=[InputRequired()])
    member_id = IntegerField(validators=[InputRequired()])
    replacing_id = IntegerField(validators=[Optional()])


class PublishForm(AppForm):
    due_on = DateField(validators=[InputRequired()])
    # The confirmation step: how many unscreened applications HR saw, and their consent.
    unscreened = IntegerField(validators=[Optional()])
    mark_eligible = BooleanField()


class DeclineForm(AppForm):
    reason = StringField(validators=[InputRequired(), Length(max=2000)])


def _notices(job: JobRun | None, key: str) -> list[tuple[int | None, str]]:
    if job is None or job.status != JobStatus.DONE:
        return []
    locale = str(get_locale() or "en")
    return [(n["application_id"], describe(Notice(n["code"], n["params"]), locale))
            for n in (job.result or {}).get(key, [])]


def _solver_state(job: JobRun | None) -> str:
    """Name the solver's outcome in the reader's language (its own detail stays as is)."""
    result = (job.result or {}) if job is not None else {}
    if result.get("optimal"):
        return _("optimal")
    if result.get("status") == "time_limit":
        return _("time limit reached")
    return _("not optimal (%(detail)s)", detail=result.get("status", ""))


# ---------------------------------------------------------------- HR


@bp.get("/admin/calls/<int:call_id>/assignment")
@roles_required(Role.ADMIN)
def proposal(call_id):
    call = db.get_or_404(Call, call_id)
    data = queries.proposal(call, current_user)
    shortfalls = dict(_notices(data["job"], "shortfalls"))
    default_due = to_zone(utcnow()).date() + timedelta(weeks=REVIEW_WEEKS)
    return render_template(
        "assignment/proposal.html", call=call, **data, shortfalls=shortfalls,
        solver_state=_solver_state(data["job"]), can_restore=ops.can_restore,
        notices=[text for _, text in _notices(data["job"], "notices")],
        run_form=RunForm(), button=SimpleForm(), publish_form=PublishForm(due_on=default_due))


@bp.post("/admin/calls/<int:call_id>/assignment/run")
@roles_required(Role.ADMIN)
def run(call_id):
    call = db.get_or_404(Call, call_id)
    form = RunForm()
    require(form.validate_on_submit(), 400)
    touched = ops.recomputed_proposals(call)
    if not confirmed() and (touched["redone"] or touched["kept"]):
        lines = [
            ngettext("%(num)d unlocked automatic proposal is computed again and may change.",
                     "%(num)d unlocked automatic proposals are computed again and may change.",
                     touched["redone"]),
            ngettext("%(num)d proposal made by hand or locked is kept.",
                     "%(num)d proposals made by hand or locked are kept.", touched["kept"]),
            _("A member you removed from a proposal may be proposed again: lock what you "
              "want to keep before computing."),
            _("Published assignments do not change and nobody is sent an e-mail."),
        ]
        return confirm_page(heading=_("Compute the proposal again?"), lines=lines,
                            action=url_for(".run", call_id=call.id), title=call.title,
                            button=_("Compute again"), back=url_for(".proposal", call_id=call.id),
                            hidden=[("fairness", "y")] if form.fairness.data else [])
    start_job(JobKind.ASSIGNMENT, call, current_user, run_assignment,
              fairness=bool(form.fairness.data))
    # No notice: the job card on the page shows the progress, then the proposal.
    return redirect(url_for(".proposal", call_id=call.id))


@bp.get("/admin/jobs/<int:job_id>")
@roles_required(Role.ADMIN)
def job_status(job_id):
    job = db.get_or_404(JobRun, job_id)
    response = make_response(render_template("assignment/_job.html", job=job))
    if job.status not in JobStatus.active and request.headers.get("HX-Request"):
        response.headers["HX-Refresh"] = "true"
    return response


def _back(call_id: int, anchor: str = ""):
    return redirect(url_for(".proposal", call_id=call_id, _anchor=anchor or None))


def _apply(call_id: int, anchor: str, action, success: str):
    try:
        action()
    except ops.AssignmentError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(success, "success")
    return _back(call_id, anchor)


@bp.post("/admin/calls/<int:call_id>/assignment/add")
@roles_required(Role.ADMIN)
def add(call_id):
    call = db.get_or_404(Call, call_id)
    form = AddForm()
    require(form.validate_on_submit(), 400)
    application = db.get_or_404(Application, form.application_id.data)
    require(application.call_id == call.id, 404)
    application_rules.require_hr_on(current_user, application)
    reviewer = db.get_or_404(User, form.member_id.data)
    replacing = None
    if form.replacing_id.data:
        replacing = db.get_or_404(Assignment, form.replacing_id.data)
    return _apply(call.id, f"app-{application.id}",
                  lambda: ops.add_manual(application, reviewer, by=current_user,
                                         replacing=replacing),
                  _("%(name)s is assigned to %(ref)s.", name=reviewer.name,
                    ref=application.reference))


def _assignment_for_hr(assignment_id: int) -> Assignment:
    assignment = db.get_or_404(Assignment, assignment_id)
    application_rules.require_hr_on(current_user, assignment.application)
    require(SimpleForm().validate_on_submit(), 400)
    return assignment


@bp.post("/admin/assignments/<int:assignment_id>/<any(lock, unlock):action>")
@roles_required(Role.ADMIN)
def lock(assignment_id, action):
    assignment = _assignment_for_hr(assignment_id)
    return _apply(assignment.application.call_id, f"app-{assignment.application_id}",
                  lambda: ops.set_locked(assignment, action == "lock", by=current_user),
                  _("Locked: the next computation keeps it.") if action == "lock"
                  else _("Unlocked."))


@bp.post("/admin/assignments/<int:assignment_id>/remove")
@roles_required(Role.ADMIN)
def remove(assignment_id):
    assignment = _assignment_for_hr(assignment_id)
    call_id, app_id = assignment.application.call_id, assignment.application_id
    if not confirmed():
        return _confirm_remove(assignment)
    published = assignment.status == AssignmentStatus.ACTIVE
    return _apply(call_id, f"app-{app_id}",
                  lambda: ops.remove_assignment(assignment, by=current_user),
                  _("The assignment is withdrawn. You can give it back from the list below "
                    "as long as nobody replaces the member.") if published
                  else _("The proposal is removed."))


def _confirm_remove(assignment: Assignment):
    names = {"name": assignment.reviewer.name, "ref": assignment.application.reference}
    if assignment.status == AssignmentStatus.ACTIVE:
        lines = [_("%(name)s stops reviewing %(ref)s and no longer sees its dossier; a draft "
                   "review of theirs is not sent.", **names),
                 _("Nobody is sent an e-mail: tell the member yourself if needed."),
                 _("You can give the assignment back afterwards, unless someone replaces "
                   "them first.")]
    else:
        lines = [_("The proposal of %(name)s for %(ref)s is deleted; nobody was told of it "
                   "and nobody is sent an e-mail.", **names),
                 _("The next computation may propose them again: lock the proposals you "
                   "want to keep.")]
    call = assignment.application.call
    return confirm_page(heading=_("Remove this assignment?"), lines=lines, title=call.title,
                        action=url_for(".remove", assignment_id=assignment.id),
                        button=_("Remove the assignment"),
                        back=url_for(".proposal", call_id=call.id,
                                     _anchor=f"app-{assignment.application_id}"))


@bp.post("/admin/assignments/<int:assignment_id>/restore")
@roles_required(Role.ADMIN)
def restore(assignment_id):
    assignment = _assignment_for_hr(assignment_id)
    return _apply(assignment.application.call_id, f"app-{assignment.application_id}",
                  lambda: ops.restore_assignment(assignment, by=current_user),
                  _("%(name)s has %(ref)s again.", name=assignment.reviewer.name,
                    ref=assignment.application.reference))


@bp.post("/admin/assignments/<int:assignment_id>/replace")
@roles_required(Role.ADMIN)
def replace(assignment_id):
    assignment = _assignment_for_hr(assignment_id)
    if not confirmed():
        call = assignment.application.call
        lines = [_("The best-matching free member without a conflict is given %(ref)s in "
                   "place of %(name)s.", ref=assignment.application.reference,
                   name=assignment.reviewer.name)]
        lines.append(_("The new member receives an e-mail with the due date.")
                     if assignment.published_at is not None
                     else _("Nobody is sent an e-mail before the assignment is published."))
        return confirm_page(heading=_("Replace this member?"), lines=lines, title=call.title,
                            action=url_for(".replace", assignment_id=assignment.id),
                            button=_("Replace the member"), gentle=True,
                            back=url_for(".proposal", call_id=call.id,
                                         _anchor=f"app-{assignment.application_id}"))
    return _apply(assignment.application.call_id, f"app-{assignment.application_id}",
                  lambda: ops.replace(assignment, by=current_user),
                  _("A replacement is assigned."))


@bp.post("/admin/calls/<int:call_id>/assignment/publish")
@roles_required(Role.ADMIN)
def publish(call_id):
    call = db.get_or_404(Call, call_id)
    form = PublishForm()
    if not form.validate_on_submit():
        flash(_("Choose the date by which reviews are due."), "danger")
        return _back(call.id, "publish")
    due_at = paris_to_utc(datetime.combine(form.due_on.data, time(23, 59)))
    if due_at <= utcnow():
        flash(_("The due date must be in the future."), "danger")
        return _back(call.id, "publish")
    unscreened = ops.unscreened_in_proposal(call)
    confirmed = form.mark_eligible.data and form.unscreened.data == len(unscreened)
    if unscreened and not confirmed:
        return render_template("assignment/publish_confirm.html", call=call, form=form,
                               unscreened=unscreened, asked=form.unscreened.data is not None,
                               screening_url=url_for("applications_hr.call_applications",
                                                     call_id=call.id, status="submitted")), 409
    count = len(unscreened) if unscreened else None
    return _apply(call.id, "", lambda: ops.publish(call, due_at=due_at, by=current_user,
                                                   mark_eligible=count),
                  _("The assignment is published; each member receives one e-mail."))


# ---------------------------------------------------------------- members


@bp.get("/board/assignments")
@roles_required(Role.REVIEWER, Role.CHAIR)
def mine():
    return render_template("assignment/mine.html", assignments=queries.assignments_of(
        current_user), form=DeclineForm(), now=utcnow())


@bp.post("/board/assignments/<int:assignment_id>/decline")
@roles_required(Role.REVIEWER, Role.CHAIR)
def decline(assignment_id):
    assignment = db.get_or_404(Assignment, assignment_id)
    require(assignment.reviewer_id == current_user.id)
    form = DeclineForm()
    if not form.validate_on_submit():
        flash(_("Give a reason so that HR can find a replacement."), "danger")
        return redirect(url_for(".mine"))
    if not confirmed():
        lines = [_("You no longer review %(ref)s and can no longer open its dossier.",
                   ref=assignment.application.reference),
                 _("HR is told by e-mail, with your reason, and finds a replacement."),
                 _("Your reason: %(reason)s", reason=form.reason.data)]
        return confirm_page(heading=_("Decline this assignment?"), lines=lines,
                            action=url_for(".decline", assignment_id=assignment.id),
                            button=_("Decline the assignment"), back=url_for(".mine"),
                            hidden=[("reason", form.reason.data)])
    try:
        # The same operation as on the reviews dashboard: HR is told in both cases.
        decline_assignment(assignment, reason=form.reason.data, by=current_user)
    except ops.AssignmentError as exc:
        require(exc.code != "forbidden")
        raise
    db.session.commit()
    flash(_("You declined %(ref)s. HR will find a replacement.",
            ref=assignment.application.reference), "success")
    return redirect(url_for(".mine"))


# ---------------------------------------------------------------- command line


@bp.cli.command("assign")
@click.argument("call_slug")
@click.option("--fairness", is_flag=True, help="First raise the weakest application's total.")
def assign_command(call_slug: str, fairness: bool) -> None:
    """Compute the assignment proposal of a call (the same job as HR's button)."""
    call = call_by_slug(call_slug)
    if call is None:
        raise click.ClickException(f"no call with the short name {call_slug!r}")
    job = JobRun(kind=JobKind.ASSIGNMENT, call_id=call.id, status=JobStatus.QUEUED,
                 result={"fairness": fairness}, label=call.slug)
    db.session.add(job)
    db.session.commit()
    outcome = run_assignment.run(job.id)
    job = db.session.get(JobRun, job.id)
    if outcome != "done":
        raise click.ClickException(f"the assignment failed: {job.error}")
    result = job.result
    click.echo(f"{call.slug}: {result['pairs']} assignments proposed for "
               f"{result['applications']} applications and {result['members']} members "
               f"(k={result['k']}, total affinity {result['objective']}, {result['status']}).")
    for notice in result["shortfalls"] + result["notices"]:
        click.echo("  " + describe(Notice(notice["code"], notice["params"]), "en"))
