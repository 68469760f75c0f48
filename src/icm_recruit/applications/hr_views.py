"""HR's side of applications: the per-call list, CSV export, dossier and screening."""

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.orm import contains_eager, load_only, selectinload

from icm_recruit.applications import deadlines, queries, rules, search, stage_part, tags
from icm_recruit.applications import operations as ops
from icm_recruit.applications.dossier import build_pdf as dossier_pdf
from icm_recruit.applications.forms import BulkScreeningForm, ScreeningForm, country_name
from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    RefereeStatus,
)
from icm_recruit.applications.tag_forms import (
    BulkTagForm,
    DeleteSearchForm,
    SaveSearchForm,
    TagForm,
)
from icm_recruit.applications.tags import SAVED_SEARCH_KEYS
from icm_recruit.applications.views import DOWNLOAD_HEADERS
from icm_recruit.auth.models import Role, User
from icm_recruit.calls.forms import NewDeadlineForm, ReasonForm
from icm_recruit.calls.lifecycle import shown_to
from icm_recruit.calls.models import Call, database_now
from icm_recruit.core import pagecache, storage
from icm_recruit.core.audit import record
from icm_recruit.core.export import download
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.params import int32_list, page_number
from icm_recruit.core.permissions import require, roles_required
from icm_recruit.core.timeutil import paris_to_utc
from icm_recruit.extensions import db

bp = Blueprint("applications_hr", __name__, url_prefix="/admin")
PAGE_SIZE = 50
LIST_COLUMNS = (Application.id, Application.call_id, Application.applicant_id,
                Application.reference, Application.status, Application.institution,
                Application.country, Application.title, Application.stage,
                Application.submitted_at)


FILTER_NAMES = ("q", "status", "country", "keyword", "tag", "sort")


def _filters() -> dict:
    return {name: request.args.get(name, "").strip()[:300] for name in FILTER_NAMES}


def _listing(call: Call, filters: dict):
    """The select of the list's rows and the search's error message, if it has one."""
    try:
        conditions, error = search.search_conditions(filters["q"], current_user), None
    except search.SearchError as exc:
        conditions, error = [], exc.message  # the rest of the filters still apply
    stmt = queries.filtered_applications(
        call.id, conditions=conditions, user=current_user,
        **{name: filters[name] for name in FILTER_NAMES if name != "q"})
    return stmt, error


def _render_list(call: Call, filters: dict, *, bulk_form=None, save_form=None, status=200):
    stmt, search_error = _listing(call, filters)
    # The list shows a few columns of each row: the long texts of a dossier stay unread
    # (and a template asking for one more column fails in the tests, not in a loop).
    stmt = stmt.options(
        load_only(*LIST_COLUMNS, raiseload=True),
        contains_eager(Application.applicant).load_only(User.id, User.name, raiseload=True))
    page = db.paginate(stmt, page=request.args.get("page", 1, type=page_number),
                       per_page=PAGE_SIZE, error_out=False)
    own_ids = rules.own_application_ids(current_user, call.id)
    active = {name: value for name, value in filters.items() if value}
    return render_template(
        "applications/hr_list.html", call=call, page=page, filters=filters, active=active,
        search_error=search_error, counts=queries.status_counts(call.id),
        countries=queries.country_choices(call.id), statuses=list(ApplicationStatus),
        tags=queries.tags_by_application([a.id for a in page.items if a.id not in own_ids]),
        tag_choices=queries.tag_choices(call.id, current_user),
        saved_searches=queries.saved_searches(call.id, current_user), own_ids=own_ids,
        bulk_form=bulk_form or BulkTagForm(formdata=None, list_tag=filters["tag"],
                                           **{k: filters[k] for k in ("q", "status",
                                                                      "country", "sort")}),
        save_form=save_form or SaveSearchForm(formdata=None, **{
            k: filters[k] for k in SAVED_SEARCH_KEYS}),
        delete_form=DeleteSearchForm(formdata=None), sorts=queries.SORTS), status


