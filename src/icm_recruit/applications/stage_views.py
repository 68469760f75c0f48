"""The applicant's part of a later stage, on their application's page: upload, send."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from icm_recruit.applications import stage_part
from icm_recruit.applications.forms import UploadForm
from icm_recruit.applications.views import bp, own_application_or_403
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import DOCUMENT_KIND_LABELS, DocumentKind
from icm_recruit.core import pdfclean, storage
from icm_recruit.core.audit import record
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import ngettext
from icm_recruit.core.permissions import require, roles_required
from icm_recruit.extensions import db


def _back(application):
    return redirect(url_for("applications.edit", application_id=application.id,
                            _anchor="stage"))


def _typed_texts(application) -> dict:
    """The stage's texts as sent with this request (every button of the part sends them)."""
    stage = stage_part.current_stage(application)
    if stage is None:
        return {}
    return {section.key: request.form[f"text_{section.key}"]
            for section in stage.text_sections if f"text_{section.key}" in request.form}


def _keep_texts(application) -> list | None:
    """Save the typed texts before anything else the request does, committed at once so
    that a refused upload or send loses none of them; say which are over their limit and
    return them. None when they could not be saved (the part is closed; said too)."""
    typed = _typed_texts(application)
    if not typed:
        return []
    try:
        stage_part.save_texts(application, typed, by=current_user)
    except stage_part.StagePartError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return None
    db.session.commit()
    long_ones = stage_part.too_long(stage_part.current_stage(application), typed)
    for title, words, limit in long_ones:
        flash(_("%(title)s has %(n)d words, more than the limit of %(limit)d. It is saved; "
                "shorten it before sending your part.", title=title, n=words, limit=limit),
              "warning")
    return long_ones


@bp.post("/applications/<int:application_id>/stage/texts")
@roles_required(Role.APPLICANT)
def stage_texts(application_id):
    application = own_application_or_403(application_id)
    require(AppForm().validate_on_submit(), 400)
    if not _typed_texts(application):
        flash(_("This stage asks for no text."), "danger")
    elif _keep_texts(application) == []:
        flash(_("Your texts are saved. They are sent with your part of this stage."), "success")
    return _back(application)


@bp.post("/applications/<int:application_id>/stage/documents")
@roles_required(Role.APPLICANT)
def stage_upload(application_id):
    application = own_application_or_403(application_id)
    form = UploadForm()
    require(form.validate_on_submit(), 400)
    try:
        kind = DocumentKind(form.kind.data)
    except ValueError:
        require(False, 400)
    if _keep_texts(application) is None:
        return _back(application)
    stage = stage_part.current_stage(application)
    rule = stage.rules().get(kind.value) if stage else None
    try:
        if rule is None:
            raise stage_part.StagePartError("kind_not_asked")
        upload = request.files.get(f"file_{kind.value}") or request.files.get("file")
        if upload is None or not upload.filename:
            raise storage.UploadError("no_file")
        data = upload.stream.read(rule["max_mb"] * 1024 * 1024 + 1)
        checked = storage.check_pdf(data, upload.filename, max_mb=rule["max_mb"],
                                    max_pages=rule["max_pages"])
        stage_part.upload(application, kind, checked, by=current_user)
    except (stage_part.StagePartError, storage.UploadError) as exc:
        db.session.rollback()
        if isinstance(exc, storage.UploadError):
            record("document.rejected", actor=current_user, obj=application,
                   kind=kind.value, reason=exc.code)
            db.session.commit()
        flash(exc.message, "danger")
        return _back(application)
    db.session.commit()
    flash(ngettext("%(kind)s uploaded (%(num)d page).", "%(kind)s uploaded (%(num)d pages).",
                   checked.pages, kind=DOCUMENT_KIND_LABELS[kind]), "success")
    if checked.removed:
        flash(_("Active content (%(what)s) was removed from your PDF before it was stored; its "
                "pages and text are unchanged.", what=pdfclean.describe(checked.removed)),
              "warning")
    return _back(application)


@bp.post("/applications/<int:application_id>/stage/send")
@roles_required(Role.APPLICANT)
def stage_send(application_id):
    application = own_application_or_403(application_id)
    require(AppForm().validate_on_submit(), 400)
    if _keep_texts(application) is None:
        return _back(application)
    if request.form.get("confirm") != "y":
        flash(_("Tick the box to confirm that your part of this stage is ready to be sent."),
              "danger")
        return _back(application)
    try:
        stage_part.send(application, by=current_user)
    except stage_part.StagePartError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _back(application)
    db.session.commit()
    flash(_("Your part of this stage was received. A receipt was sent to %(email)s.",
            email=application.applicant.email), "success")
    return _back(application)
