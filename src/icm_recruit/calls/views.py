"""Calls: the public list and page of a call, HR creation, editing and status."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from icm_recruit.auth.models import Role
from icm_recruit.calls import lifecycle
from icm_recruit.calls import operations as ops
from icm_recruit.calls.forms import (
    CallForm,
    CallStatusForm,
    ChairRightsForm,
    NewDeadlineForm,
    ReasonForm,
    add_blank_criteria,
    fill_criteria,
)
from icm_recruit.calls.models import (
    Call,
    CallStatus,
    DocumentKind,
    call_by_slug,
    database_now,
)
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import ngettext
from icm_recruit.core.permissions import public, require, roles_required
from icm_recruit.core.timeutil import paris_to_utc, to_zone, utcnow
from icm_recruit.extensions import db

bp = Blueprint("calls", __name__)
APPLICATIONS_BY_CALL = "calls.applications_by_call"


def register_applications_by_call(app, finder) -> None:
    """Let the applications feature say which of the user's applications each call has."""
    app.extensions[APPLICATIONS_BY_CALL] = finder


def _my_applications() -> dict:
    """Return the signed-in user's applications by call id (none when not signed in)."""
    finder = current_app.extensions.get(APPLICATIONS_BY_CALL)
    if finder is None or not current_user.is_authenticated:
        return {}
    return finder(current_user)


def _published_call_or_404(slug: str) -> Call:
    call = call_by_slug(slug)
    if call is None:
        abort(404)
    if not call.is_visible_to_applicants():
        require(current_user.is_authenticated and current_user.has_role(Role.ADMIN), 404)
    return call


@bp.get("/calls")
@public
def open_calls():
    now = utcnow()
    calls = db.session.scalars(
        select(Call).where(Call.status == CallStatus.OPEN, Call.closes_at > now)
        .order_by(Call.closes_at)).all()
    return render_template("calls/open_calls.html", calls=calls, now=now,
                           mine=_my_applications())


@bp.get("/calls/<slug>")
@public
def show(slug):
    call = _published_call_or_404(slug)
    return render_template("calls/show.html", call=call, now=utcnow(),
                           application=_my_applications().get(call.id),
                           kind_labels=_kind_labels())


def _kind_labels():
    from icm_recruit.calls.models import DOCUMENT_KIND_LABELS

    return {kind.value: str(label) for kind, label in DOCUMENT_KIND_LABELS.items()}


@bp.get("/admin/calls")
@roles_required(Role.ADMIN)
def admin_list():
    calls = db.session.scalars(select(Call).order_by(Call.closes_at.desc())).all()
    return render_template("calls/admin_list.html", calls=calls)


def _fill_form_from_call(form: CallForm, call: Call) -> None:
    for name in ops.CALL_FIELDS:
        form[name].data = getattr(call, name)
    form.opens_at.data = to_zone(call.opens_at).replace(tzinfo=None)
    form.closes_at.data = to_zone(call.closes_at).replace(tzinfo=None)
    rules = call.rules()
    for kind, _label, sub in form.document_fields():
        rule = rules.get(kind.value)
        sub.requested.data = ("required" if rule["required"] else "optional") if rule else "no"
        if rule:
            sub.max_mb.data, sub.max_pages.data = rule["max_mb"], rule["max_pages"]
    fill_criteria(form.criteria, call.criteria)


def _add_blank_rows(form: CallForm) -> None:
    add_blank_criteria(form.criteria)


def _parts(form: CallForm) -> dict:
    return {"opens_local": form.opens_at.data, "closes_local": form.closes_at.data,
            "document_rules": form.document_rules(), "criteria": form.criteria_data()}


def _defaults(form: CallForm) -> None:
    for kind, _label, sub in form.document_fields():
        if kind != DocumentKind.OTHER:
            sub.requested.data = "required"


