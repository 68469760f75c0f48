"""The page where HR or the chair writes a call's own text of an e-mail for one outcome
(the shortlist outcome e-mail, the decision letter): one editor for both."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from icm_recruit.calls.models import Call
from icm_recruit.core import mailtexts
from icm_recruit.core.confirm import confirm_page, confirmed
from icm_recruit.core.forms import AppForm, MailTextForm
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.permissions import require
from icm_recruit.extensions import db
from icm_recruit.selection import letters
from icm_recruit.selection.operations import compose

LANGUAGE_NAMES = {"en": _l("English"), "fr": _l("French")}

LOCALES = ("en", "fr")


@dataclass(frozen=True)
class CallText:
    """What differs between the per-call texts: their outcomes, operations and pages."""

    outcomes: type
    current: Callable  # (call, outcome, locale) -> Letter
    save: Callable  # (call, outcome, locale, *, subject, body, by)
    reset: Callable  # (call, outcome, locale, *, by) -> bool
    defaults: dict
    placeholders: tuple[str, ...]
    heading: Callable[[object], str]  # the page's heading, for an outcome
    title: Callable[[], str]
    saved: Callable[[], str]
    back_endpoint: str  # the call's page the editor is reached from
    kind: str = ""  # the mail kind (core/mailkinds.py): its rows in the mail_text table
    action: str = ""  # the audit events' prefix of its saves and resets


def load(call_id: int, spec: CallText, outcome: str, locale: str):
    """The call and outcome of the URL; 404 for an unknown call, outcome or language."""
    call = db.get_or_404(Call, call_id)
    if locale not in LOCALES or outcome not in {o.value for o in spec.outcomes}:
        abort(404)
    return call, spec.outcomes(outcome)


def edit(spec: CallText, call: Call, outcome, locale: str, *, values: dict[str, str],
         sample=None):
    """Show, preview, save or reset the text; a bad text is refused beside the field."""
    here = url_for(request.endpoint, **request.view_args)
    if request.method == "POST" and request.form.get("action") == "reset":
        require(AppForm().validate_on_submit(), 400)
        if not confirmed():
            return confirm_page(
                heading=_("Go back to the default text?"),
                lines=[_("%(what)s, in %(language)s: the text written for this call is "
                         "replaced by the default text (the one set for all calls, if HR "
                         "set one).", what=spec.heading(outcome),
                         language=LANGUAGE_NAMES[locale]),
                       _("The text written is kept in the audit trail.")],
                action=here, button=_("Restore the default text"), back=here,
                hidden=[("action", "reset")])
        if spec.reset(call, outcome, locale, by=current_user):
            db.session.commit()
            flash(_("The default text is back; the text you had written is kept in the audit "
                    "trail."), "success")
        return redirect(here)
    current = spec.current(call, outcome, locale)
    form = MailTextForm(data={"subject": current.subject, "body": current.body}
                        if request.method == "GET" else None)
    preview = None
    if form.validate_on_submit():
        try:
            preview = compose(letters.Letter(form.subject.data, form.body.data), values)
            if request.form.get("action") == "save":
                spec.save(call, outcome, locale, subject=form.subject.data,
                          body=form.body.data, by=current_user)
                db.session.commit()
                flash(spec.saved(), "success")
                return redirect(url_for(spec.back_endpoint, call_id=call.id))
        except letters.TemplateError as exc:
            db.session.rollback()
            form.body.errors.append(exc.message)
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template(
        "selection/call_text.html", call=call, outcome=outcome, locale=locale, form=form,
        preview=preview, sample=sample, placeholders=spec.placeholders,
        heading=spec.heading(outcome), title=spec.title(),
        back=url_for(spec.back_endpoint, call_id=call.id),
        edited=own_text(spec, call, outcome, locale),
        for_all_calls=mailtexts.find(spec.kind, locale, variant=outcome.value) is not None,
        kind=spec.kind), status


def own_text(spec: CallText, call: Call, outcome, locale: str) -> bool:
    """Whether the call has its own text for that outcome and language."""
    return mailtexts.find(spec.kind, locale, call_id=call.id, variant=outcome.value) is not None
