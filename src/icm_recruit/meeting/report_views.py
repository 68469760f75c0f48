"""Evaluation reports: the chair's list and editor, the confirmed sending, the applicant's
page. Every route asks meeting.rules."""

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.assignment.rules import visible_applications
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import Call
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.jobs import JobKind, JobRun, JobStatus, active_job, latest_job, start_job
from icm_recruit.core.permissions import require, roles_required
from icm_recruit.extensions import db
from icm_recruit.meeting import reports, rules
from icm_recruit.meeting.forms import ReportForm, SendReportsForm
from icm_recruit.meeting.models import EvaluationReport
from icm_recruit.meeting.tasks import send_evaluation_reports

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")
STAFF = (Role.ADMIN, Role.CHAIR)


def _call_applications(call: Call) -> list[Application]:
    """The call's applications past screening that the current user may write about."""
    stmt = visible_applications(current_user, call.id).where(
        Application.status != ApplicationStatus.SUBMITTED).order_by(Application.reference)
    return list(db.session.scalars(stmt))


@bp.get("/calls/<int:call_id>")
@roles_required(*STAFF)
def call_reports(call_id):
    call = db.get_or_404(Call, call_id)
    applications = _call_applications(call)
    saved = {r.application_id: r for r in db.session.scalars(
        db.select(EvaluationReport).where(EvaluationReport.application_id.in_(
            [a.id for a in applications])))}
    unsent = reports.unsent_reports(call.id, current_user)
    return render_template("meeting/reports.html", call=call, applications=applications,
                           saved=saved, unsent=unsent,
                           form=SendReportsForm(fingerprint=reports.fingerprint(unsent)),
                           job=latest_job(JobKind.EVALUATION_REPORTS, call.id))


@bp.route("/applications/<int:application_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_report(application_id):
    application = db.get_or_404(Application, application_id)
    require(rules.may_write_report(current_user, application))
    report = reports.report_of(application)
    form = ReportForm() if request.method == "POST" else ReportForm(
        formdata=None, body=report.body if report else reports.draft_text(application))
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                reports.save_report(application, form.body.data, by=current_user)
            except reports.ReportError as exc:
                db.session.rollback()
                form.body.errors = [*form.body.errors, exc.message]
                status = 422
            else:
                db.session.commit()
                flash(_("The report of %(ref)s is saved. It is sent with the others when you "
                        "send the reports.", ref=application.reference), "success")
                return redirect(url_for(".call_reports", call_id=application.call_id))
        else:
            status = 422
    return render_template("meeting/report_edit.html", application=application,
                           report=report, form=form, is_draft=report is None), status


@bp.post("/calls/<int:call_id>/send")
@roles_required(*STAFF)
def send_reports(call_id):
    call = db.get_or_404(Call, call_id)
    form = SendReportsForm()
    back = redirect(url_for(".call_reports", call_id=call.id))
    require(form.validate_on_submit(), 400)
    if active_job(JobKind.EVALUATION_REPORTS, call.id) is not None:
        flash(reports.ReportError("sending").message, "warning")
        return back
    unsent = reports.unsent_reports(call.id, current_user)
    if not unsent:
        flash(reports.ReportError("nothing_to_send").message, "warning")
        return back
    if form.fingerprint.data != reports.fingerprint(unsent):
        flash(reports.ReportError("changed").message, "warning")
        return back
    start_job(JobKind.EVALUATION_REPORTS, call, current_user, send_evaluation_reports)
    flash(_("The reports are being sent; progress is shown below."), "info")
    return back


@bp.get("/jobs/<int:job_id>")
@roles_required(*STAFF)
def job_status(job_id):
    job = db.get_or_404(JobRun, job_id)
    require(job.kind == JobKind.EVALUATION_REPORTS, 404)
    response = make_response(render_template("meeting/_job.html", job=job))
    if job.status not in JobStatus.active and request.headers.get("HX-Request"):
        response.headers["HX-Refresh"] = "true"
    return response


@bp.get("/mine/<int:application_id>")
@roles_required(Role.APPLICANT)
def applicant_report(application_id):
    application = db.get_or_404(Application, application_id)
    report = reports.report_of(application)
    require(report is not None and rules.may_read_report(current_user, report), 404)
    return render_template("meeting/applicant_report.html", application=application,
                           report=report)


@bp.app_template_global()
def evaluation_report_sent(application) -> bool:
    """Whether the current user may read a sent evaluation report of this application."""
    report = reports.report_of(application)
    return report is not None and rules.may_read_report(current_user, report)