@bp.get("/calls/<int:call_id>/applications")
@roles_required(Role.ADMIN)
def call_applications(call_id):
    # HR's own applications are left out of the list's rows, not out of the page: a kept
    # page needs no call (the role is checked before).
    return pagecache.page(lambda: _render_list(db.get_or_404(Call, call_id), _filters()))


@bp.post("/calls/<int:call_id>/applications/tags")
@roles_required(Role.ADMIN)
def tag_selected(call_id):
    """Add a tag to, or remove it from, the applications ticked in the list."""
    call = db.get_or_404(Call, call_id)
    form = BulkTagForm()
    if not form.validate_on_submit():
        return _render_list(call, _form_filters(form), bulk_form=form, status=422)
    ids = int32_list(request.form.getlist("application_id"))
    applications = queries.applications_in_call(call.id, ids)
    own = next((a for a in applications if rules.is_applicant(current_user, a)), None)
    if own is not None:
        rules.refuse_own_application(own)
    add = form.action.data == "add"
    try:
        changed = tags.tag_many(applications, form.tag.data, add=add, by=current_user)
    except tags.TagError as exc:
        db.session.rollback()
        form.tag.errors = [*form.tag.errors, exc.message]
        return _render_list(call, _form_filters(form), bulk_form=form, status=422)
    db.session.commit()
    tag = search.normalise_tag(form.tag.data)
    flash(_("Tag “%(tag)s” added. Applications changed: %(n)d.", tag=tag, n=changed) if add
          else _("Tag “%(tag)s” removed. Applications changed: %(n)d.", tag=tag, n=changed),
          "success")
    return redirect(url_for(".call_applications", call_id=call.id, **form.filters()))


def _ticked(call: Call, values) -> list[Application]:
    """The ticked applications of the call; refused when all of them are HR's own."""
    applications = queries.applications_in_call(
        call.id, int32_list(values.getlist("application_id")))
    if applications and all(rules.is_applicant(current_user, a) for a in applications):
        rules.refuse_own_application(applications[0])
    return applications


@bp.post("/calls/<int:call_id>/applications/screening/confirm")
@roles_required(Role.ADMIN)
def confirm_screening(call_id):
    """Show how many ticked rows a screening would change; nothing changes here.

    A POST, so the selection, the reason and the form's token stay out of the URL."""
    call = db.get_or_404(Call, call_id)
    return _screening_page(call, BulkScreeningForm(), _ticked(call, request.form), 200)


@bp.post("/calls/<int:call_id>/applications/screening")
@roles_required(Role.ADMIN)
def screen_selected(call_id):
    """Screen the ticked rows with one decision and one reason."""
    call = db.get_or_404(Call, call_id)
    form = BulkScreeningForm()
    applications = _ticked(call, request.form)
    if not form.validate_on_submit():
        return _screening_page(call, form, applications, 422)
    try:
        screened, skipped = ops.screen_applications(
            applications, eligible=form.decision.data == "eligible",
            reason=form.reason.data or "", by=current_user)
    except ops.ApplicationError as exc:
        db.session.rollback()
        form.reason.errors = [*form.reason.errors, exc.message]
        return _screening_page(call, form, applications, 422)
    db.session.commit()
    flash(_("Eligibility recorded. Applications changed: %(n)d.", n=len(screened)), "success")
    if skipped["own"]:
        flash(_("Your own application was left out: another HR administrator screens it."),
              "info")
    if skipped["not_screenable"]:
        flash(_("Left as they were (not waiting for a check, or already so): %(refs)s.",
                refs=", ".join(a.reference or str(a.id) for a in skipped["not_screenable"])),
              "info")
    return redirect(url_for(".call_applications", call_id=call.id, **form.filters()))


def _screening_page(call: Call, form: BulkScreeningForm, applications, status: int):
    decision = form.decision.data if form.decision.data in ("eligible", "ineligible") else None
    changed, skipped = (ops.screening_plan(applications, eligible=decision == "eligible",
                                           by=current_user)
                        if decision else (applications, {"own": [], "not_screenable": []}))
    return render_template("applications/bulk_screening.html", call=call, form=form,
                           decision=decision, changed=changed, skipped=skipped), status


