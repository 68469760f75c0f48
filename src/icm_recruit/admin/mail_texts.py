"""HR's e-mail texts: every kind of mail, its preview in both languages, its edited text."""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user
from sqlalchemy import select

from icm_recruit.admin import rules
from icm_recruit.admin.views import bp
from icm_recruit.auth.models import Role
from icm_recruit.core import mailkinds, mailrender, mailtexts
from icm_recruit.core.confirm import confirm_page, confirmed
from icm_recruit.core.forms import AppForm, MailTextForm
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.permissions import require, roles_required
from icm_recruit.core.timeutil import recipient_zone
from icm_recruit.extensions import db
from icm_recruit.selection import letters
from icm_recruit.selection import operations as selection_ops

LOCALES = ("en", "fr")
LANGUAGES = {"en": "English", "fr": "Français"}
# The HTML part is shown in a frame of its own: its inline styles, nothing else, run.
HTML_PREVIEW_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                    "frame-ancestors 'self'; sandbox")


def _kind_or_404(name: str, *, editable: bool = False) -> mailkinds.MailKind:
    require(rules.may_edit_mail_texts(current_user))
    kind = mailkinds.kind_of(name)
    if kind is None or (editable and kind.per_call):
        abort(404)
    return kind


def _locale_or_404(locale: str) -> str:
    if locale not in LOCALES:
        abort(404)
    return locale


@bp.get("/mail-texts")
@roles_required(Role.ADMIN)
def mail_texts():
    require(rules.may_edit_mail_texts(current_user))
    edited = {(row.kind, row.locale) for row in db.session.scalars(
        select(mailtexts.MailText).where(mailtexts.MailText.call_id.is_(None)))}
    kinds = sorted(mailkinds.KINDS.values(), key=lambda k: str(k.title))
    return render_template("admin/mail_texts.html", kinds=kinds, edited=edited,
                           locales=LOCALES, languages=LANGUAGES)


@bp.get("/mail-texts/<kind>")
@roles_required(Role.ADMIN)
def mail_kind(kind):
    kind = _kind_or_404(kind)
    with_values = {}
    for locale in LOCALES:
        with force_locale(locale), recipient_zone(mailkinds.ZONE):
            with_values[locale] = mailkinds.values(kind, mailkinds.sample_context(kind, locale))
    previews = {locale: mailrender.preview(kind, locale, context=_per_call_sample(kind, locale))
                for locale in LOCALES}
    cases = {locale: [(label, mailrender.preview(kind, locale, context=context))
                      for label, context in mailkinds.case_contexts(kind, locale)[1:]]
             for locale in LOCALES}
    edited = {locale: mailtexts.find(kind.name, locale) for locale in LOCALES}
    return render_template("admin/mail_kind.html", kind=kind, previews=previews, cases=cases,
                           variants=institute_variants(kind),
                           samples=with_values, edited=edited, locales=LOCALES,
                           languages=LANGUAGES)


@bp.get("/mail-texts/<kind>/<locale>/html")
@roles_required(Role.ADMIN)
def mail_kind_html(kind, locale):
    kind, locale = _kind_or_404(kind), _locale_or_404(locale)
    response = make_response(mailrender.preview(kind, locale)["html"])
    response.headers["Content-Security-Policy"] = HTML_PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _current_text(kind, locale: str) -> tuple[str, str]:
    row = mailtexts.find(kind.name, locale)
    return (row.subject, row.body) if row is not None else mailrender.default_text(kind, locale)


