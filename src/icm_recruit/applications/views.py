"""The applicant's side: start, fill in, upload, name referees, submit, withdraw, follow."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import force_locale
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from icm_recruit.applications import changes, rules, stage_part
from icm_recruit.applications import operations as ops
from icm_recruit.applications import referees as referee_ops
from icm_recruit.applications.drafts import fill_form as _fill_form
from icm_recruit.applications.drafts import keep_sent_text, typed_form
from icm_recruit.applications.forms import (
    DRAFT_FIELDS,
    ApplicationForm,
    RefereeForm,
    SubmitForm,
    UploadForm,
    WithdrawForm,
    country_name,
)
from icm_recruit.applications.models import Application, Document, RefereeRequest
from icm_recruit.applications.queries import (
    application_for,
    applications_by_call_for,
    applications_of,
    timeline,
)
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import (
    DOCUMENT_KIND_LABELS,
    DocumentKind,
    call_by_slug,
    database_now,
)
from icm_recruit.calls.views import register_applications_by_call
from icm_recruit.core import pdfclean, storage
from icm_recruit.core.audit import record
from icm_recruit.core.confirm import confirm_page, confirmed
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import ngettext
from icm_recruit.core.maillimit import MailLimitError
from icm_recruit.core.permissions import require, roles_required, signed_in
from icm_recruit.extensions import db

bp = Blueprint("applications", __name__)


@bp.record_once
def _show_my_applications_on_call_pages(state) -> None:
    register_applications_by_call(state.app, applications_by_call_for)

DOWNLOAD_HEADERS = {"Content-Security-Policy": "default-src 'none'; sandbox",
                    "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


@bp.app_template_global("render_in")
def render_in(locale: str, template: str, **context) -> str:
    """Render a partial in another language (for bilingual e-mails)."""
    with force_locale(locale):
        return render_template(template, **context)


@bp.app_template_global("in_lang")
def in_lang(english: str, french: str) -> str:
    """Pick the text of the current language (mail templates get both from the context)."""
    from flask_babel import get_locale

    return (french or english) if str(get_locale()) == "fr" else (english or french)


@bp.app_template_filter("from_iso")
def from_iso(value: str):
    from datetime import datetime

    return datetime.fromisoformat(value) if value else None


@bp.app_template_filter("unbroken_references")
def unbroken_references(text: str) -> Markup:
    """A sentence with each application reference in it kept on one line (a phone would
    break ICM-2027-0042 at its hyphens)."""
    text, parts, start = str(text), [], 0
    for found in ops.REFERENCE_IN_TEXT.finditer(text):
        parts += [text[start:found.start()],
                  Markup('<span class="text-nowrap">{}</span>').format(found.group(0))]
        start = found.end()
    return Markup("").join([*parts, text[start:]])  # the text between is escaped


@bp.app_template_global("change_labels")
def _change_labels(codes: list[str]) -> list[str]:
    return changes.change_labels(codes or [])


@bp.app_template_global("country_name")
def _country_name(code: str) -> str:
    return country_name(code)


def localdt(value) -> str:
    """A date as pages show it: in the reader's time zone."""
    return current_app.jinja_env.filters["localdt"](value)


def own_application_or_403(application_id: int) -> Application:
    application = db.get_or_404(Application, application_id)
    require(rules.is_applicant(current_user, application))
    return application


def _fail(exc: Exception, application: Application, anchor: str = ""):
    flash(exc.message, "danger")
    return redirect(url_for(".edit", application_id=application.id, _anchor=anchor or None))


@bp.get("/applications")
@roles_required(Role.APPLICANT)
def mine():
    return render_template("applications/mine.html", applications=applications_of(current_user))