def _form_filters(form) -> dict:
    """The list's filters as a posted form carried them, with every name present."""
    return dict.fromkeys(FILTER_NAMES, "") | form.filters()


@bp.post("/calls/<int:call_id>/searches")
@roles_required(Role.ADMIN)
def save_search(call_id):
    """Save the list's current search under a name, for the signed-in user."""
    call = db.get_or_404(Call, call_id)
    form = SaveSearchForm()
    if not form.validate_on_submit():
        return _render_list(call, _form_filters(form), save_form=form, status=422)
    try:
        saved = tags.save_search(call.id, form.name.data, form.filters(), by=current_user)
    except tags.TagError as exc:
        db.session.rollback()
        form.name.errors = [*form.name.errors, exc.message]
        return _render_list(call, _form_filters(form), save_form=form, status=422)
    db.session.commit()
    flash(_("Search “%(name)s” saved.", name=saved.name), "success")
    return redirect(url_for(".call_applications", call_id=call.id, **saved.params))


@bp.post("/calls/<int:call_id>/searches/delete")
@roles_required(Role.ADMIN)
def delete_search(call_id):
    call = db.get_or_404(Call, call_id)
    form = DeleteSearchForm()
    if not form.validate_on_submit() \
            or not tags.delete_search(call.id, form.search_id.data, by=current_user):
        abort(404)
    db.session.commit()
    flash(_("Saved search deleted."), "success")
    return redirect(url_for(".call_applications", call_id=call.id))


@bp.get("/calls/<int:call_id>/applications.<any(csv, xlsx):fmt>")
@roles_required(Role.ADMIN)
def export_list(call_id, fmt):
    """The list as the search shows it, in CSV (in the reader's convention) or XLSX."""
    call = db.get_or_404(Call, call_id)
    filters = _filters()
    stmt, search_error = _listing(call, filters)
    if search_error is not None:  # the list says what is wrong with the search
        return redirect(url_for(".call_applications", call_id=call.id,
                                **{k: v for k, v in filters.items() if v}))
    stmt = stmt.where(rules.hr_handles(current_user)).options(
        selectinload(Application.referee_requests))
    headers = [_("Reference"), _("Status"), _("Submitted on"), _("Name"), _("E-mail"),
               _("Current position"), _("Institution"), _("Country"), _("Year of the PhD"),
               _("Title"), _("Keywords"), _("Letters received")]
    rows = []
    for a in db.session.scalars(stmt).unique():
        received = sum(1 for r in a.referee_requests if r.status == RefereeStatus.RECEIVED)
        rows.append([a.reference, a.status.label, a.submitted_at, a.applicant.name,
                     a.applicant.email, a.current_position, a.institution,
                     country_name(a.country), a.phd_year, a.title, a.keywords,
                     f"{received}/{call.referees_required}"])
    return download(headers, rows, fmt, f"{call.slug}-applications", _("Applications"))


@bp.get("/applications/<int:application_id>")
@roles_required(Role.ADMIN)
def show(application_id):
    # The policy first; where the reader's facts answer it, a kept page is shown without
    # loading the application, which is loaded (404 when there is none) to be rendered.
    loaded = rules.require_hr_on_id(current_user, application_id)

    def application() -> Application:
        nonlocal loaded
        if loaded is None:
            loaded = db.get_or_404(Application, application_id)
        return loaded

    # Rendered (or found kept) before the opening is recorded: the record is no change of
    # what the page shows, and a transaction that has written keeps no page.
    return pagecache.recorded_page(lambda: _show_page(application()), lambda: record(
        "dossier.opened", actor=current_user, obj=application(), via="hr"))


