"""The body both bulk-mark views share (the shortlist, a stage's decisions): the ticked
applications of the call, only those the user may open, marked with one reason; what was
done and what was refused, said in the user's language."""

from collections.abc import Callable

from flask import flash, request
from flask_login import current_user
from sqlalchemy import select

from icm_recruit.applications.models import Application
from icm_recruit.assignment.rules import visible_applications
from icm_recruit.calls.models import Call
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.params import int32_list
from icm_recruit.core.permissions import require
from icm_recruit.extensions import db


def mark_ticked(call: Call, form, *, mark: Callable, error: type[DomainError],
                again: Callable, done_message: Callable[[list[str]], str],
                refusal: type[DomainError] | None = None):
    """Mark the ticked rows; return None when done (the caller redirects), else the page
    again (`again()`, with the form and its errors). `error` stops the whole batch; each
    row refused is said with the messages of `refusal` (by default `error`)."""
    ids = int32_list(request.form.getlist("application_id"))
    if not form.validate_on_submit() or not ids:
        if form.is_submitted() and not ids:
            flash(_("Tick at least one application."), "danger")
        return again()
    applications = db.session.scalars(select(Application).where(
        Application.id.in_(ids), Application.call_id == call.id)).all()
    require(len(applications) == len(ids), 404)
    visible = set(db.session.scalars(
        visible_applications(current_user, call.id)
        .with_only_columns(Application.id)))
    require(set(ids) <= visible)
    try:
        done, refused = mark(applications)
    except error as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return again()
    db.session.commit()
    if done:
        flash(done_message(done), "success")
    for reference, code in refused:
        flash((refusal or error)(code, reference=reference).message, "warning")
    return None