@bp.post("/calls/<slug>/apply")
@roles_required(Role.APPLICANT)
def start(slug):
    call = call_by_slug(slug)
    if call is None or not call.is_visible_to_applicants():
        abort(404)
    require(AppForm().validate_on_submit(), 400)
    try:
        application = ops.start_application(call, by=current_user)
        db.session.commit()
    except ops.ApplicationError as exc:
        db.session.rollback()
        existing = exc.details.get("application")
        flash(exc.message, "info" if existing else "danger")
        if existing is not None:
            return redirect(url_for(".edit", application_id=existing.id))
        return redirect(url_for("calls.show", slug=slug))
    except IntegrityError:  # a second click raced the first: use the one that won
        db.session.rollback()
        existing = application_for(call.id, current_user.id)
        return redirect(url_for(".edit", application_id=existing.id))
    flash(_("Your application %(ref)s is started. Save it as often as you like.",
            ref=application.reference), "success")
    return redirect(url_for(".edit", application_id=application.id))


def _stage_context(application: Application, now) -> dict:
    """What the page shows of the later stage the application is at, if any."""
    stage = stage_part.current_stage(application)
    entry = stage_part.entry_of(application) if stage else None
    return {"stage": stage, "stage_entry": entry,
            "stage_open": stage_part.is_open(application, entry, now),
            "stage_missing": stage_part.missing(application, stage, entry) if stage else []}


def _page(application: Application, form: ApplicationForm, status: int = 200,
          referee_form: RefereeForm | None = None, **documents_state):
    """The edit page; documents_state: notices (category, text) shown in the documents
    section, failed_kind (its file input gets the focus), saved_at (the draft's status)."""
    now = database_now()
    editable = application.accepts_changes(now)
    # A change past its deadline is not shown: the submitted version stands.
    shown = changes.working(application) if editable else application
    return render_template(
        "applications/edit.html", application=shown, call=application.call, form=form,
        editable=editable, upload_form=UploadForm(), referee_form=referee_form or RefereeForm(
            prefix="referee", locale=current_user.locale),
        may_change=rules.can_change_submitted(current_user, application, now),
        submit_form=SubmitForm(), documents=shown.current_documents(),
        kind_labels=DOCUMENT_KIND_LABELS, DocumentKind=DocumentKind,
        plain_form=AppForm(), **_stage_context(application, now), **documents_state), status