def _show_page(application: Application, *, form=None, tag_form=None):
    return render_template("applications/hr_show.html", application=application,
                           call=application.call, form=form or ScreeningForm(),
                           tag_form=tag_form or TagForm(formdata=None),
                           tags=queries.tags_by_application([application.id]).get(
                               application.id, []),
                           documents=application.current_documents(),
                           stage_texts=stage_part.written_texts(application),
                           can_read_letters=rules.can_read_letters(current_user, application))


@bp.get("/applications/<int:application_id>/versions")
@roles_required(Role.ADMIN)
def versions(application_id):
    """Every submitted version of the application, what changed in each: HR's only."""
    from icm_recruit.applications.changes import SNAPSHOT_FIELDS, change_labels

    application = db.get_or_404(Application, application_id)
    rules.require_hr_on(current_user, application)
    require(rules.can_see_versions(current_user, application))
    documents_by_id = {d.id: d for d in application.documents}
    field_labels = [(name, label) for name, label in zip(
        SNAPSHOT_FIELDS, change_labels(list(SNAPSHOT_FIELDS)), strict=True)]
    return render_template("applications/hr_versions.html", application=application,
                           documents_by_id=documents_by_id, field_labels=field_labels)


@bp.post("/applications/<int:application_id>/tags")
@roles_required(Role.ADMIN)
def add_tag(application_id):
    return _change_tag(application_id, add=True)


@bp.post("/applications/<int:application_id>/tags/remove")
@roles_required(Role.ADMIN)
def remove_tag(application_id):
    return _change_tag(application_id, add=False)


def _change_tag(application_id: int, *, add: bool):
    application = db.get_or_404(Application, application_id)
    rules.require_hr_on(current_user, application)
    form = TagForm()
    if form.validate_on_submit():
        try:
            (tags.add_tag if add else tags.remove_tag)(application, form.tag.data,
                                                       by=current_user)
        except tags.TagError as exc:
            db.session.rollback()
            form.tag.errors = [*form.tag.errors, exc.message]
        else:
            db.session.commit()
            tag = search.normalise_tag(form.tag.data)
            flash(_("Tag “%(tag)s” added.", tag=tag) if add
                  else _("Tag “%(tag)s” removed.", tag=tag), "success")
            return redirect(url_for(".show", application_id=application.id))
    return _show_page(application, tag_form=form), 422


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
    return _show_page(application, form=form), 422


@bp.get("/applications/<int:application_id>/dossier.pdf")
@roles_required(Role.ADMIN)
def dossier(application_id):
    from flask import send_file

    application = db.get_or_404(Application, application_id)
    rules.require_hr_on(current_user, application)
    if not application.dossier_key:
        abort(404)
    locale = str(get_locale() or "en")
    # The stored dossier has the English cover; another reader gets a cover in their
    # language, built from the same files and not kept (nothing for retention to miss).
    source = (storage.path_for(application.dossier_key) if locale == "en"
              else io.BytesIO(dossier_pdf(application, locale)))
    response = send_file(source, mimetype="application/pdf", as_attachment=True, max_age=0,
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


@bp.route("/applications/<int:application_id>/deadline/withdraw", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def withdraw_deadline(application_id):
    """Take back a personal deadline: GET says what it does, POST (with a reason) does it."""
    application = db.get_or_404(Application, application_id)
    rules.require_hr_on(current_user, application)
    if application.extended_until is None:
        flash(deadlines.ExtensionError("no_extension").message, "info")
        return redirect(url_for(".show", application_id=application.id))
    form = ReasonForm()
    error = None
    if form.validate_on_submit():
        try:
            deadlines.withdraw_extension(application, reason=form.reason.data, by=current_user)
        except deadlines.ExtensionError as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
            flash(_("The personal deadline of %(ref)s is withdrawn; the applicant is told by "
                    "e-mail.", ref=application.reference), "success")
            return redirect(url_for(".show", application_id=application.id))
    return render_template("applications/hr_deadline_withdraw.html", application=application,
                           call=application.call, form=form, error=error,
                           still_open=application.call.is_accepting(database_now())), (
        422 if form.is_submitted() else 200)
