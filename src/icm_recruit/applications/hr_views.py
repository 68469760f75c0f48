"""HR's side of applications: the per-call list, CSV export, dossier and screening."""

import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from icm_recruit.applications import deadlines, queries, rules
from icm_recruit.applications import operations as ops
from icm_recruit.applications.forms import ScreeningForm, country_name
from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    RefereeStatus,
)
from icm_recruit.applications.views import DOWNLOAD_HEADERS
from icm_recruit.auth.models import Role
from icm_recruit.calls.forms import NewDeadlineForm
from icm_recruit.calls.lifecycle import shown_to
from icm_recruit.calls.models import Call
from icm_recruit.core import storage
from icm_recruit.core.audit import record
from icm_recruit.core.params import page_number
from icm_recruit.core.permissions import roles_required
from icm_recruit.core.timeutil import paris_to_utc, to_zone
from icm_recruit.extensions import db

bp = Blueprint("applications_hr", __name__, url_prefix="/admin")
PAGE_SIZE = 50
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _filters() -> dict:
    return {name: request.args.get(name, "").strip()[:200]
            for name in ("status", "country", "keyword", "q")}


@bp.get("/calls/<int:call_id>/applications")
@roles_required(Role.ADMIN)
def call_applications(call_id):
    call = db.get_or_404(Call, call_id)
    filters = _filters()
    page = db.paginate(queries.filtered_applications(call.id, **filters),
                       page=request.args.get("page", 1, type=page_number),
                       per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "applications/hr_list.html", call=call, page=page, filters=filters,
        counts=queries.status_counts(call.id), countries=queries.country_choices(call.id),
        statuses=list(ApplicationStatus),
        own_ids=rules.own_application_ids(current_user, call.id))


def csv_safe(value) -> str:
    """Neutralise text a spreadsheet would run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@bp.get("/calls/<int:call_id>/applications.csv")
@roles_required(Role.ADMIN)
def export_csv(call_id):
    call = db.get_or_404(Call, call_id)
    stmt = queries.filtered_applications(call.id, **_filters()).where(
        rules.hr_handles(current_user)).options(selectinload(Application.referee_requests))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Reference"), _("Status"), _("Submitted on"), _("Name"), _("E-mail"),
                     _("Current position"), _("Institution"), _("Country"), _("Year of the PhD"),
                     _("Title"), _("Keywords"), _("Letters received")])
    for a in db.session.scalars(stmt).unique():
        received = sum(1 for r in a.referee_requests if r.status == RefereeStatus.RECEIVED)
        submitted = (to_zone(a.submitted_at, current_user.timezone)
                     .strftime("%Y-%m-%d %H:%M %Z") if a.submitted_at else "")
        writer.writerow([csv_safe(v) for v in (
            a.reference, a.status.label, submitted, a.applicant.name,
            a.applicant.email, a.current_position, a.institution, country_name(a.country),
            a.phd_year, a.title, a.keywords, f"{received}/{call.referees_required}")])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{call.slug}-applications.csv"',
        "Cache-Control": "private, no-store"})


@bp.get("/applications/<int:application_id>")
@roles_required(Role.ADMIN)
def show(application_id):
    application = db.get_or_404(Application, application_id)
    rules.require_hr_on(current_user, application)
    record("dossier.opened", actor=current_user, obj=application, via="hr")
    page = render_template("applications/hr_show.html", application=application,
                           call=application.call, form=ScreeningForm(),
                           documents=application.current_documents(),
                           can_read_letters=rules.can_read_letters(current_user, application))
    db.session.commit()  # after rendering, so nothing has to be loaded again
    return page


@bp.post("/applications/<int:application_id>/screening")
@roles_required(Role.ADMIN)
def screen(application_id):
    application = db.get_or_404(Application, application_id)
    rules.require_hr_on(current_user, application)
    form = ScreeningForm()
    if form.validate_on_submit():
        try:
            ops.screen_application(application, eligible=form.decision.data == "eligible",
                                   reason=form.reason.data or "", by=current_user)
        except ops.ApplicationError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("Eligibility recorded for %(ref)s.", ref=application.reference), "success")
            return redirect(url_for(".show", application_id=application.id))
    return render_template("applications/hr_show.html", application=application,
                           call=application.call, form=form,
                           documents=application.current_documents(),
                           can_read_letters=rules.can_read_letters(current_user, application)), 422


@bp.get("/applications/<int:application_id>/dossier.pdf")
@roles_required(Role.ADMIN)
def dossier(application_id):
    from flask import send_file

    application = db.get_or_404(Application, application_id)
    rules.require_hr_on(current_user, application)
    if not application.dossier_key:
        abort(404)
    response = send_file(storage.path_for(application.dossier_key), mimetype="application/pdf",
                         as_attachment=True, max_age=0,
                         download_name=f"{application.reference}-dossier.pdf")
    response.headers.update(DOWNLOAD_HEADERS)
    return response


@bp.route("/applications/<int:application_id>/deadline", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def extend_deadline(application_id):
    """Grant one applicant a later personal deadline: GET says what it does, POST does it."""
    application = db.get_or_404(Application, application_id)
    rules.require_hr_on(current_user, application)
    form = NewDeadlineForm()
    error = None
    if form.validate_on_submit():
        try:
            deadlines.grant_extension(application, until=paris_to_utc(form.deadline.data),
                                      reason=form.reason.data, by=current_user)
        except deadlines.ExtensionError as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
            flash(_("%(ref)s can submit until %(date)s; the applicant is told by e-mail.",
                    ref=application.reference,
                    date=shown_to(current_user, application.extended_until)), "success")
            return redirect(url_for(".show", application_id=application.id))
    return render_template("applications/hr_deadline.html", application=application,
                           call=application.call, form=form, error=error), (
        422 if form.is_submitted() else 200)