@bp.route("/applications/<int:application_id>", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def edit(application_id):
    application = own_application_or_403(application_id)
    form = ApplicationForm()
    if request.method == "GET":
        _fill_form(form, application)
        return _page(application, form)
    if form.validate_on_submit():
        data = {name: form[name].data for name in DRAFT_FIELDS}
        data["country"] = data["country"] or ""
        try:
            ops.save_draft(application, data, form.excluded(), by=current_user)
        except ops.ApplicationError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return _page(application, form, 409)
        db.session.commit()
        flash(_("Your draft is saved."), "success")
        if application.summary_words > application.call.summary_word_limit:
            flash(_("Your summary has %(n)d words, more than the limit of %(limit)d. Shorten it "
                    "before submitting.", n=application.summary_words,
                    limit=application.call.summary_word_limit), "warning")
        return redirect(url_for(".edit", application_id=application.id))
    flash(_("Some fields need your attention; they are marked below. Nothing was saved yet."),
          "danger")
    return _page(application, form)


def _read_upload(kind: DocumentKind, max_mb: int) -> tuple[bytes, str]:
    # On the edit page each kind has its own file input, all in the dossier's form.
    upload = request.files.get(f"file_{kind.value}") or request.files.get("file")
    if upload is None or not upload.filename:
        raise storage.UploadError("no_file")
    data = upload.stream.read(max_mb * 1024 * 1024 + 1)
    return data, upload.filename


def _htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _text_notice(part) -> list[tuple[str, str]]:
    # With htmx the fields are not re-rendered: the status line names them instead.
    if part is None or not part.refused or _htmx():
        return []
    return [("warning", _("Some of the text you typed could not be saved yet; the fields are "
                          "marked above. What you typed is still in them."))]


def _documents_done(application, form, part, notices):
    """After a document action that worked: the documents section (htmx) or the page,
    back at the documents."""
    notices = notices + _text_notice(part)
    if _htmx():
        return _page(application, form, notices=notices, **_draft_state(part))
    if part is not None and part.refused:
        return _page(application, form, notices=notices)
    for category, message in notices:
        flash(message, category)
    return redirect(url_for(".edit", application_id=application.id, _anchor="documents"))


def _documents_refused(application, form, part, message, kind=None):
    """A refused document action: the page again with everything typed, the reason shown
    beside the documents and the focus on the file input concerned."""
    if not application.accepts_changes(database_now()):
        flash(message, "danger")  # the page shows no form any more: say it at the top
        if _htmx():
            return "", 200, {"HX-Redirect": url_for(".edit", application_id=application.id)}
        return redirect(url_for(".edit", application_id=application.id))
    notices = [("danger", message), *_text_notice(part)]
    return _page(application, form, notices=notices, failed_kind=kind, **_draft_state(part))


def _draft_state(part) -> dict:
    """What the page's draft status line says after a request that carried the text."""
    if part is None:
        return {}
    return {"saved_at": database_now(), "refused": part.refused}


@bp.post("/applications/<int:application_id>/documents")
@roles_required(Role.APPLICANT)
def upload(application_id):
    application = own_application_or_403(application_id)
    upload_form = UploadForm()
    require(upload_form.validate_on_submit(), 400)
    form, part, kind = typed_form(application, request.form), None, None
    try:
        kind = DocumentKind(upload_form.kind.data)
        part = keep_sent_text(application, form, request.form, by=current_user)
        rule = application.call.rule_for(kind)
        if rule is None or kind == DocumentKind.LETTER:
            raise ops.ApplicationError("kind_not_asked")
        ops.require_editable(application, current_user)
        data, filename = _read_upload(kind, rule["max_mb"])
        checked = storage.check_pdf(data, filename, max_mb=rule["max_mb"],
                                    max_pages=rule["max_pages"])
        ops.upload_document(application, kind, checked, by=current_user)
    except ValueError:
        abort(400)
    except (ops.ApplicationError, storage.UploadError) as exc:
        db.session.rollback()
        if isinstance(exc, storage.UploadError):
            record("document.rejected", actor=current_user, obj=application,
                   kind=upload_form.kind.data, reason=exc.code)
            db.session.commit()
        return _documents_refused(application, form, part, exc.message, kind)
    db.session.commit()
    notices = [("success", ngettext("%(kind)s uploaded (%(num)d page).",
                                    "%(kind)s uploaded (%(num)d pages).", checked.pages,
                                    kind=DOCUMENT_KIND_LABELS[kind]))]
    if checked.removed:
        notices.append(("warning", _(
            "Active content (%(what)s) was removed from your PDF before it was stored; its "
            "pages and text are unchanged.", what=pdfclean.describe(checked.removed))))
    return _documents_done(application, form, part, notices)


@bp.post("/applications/<int:application_id>/documents/<int:document_id>/remove")
@roles_required(Role.APPLICANT)
def remove_document(application_id, document_id):
    application = own_application_or_403(application_id)
    document = db.get_or_404(Document, document_id)
    require(document.application_id == application.id)
    require(AppForm().validate_on_submit(), 400)
    form, part = typed_form(application, request.form), None
    try:
        part = keep_sent_text(application, form, request.form, by=current_user)
        ops.remove_document(document, by=current_user)
    except ops.ApplicationError as exc:
        db.session.rollback()
        return _documents_refused(application, form, part, exc.message)
    db.session.commit()
    return _documents_done(application, form, part,
                           [("success", _("The document is removed."))])


@bp.post("/applications/<int:application_id>/draft")
@roles_required(Role.APPLICANT)
def save_draft(application_id):
    """Autosave: keep what is valid of the typed dossier (never submit it); answer with
    the status line the page shows."""
    application = own_application_or_403(application_id)
    form = typed_form(application, request.form)
    try:
        ops.require_editable(application, current_user)
        part = keep_sent_text(application, form, request.form, by=current_user)
    except ops.ApplicationError as exc:
        db.session.rollback()
        return render_template("applications/_draft_status.html", problem=exc.message), 409
    return render_template("applications/_draft_status.html", saved_at=database_now(),
                           refused=part.refused if part else {}, form=form)


@bp.get("/documents/<int:document_id>")
@signed_in
def download(document_id):
    document = db.get_or_404(Document, document_id)
    require(rules.can_download(current_user, document))
    response = send_file(storage.path_for(document.storage_key), mimetype="application/pdf",
                         as_attachment=True, download_name=document.download_name,
                         max_age=0)
    response.headers.update(DOWNLOAD_HEADERS)
    return response


@bp.post("/applications/<int:application_id>/referees")
@roles_required(Role.APPLICANT)
def add_referee(application_id):
    application = own_application_or_403(application_id)
    form = RefereeForm(prefix="referee")  # the draft form has its own "institution"
    valid = form.validate_on_submit()
    # The dossier's text comes along (the request is part of the dossier's form): it is
    # saved first, whatever becomes of the request.
    draft = typed_form(application, request.form)
    try:
        part = keep_sent_text(application, draft, request.form, by=current_user)
    except ops.ApplicationError:
        db.session.rollback()
        part = None
    if not valid:
        flash(_("Check the referee's details: %(errors)s",
                errors=" ".join(str(e) for errors in form.errors.values() for e in errors)),
              "danger")
        return _page(application, draft, 422, referee_form=form, **_draft_state(part))
    refused = _mailing_referee(application, lambda: referee_ops.add_referee(
        application, name=form.name.data, email=form.email.data,
        institution=form.institution.data, locale=form.locale.data, by=current_user), form)
    if refused:
        return refused
    flash(_("We e-mailed %(name)s a link to upload the letter.", name=form.name.data),
          "success")
    if part is not None and part.refused:
        flash(_("Some of the text you typed could not be saved yet; the fields are marked "
                "above. What you typed is still in them."), "warning")
        return _page(application, draft, referee_form=RefereeForm(
            prefix="referee", formdata=None, locale=current_user.locale))
    return redirect(url_for(".edit", application_id=application.id, _anchor="referees"))


def _mail_refused(exc: MailLimitError, application: Application,
                  referee_form: RefereeForm | None = None):
    """Nothing was done; show the page again with what was typed and why (429)."""
    db.session.rollback()
    flash(exc.message, "warning")
    draft = ApplicationForm(formdata=None)
    _fill_form(draft, application)
    return _page(application, draft, 429, referee_form=referee_form)


def _own_referee(application_id: int, request_id: int) -> RefereeRequest:
    application = own_application_or_403(application_id)
    referee = db.get_or_404(RefereeRequest, request_id)
    require(referee.application_id == application.id)
    require(AppForm().validate_on_submit(), 400)
    return referee


def _mailing_referee(application: Application, operation, form=None):
    """Run a referee operation that mails the referee and commit it; on a refusal (mail
    limit, rule) return the page that says why, the typed form kept."""
    try:
        operation()
    except MailLimitError as exc:
        return _mail_refused(exc, application, form)
    except ops.ApplicationError as exc:
        db.session.rollback()
        return _fail(exc, application, "referees")
    db.session.commit()
    return None


@bp.post("/applications/<int:application_id>/referees/<int:request_id>/resend")
@roles_required(Role.APPLICANT)
def resend_referee(application_id, request_id):
    referee = _own_referee(application_id, request_id)
    refused = _mailing_referee(referee.application,
                               lambda: referee_ops.resend_referee(referee, by=current_user))
    if refused:
        return refused
    flash(_("A new link was sent to %(name)s; the previous one no longer works.",
            name=referee.name), "success")
    return redirect(url_for(".edit", application_id=application_id, _anchor="referees"))


@bp.post("/applications/<int:application_id>/referees/<int:request_id>/cancel")
@roles_required(Role.APPLICANT)
def cancel_referee(application_id, request_id):
    referee = _own_referee(application_id, request_id)
    if not confirmed():
        back = url_for(".edit", application_id=application_id, _anchor="referees")
        lines = [_("The link sent to %(name)s stops working; they are not sent an e-mail.",
                   name=referee.name),
                 _("You can ask them again afterwards: they then receive a new link by "
                   "e-mail.")]
        return confirm_page(heading=_("Remove %(name)s from your referees?", name=referee.name),
                            lines=lines, button=_("Remove the referee"), back=back,
                            title=referee.application.title or referee.application.reference,
                            action=url_for(".cancel_referee", application_id=application_id,
                                           request_id=request_id))
    try:
        referee_ops.cancel_referee(referee, by=current_user)
    except ops.ApplicationError as exc:
        db.session.rollback()
        return _fail(exc, referee.application, "referees")
    db.session.commit()
    flash(_("%(name)s was removed from your referees. You can name someone else.",
            name=referee.name), "success")
    return redirect(url_for(".edit", application_id=application_id, _anchor="referees"))


@bp.post("/applications/<int:application_id>/referees/<int:request_id>/again")
@roles_required(Role.APPLICANT)
def request_referee_again(application_id, request_id):
    referee = _own_referee(application_id, request_id)
    back = url_for(".edit", application_id=application_id, _anchor="referees")
    if not confirmed():
        lines = [_("%(name)s (%(email)s) receives an e-mail with a new link to upload the "
                   "letter.", name=referee.name, email=referee.email)]
        return confirm_page(heading=_("Ask %(name)s again?", name=referee.name), lines=lines,
                            button=_("Send the request"), back=back, gentle=True,
                            title=referee.application.title or referee.application.reference,
                            action=url_for(".request_referee_again",
                                           application_id=application_id,
                                           request_id=request_id))
    refused = _mailing_referee(referee.application,
                               lambda: referee_ops.request_again(referee, by=current_user))
    if refused:
        return refused
    flash(_("We e-mailed %(name)s a link to upload the letter.", name=referee.name),
          "success")
    return redirect(back)


def _submitted_on(application: Application):
    """When the version HR and the board read was submitted."""
    latest = application.latest_version
    return latest.submitted_at if latest else application.submitted_at


@bp.route("/applications/<int:application_id>/change", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def change(application_id):
    """Open a change of the submitted application, after saying what it means."""
    application = own_application_or_403(application_id)
    if application.changing:
        return redirect(url_for(".edit", application_id=application.id))
    if not rules.can_change_submitted(current_user, application, database_now()):
        flash(ops.ApplicationError("not_editable").message, "warning")
        return redirect(url_for(".status", application_id=application.id))
    if request.method == "POST" and AppForm().validate_on_submit() and confirmed():
        try:
            changes.open_change(application, by=current_user)
        except ops.ApplicationError as exc:
            db.session.rollback()
            return _fail(exc, application)
        db.session.commit()
        flash(_("You are changing your application. Submit the changes before the deadline; "
                "until then HR and the board read the version you submitted."), "info")
        return redirect(url_for(".edit", application_id=application.id))
    return confirm_page(
        heading=_("Change your submitted application %(ref)s?", ref=application.reference),
        lines=[_("Your dossier opens again: you can change its text and replace its files."),
               _("Until you submit the changes, HR and the board go on reading the version "
                 "you submitted on %(date)s.", date=localdt(_submitted_on(application))),
               _("Submit the changes before the deadline, %(date)s: changes not submitted "
                 "by then are not taken into account.", date=localdt(application.deadline)),
               _("Each submitted version is kept; HR and the board see that the application "
                 "changed.")],
        action=url_for(".change", application_id=application.id),
        button=_("Change my application"),
        back=url_for(".status", application_id=application.id), gentle=True)


@bp.route("/applications/<int:application_id>/change/discard", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def discard_change(application_id):
    application = own_application_or_403(application_id)
    if not application.changing:
        return redirect(url_for(".status", application_id=application.id))
    if request.method == "POST" and AppForm().validate_on_submit() and confirmed():
        changes.discard_change(application, by=current_user)
        db.session.commit()
        flash(_("Your changes are discarded. The version you submitted stands."), "success")
        return redirect(url_for(".status", application_id=application.id))
    return confirm_page(
        heading=_("Discard your changes?"),
        lines=[_("What you changed since opening the change, text and files, is dropped."),
               _("The version you submitted on %(date)s stays the one HR and the board read.",
                 date=localdt(_submitted_on(application)))],
        action=url_for(".discard_change", application_id=application.id),
        button=_("Discard my changes"), back=url_for(".edit", application_id=application.id))


def _submit_change(application: Application):
    try:
        changed = changes.submit_change(application, by=current_user)
    except ops.ApplicationError as exc:
        if exc.code == "deadline_passed":
            db.session.commit()  # keep the audit event of the refusal
        else:
            db.session.rollback()
        return _fail(exc, application, "submit")
    application_id, version = application.id, application.version
    db.session.commit()
    if not changed:
        flash(_("You changed nothing: the version you submitted stands."), "info")
        return redirect(url_for(".status", application_id=application_id))
    from icm_recruit.applications.tasks import build_dossier

    try:
        build_dossier.delay(application_id)
    except Exception:  # the dossier can be rebuilt later; the submission stands
        current_app.logger.exception("could not build the dossier of %s", application_id)
    flash(_("Your changes were submitted: version %(n)d of your application is the one HR "
            "and the board read. A receipt is on its way by e-mail.", n=version), "success")
    return redirect(url_for(".status", application_id=application_id))


@bp.post("/applications/<int:application_id>/submit")
@roles_required(Role.APPLICANT)
def submit(application_id):
    application = own_application_or_403(application_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to confirm."), "danger")
        return redirect(url_for(".edit", application_id=application.id, _anchor="submit"))
    if application.changing:
        return _submit_change(application)
    try:
        ops.submit_application(application, by=current_user)
    except ops.ApplicationError as exc:
        if exc.code == "deadline_passed":
            db.session.commit()  # keep the audit event of the refusal
        else:
            db.session.rollback()
        if exc.code == "already_submitted":
            flash(exc.message, "info")
            return redirect(url_for(".status", application_id=application.id))
        return _fail(exc, application, "submit")
    application_id, reference = application.id, application.reference
    record("application.privacy_consent", actor=current_user, obj=application)
    db.session.commit()
    # Only now, with the submission committed, is the applicant told it was received.
    from icm_recruit.applications.tasks import build_dossier

    try:
        build_dossier.delay(application_id)
    except Exception:  # the dossier can be rebuilt later; the submission stands
        current_app.logger.exception("could not build the dossier of %s", application_id)
    flash(_("Your application %(ref)s was submitted. A receipt is on its way by e-mail.",
            ref=reference), "success")
    return redirect(url_for(".status", application_id=application_id, submitted=1))


@bp.get("/applications/<int:application_id>/status")
@roles_required(Role.APPLICANT)
def status(application_id):
    application = own_application_or_403(application_id)
    now = database_now()
    return render_template("applications/status.html", application=application,
                           events=timeline(application), now=now,
                           just_submitted=request.args.get("submitted") == "1",
                           upload_form=UploadForm(), **_stage_context(application, now))


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def withdraw(application_id):
    application = own_application_or_403(application_id)
    form = WithdrawForm()
    if not rules.can_withdraw(current_user, application):
        flash(ops.ApplicationError("cannot_withdraw").message, "warning")
        return redirect(url_for(".status", application_id=application.id))
    if form.validate_on_submit():
        try:
            ops.withdraw_application(application, by=current_user,
                                     reason=form.reason.data or "")
        except ops.ApplicationError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("Your application %(ref)s is withdrawn.", ref=application.reference),
                  "success")
        return redirect(url_for(".status", application_id=application.id))
    return render_template("applications/withdraw.html", application=application, form=form)