@bp.route("/mail-texts/<kind>/<locale>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_mail_text(kind, locale):
    kind, locale = _kind_or_404(kind, editable=True), _locale_or_404(locale)
    if request.method == "POST" and request.form.get("action") == "reset":
        return _reset(kind, locale)
    subject, body = _current_text(kind, locale)
    form = MailTextForm(data={"subject": subject, "body": body}
                        if request.method == "GET" else None)
    preview = None
    if form.validate_on_submit():
        problems = mailkinds.check(kind, form.subject.data, form.body.data)
        for name, message in problems.items():
            getattr(form, name).errors.append(message)
        if not problems and request.form.get("action") == "save":
            mailtexts.store(kind.name, locale, subject=form.subject.data,
                            body=form.body.data, by=current_user)
            db.session.commit()
            flash(_("E-mail text saved: the e-mails queued from now on use it."), "success")
            return redirect(url_for(".mail_kind", kind=kind.name))
        if not problems:
            preview = [(label, mailrender.preview(kind, locale, (form.subject.data,
                                                                 form.body.data), context))
                       for label, context in mailkinds.case_contexts(kind, locale)]
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template("admin/mail_text_edit.html", kind=kind, locale=locale, form=form,
                           previews=preview, edited=mailtexts.find(kind.name, locale),
                           samples=_samples(kind, locale), languages=LANGUAGES), status


def _samples(kind, locale: str) -> dict[str, str]:
    context = mailkinds.sample_context(kind, locale)
    with force_locale(locale), recipient_zone(mailkinds.ZONE):
        values = mailkinds.values(kind, context)
    label = _("[one-time link, made when the e-mail is sent]")
    return {name: label if kind.placeholder(name).link else value
            for name, value in values.items()}


def _reset(kind, locale: str):
    require(AppForm().validate_on_submit(), 400)
    back = url_for(".edit_mail_text", kind=kind.name, locale=locale)
    if not confirmed():
        return confirm_page(
            heading=_("Restore the default text of “%(kind)s” (%(language)s)?",
                      kind=kind.title, language=LANGUAGES[locale]),
            lines=[_("The e-mails queued from now on use the default text again."),
                   _("E-mails already queued keep the text they were written with."),
                   _("The text you wrote stays in the audit trail.")],
            action=back, button=_("Restore the default"), back=back,
            hidden=[("action", "reset")])
    if mailtexts.drop(kind.name, locale, by=current_user):
        db.session.commit()
        flash(_("The default text is back; the text you had written is kept in the audit "
                "trail."), "success")
    return redirect(url_for(".mail_kind", kind=kind.name))


# ---------------------------------------------------------------- per-call kinds, for all calls


def _per_call_specs() -> dict:
    """The per-call kinds and their editors' specs (outcomes, defaults, placeholders)."""
    from icm_recruit.selection.decision_views import LETTER_TEXT
    from icm_recruit.selection.views import OUTCOME_TEXT
    from icm_recruit.stages.views import OUTCOME_TEXT as STAGE_TEXT

    return {spec.kind: spec for spec in (OUTCOME_TEXT, LETTER_TEXT, STAGE_TEXT)}


def _institute_spec_or_404(kind: str, variant: str, locale: str):
    require(rules.may_edit_mail_texts(current_user))
    spec = _per_call_specs().get(kind)
    if spec is None or variant not in {o.value for o in spec.outcomes}:
        abort(404)
    return spec, spec.outcomes(variant), _locale_or_404(locale)


def _per_call_sample(kind, locale: str) -> dict | None:
    """A per-call kind's sample mail in that language: its first outcome's text for all
    calls (or default), filled with sample values; None for the other kinds."""
    spec = _per_call_specs().get(kind.name)
    if spec is None:
        return None
    outcome = next(iter(spec.outcomes))
    letter = selection_ops.compose(
        selection_ops.institute_text(spec.kind, outcome, locale, spec.defaults),
        _institute_sample(locale))
    return {**mailkinds.sample_context(kind, locale), "subject": letter.subject,
            "body": letter.body, "offer": outcome.value == "offer"}


def institute_variants(kind) -> list[tuple[object, dict]]:
    """A per-call kind's outcomes, each with whether HR set its text for all calls, by
    language."""
    spec = _per_call_specs().get(kind.name)
    if spec is None:
        return []
    edited = {(row.variant, row.locale) for row in db.session.scalars(
        select(mailtexts.MailText).where(mailtexts.MailText.kind == kind.name,
                                         mailtexts.MailText.call_id.is_(None)))}
    return [(outcome, {locale: (outcome.value, locale) in edited for locale in LOCALES})
            for outcome in spec.outcomes]


@bp.route("/mail-texts/<kind>/for-all-calls/<variant>/<locale>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_institute_text(kind, variant, locale):
    """The text of a per-call mail for every call that has none of its own."""
    spec, outcome, locale = _institute_spec_or_404(kind, variant, locale)
    here = url_for(".edit_institute_text", kind=kind, variant=variant, locale=locale)
    if request.method == "POST" and request.form.get("action") == "reset":
        return _reset_institute(spec, outcome, locale, here)
    current = selection_ops.institute_text(spec.kind, outcome, locale, spec.defaults)
    form = MailTextForm(data={"subject": current.subject, "body": current.body}
                        if request.method == "GET" else None)
    preview = None
    if form.validate_on_submit():
        try:
            preview = selection_ops.compose(letters.Letter(form.subject.data, form.body.data),
                                            _institute_sample(locale))
            if request.form.get("action") == "save":
                selection_ops.store_institute_text(
                    spec.kind, outcome, locale, subject=form.subject.data,
                    body=form.body.data, by=current_user, action=spec.action)
                db.session.commit()
                flash(_("Text saved for every call that has no text of its own."), "success")
                return redirect(url_for(".mail_kind", kind=kind))
        except letters.TemplateError as exc:
            db.session.rollback()
            form.body.errors.append(exc.message)
    status = 422 if form.is_submitted() and form.errors else 200
    edited = mailtexts.find(spec.kind, locale, variant=outcome.value) is not None
    return render_template("admin/institute_text_edit.html", kind=mailkinds.kind_of(kind),
                           spec=spec, outcome=outcome, locale=locale, form=form,
                           preview=preview, edited=edited, languages=LANGUAGES), status


def _institute_sample(locale: str) -> dict[str, str]:
    with force_locale(locale):
        return {"name": _("Dr. Ada Example"), "reference": "ICM-0000-0000",
                "call": _("(the call's title)"),
                "feedback": _("(feedback written for this applicant)")}


def _reset_institute(spec, outcome, locale: str, here: str):
    require(AppForm().validate_on_submit(), 400)
    if not confirmed():
        return confirm_page(
            heading=_("Restore the default text for all calls?"),
            lines=[_("%(what)s, in %(language)s: the calls without a text of their own use "
                     "the default text again.", what=spec.heading(outcome),
                     language=LANGUAGES[locale]),
                   _("Calls with their own text keep it."),
                   _("The text you wrote stays in the audit trail.")],
            action=here, button=_("Restore the default"), back=here,
            hidden=[("action", "reset")])
    if selection_ops.drop_institute_text(spec.kind, outcome, locale, by=current_user,
                                         action=spec.action):
        db.session.commit()
        flash(_("The default text is back; the text you had written is kept in the audit "
                "trail."), "success")
    return redirect(here)