@bp.route("/admin/calls/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create():
    form = CallForm()
    if form.validate_on_submit():
        data = {name: form[name].data for name in ops.CALL_FIELDS}
        try:
            call = ops.create_call(data, by=current_user, **_parts(form))
        except ops.CallError as exc:
            db.session.rollback()
            form.slug.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The call is created as a draft. Open it when it is ready."), "success")
            return redirect(url_for(".admin_show", call_id=call.id))
    elif not form.is_submitted():
        _defaults(form)
    _add_blank_rows(form)
    return render_template("calls/edit.html", form=form, call=None)


@bp.route("/admin/calls/<int:call_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(call_id):
    call = db.get_or_404(Call, call_id)
    if not call.is_editable():
        flash(ops.CallError("not_editable").message, "warning")
        return redirect(url_for(".admin_show", call_id=call.id))
    form = CallForm()
    if not form.is_submitted():
        _fill_form_from_call(form, call)
    elif form.validate():
        data = {name: form[name].data for name in ops.CALL_FIELDS}
        try:
            ops.update_call(call, data, by=current_user, **_parts(form))
        except ops.CallError as exc:
            db.session.rollback()
            form.slug.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The call is saved."), "success")
            return redirect(url_for(".admin_show", call_id=call.id))
    _add_blank_rows(form)
    return render_template("calls/edit.html", form=form, call=call)


@bp.get("/admin/calls/<int:call_id>")
@roles_required(Role.ADMIN)
def admin_show(call_id):
    call = db.get_or_404(Call, call_id)
    return render_template("calls/admin_show.html", call=call, kind_labels=_kind_labels(),
                           now=utcnow(), told=lifecycle.audience(call))


@bp.route("/admin/calls/<int:call_id>/chair", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def chair_rights(call_id):
    """What the chair may do on the call beyond meetings and reports (at any stage)."""
    call = db.get_or_404(Call, call_id)
    form = ChairRightsForm()
    if request.method == "GET":
        form.chair_runs_selection.data = call.chair_runs_selection
    elif form.validate_on_submit():
        changed = ops.set_chair_rights(call, runs_selection=form.chair_runs_selection.data,
                                       by=current_user)
        db.session.commit()
        flash(_("What the chair may do is saved.") if changed
              else _("Nothing changed: the chair already had these rights."), "success")
        return redirect(url_for(".admin_show", call_id=call.id))
    return render_template("calls/chair_rights.html", call=call, form=form), (
        422 if form.is_submitted() else 200)


def _confirm_page(call: Call, action: str, form, *, target=None, error=None, status=200):
    now = database_now()
    return render_template("calls/confirm.html", call=call, action=action, form=form,
                           target=target, told=lifecycle.audience(call, now), now=now,
                           error=error), status


@bp.get("/admin/calls/<int:call_id>/status")
@roles_required(Role.ADMIN)
def confirm_status(call_id):
    """Say what the call's next step will do before HR takes it."""
    call = db.get_or_404(Call, call_id)
    if call.status == CallStatus.OPEN:
        return redirect(url_for(".close", call_id=call.id))
    if call.next_status is None:
        flash(ops.CallError("bad_transition").message, "danger")
        return redirect(url_for(".admin_show", call_id=call.id))
    return _confirm_page(call, "advance", CallStatusForm(to=call.next_status.value),
                         target=call.next_status)


@bp.post("/admin/calls/<int:call_id>/status")
@roles_required(Role.ADMIN)
def change_status(call_id):
    call = db.get_or_404(Call, call_id)
    form = CallStatusForm()
    if form.validate_on_submit():
        try:
            target = CallStatus(form.to.data)
            lifecycle.advance(call, target, by=current_user)
        except ValueError:
            flash(ops.CallError("bad_transition").message, "danger")
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("The call is now: %(status)s.", status=target.label), "success")
    return redirect(url_for(".admin_show", call_id=call.id))


@bp.route("/admin/calls/<int:call_id>/close", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def close(call_id):
    """Close an open call now: GET says what it will do, POST (with a reason) does it."""
    call = db.get_or_404(Call, call_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            told = lifecycle.close_early(call, reason=form.reason.data, by=current_user)
        except DomainError as exc:
            db.session.rollback()
            return _confirm_page(call, "close", form, error=exc.message, status=422)
        db.session.commit()
        flash(ngettext("The call is closed. %(num)d applicant with a draft is told by e-mail.",
                       "The call is closed. %(num)d applicants with a draft are told by e-mail.",
                       told.drafts), "success")
        return redirect(url_for(".admin_show", call_id=call.id))
    return _confirm_page(call, "close", form, status=422 if form.is_submitted() else 200)


def _deadline_move(call_id: int, action: str, move, done_message):
    call = db.get_or_404(Call, call_id)
    form = NewDeadlineForm()
    if form.validate_on_submit():
        try:
            told = move(call, closes_at=paris_to_utc(form.deadline.data),
                        reason=form.reason.data, by=current_user)
        except DomainError as exc:
            db.session.rollback()
            return _confirm_page(call, action, form, error=exc.message, status=422)
        db.session.commit()
        flash(done_message(told, call), "success")
        return redirect(url_for(".admin_show", call_id=call.id))
    return _confirm_page(call, action, form, status=422 if form.is_submitted() else 200)


@bp.route("/admin/calls/<int:call_id>/reopen", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def reopen(call_id):
    """Reopen a closed call until a new deadline, while its review has not begun."""
    return _deadline_move(call_id, "reopen", lifecycle.reopen, lambda told, call: ngettext(
        "The call is open again until %(date)s. %(num)d applicant with a draft is told by "
        "e-mail.",
        "The call is open again until %(date)s. %(num)d applicants with a draft are told by "
        "e-mail.", told.drafts, date=lifecycle.shown_to(current_user, call.closes_at)))


@bp.route("/admin/calls/<int:call_id>/extend", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def extend(call_id):
    """Give an open call a later deadline."""
    return _deadline_move(call_id, "extend", lifecycle.extend, lambda told, call: ngettext(
        "The deadline is now %(date)s. %(num)d applicant with a draft is told by e-mail.",
        "The deadline is now %(date)s. %(num)d applicants with a draft are told by e-mail.",
        told.drafts, date=lifecycle.shown_to(current_user, call.closes_at)))


@bp.app_template_filter("time_left")
def time_left(closes_at, now=None):
    """Say how long until `closes_at` in the reader's language, e.g. "in 3 days"."""
    from flask_babel import format_timedelta

    now = now or utcnow()
    if closes_at <= now:
        return _("closed")
    return format_timedelta(closes_at - now, add_direction=True, threshold=1.0)


@bp.app_template_filter("duration")
def duration(delta):
    """Say a length of time in the reader's language, e.g. "3 months"."""
    from flask_babel import format_timedelta

    return format_timedelta(delta, threshold=1.0)
