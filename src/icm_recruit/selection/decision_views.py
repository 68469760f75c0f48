"""Decisions: HR records outcomes, edits and previews letters, sends them; applicants answer."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import Call
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.jobs import JobKind, active_job, latest_job, start_job
from icm_recruit.core.permissions import require, roles_required
from icm_recruit.extensions import db
from icm_recruit.selection import letters, queries, rules, text_views
from icm_recruit.selection import operations as ops
from icm_recruit.selection.forms import (
    DecisionForm,
    OfferAnswerForm,
    SendLettersForm,
)
from icm_recruit.selection.models import Outcome
from icm_recruit.selection.tasks import send_decision_letters

bp = Blueprint("decisions", __name__)
LOCALES = ("en", "fr")


def letter_problems(call_id: int) -> list[tuple[str, str]]:
    """(reference, message) for every unsent letter of the call that cannot be composed."""
    from icm_recruit.selection.models import Decision

    found = []
    for decision_id in queries.unsent_decision_ids(call_id, current_user):
        decision = db.session.get(Decision, decision_id)
        try:
            ops.render_letter(decision)
        except letters.TemplateError as problem:
            found.append((decision.application.reference, problem.message))
    return found


@bp.get("/selection/calls/<int:call_id>/decisions")
@roles_required(Role.ADMIN, Role.CHAIR)
def call_decisions(call_id, typed=None, status_code=200):
    """The decisions of the call; `typed` (application id, form) keeps a refused entry."""
    call = db.get_or_404(Call, call_id)
    require(current_user.has_role(Role.ADMIN) or rules.chair_acts_on(current_user, call))
    rows = [(a, d) for a, d in queries.decision_rows(call.id) if rules.may_decide(current_user, a)]
    return render_template(
        "selection/decisions.html", call=call, rows=rows, form=DecisionForm(),
        plain=AppForm(), job=latest_job(JobKind.DECISION_LETTERS, call.id),
        unsent=len(queries.unsent_decision_ids(call.id, current_user)), outcomes=list(Outcome),
        interview=queries.interview_scores(call), typed=typed), status_code


def _deciding_on(application_id: int) -> Application:
    application = db.get_or_404(Application, application_id)
    if application_rules.is_applicant(current_user, application):
        application_rules.refuse_own_application(application)
    require(rules.may_decide(current_user, application))
    return application


@bp.post("/selection/applications/<int:application_id>/decision")
@roles_required(Role.ADMIN, Role.CHAIR)
def record(application_id):
    application = _deciding_on(application_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("Choose an outcome for %(ref)s; nothing was recorded.",
                ref=application.reference), "danger")
        return call_decisions(application.call_id, typed=(application.id, form),
                              status_code=422)
    try:
        ops.record_decision(application, outcome=Outcome(form.outcome.data),
                            feedback=form.feedback.data or "", by=current_user)
    except ops.SelectionError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for(".call_decisions", call_id=application.call_id)), 303
    db.session.commit()
    flash(_("Decision recorded for %(ref)s. Preview the letter before sending.",
            ref=application.reference), "success")
    return redirect(url_for(".preview", application_id=application.id))


@bp.get("/selection/applications/<int:application_id>/letter")
@roles_required(Role.ADMIN, Role.CHAIR)
def preview(application_id):
    application = _deciding_on(application_id)
    decision = ops.decision_of(application)
    require(decision is not None, 404)
    letter, problem = None, None
    if decision.sent_at is not None:
        letter = letters.Letter(decision.letter_subject or "", decision.letter_body or "")
    else:
        try:
            letter = ops.render_letter(decision)
        except letters.TemplateError as exc:
            problem = exc.message
    return render_template("selection/letter_preview.html", application=application,
                           decision=decision, letter=letter, problem=problem,
                           form=DecisionForm(outcome=decision.outcome.value,
                                             feedback=decision.feedback))


LETTER_TEXT = text_views.CallText(
    outcomes=Outcome, current=ops.template_for, save=ops.save_template,
    reset=ops.reset_template, defaults=letters.DEFAULTS, placeholders=letters.PLACEHOLDERS,
    heading=lambda outcome: _("Letter template: %(outcome)s", outcome=outcome.label),
    title=lambda: _("Letter template"), saved=lambda: _("Letter template saved."),
    back_endpoint=".call_decisions", kind=ops.LETTER_KIND,
    action="letter_template")


@bp.route("/selection/calls/<int:call_id>/letters/<outcome>/<locale>",
          methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_template(call_id, outcome, locale):
    call, outcome = text_views.load(call_id, LETTER_TEXT, outcome, locale)
    values = {"name": _("Dr. Ada Example"), "reference": "ICM-0000-0000",
              "call": call.title_fr if locale == "fr" else call.title_en,
              "feedback": _("(feedback written for this applicant)")}
    return text_views.edit(LETTER_TEXT, call, outcome, locale, values=values)


@bp.get("/selection/calls/<int:call_id>/letters/send")
@roles_required(Role.ADMIN)
def confirm_send(call_id):
    call = db.get_or_404(Call, call_id)
    summary = ops.letters_summary(queries.unsent_decision_ids(call.id, current_user))
    return render_template("selection/letters_confirm.html", call=call, summary=summary,
                           form=SendLettersForm(fingerprint=summary["fingerprint"]),
                           outcomes=list(Outcome), locales=LOCALES,
                           job=latest_job(JobKind.DECISION_LETTERS, call.id))


@bp.post("/selection/calls/<int:call_id>/letters/send")
@roles_required(Role.ADMIN)
def send(call_id):
    call = db.get_or_404(Call, call_id)
    form = SendLettersForm()
    require(AppForm().validate_on_submit(), 400)
    back = redirect(url_for(".call_decisions", call_id=call.id))
    summary_page = redirect(url_for(".confirm_send", call_id=call.id))
    if active_job(JobKind.DECISION_LETTERS, call.id) is not None:
        flash(ops.SelectionError("job_running").message, "warning")
        return back
    ids = queries.unsent_decision_ids(call.id, current_user)
    if not ids:
        flash(ops.SelectionError("nothing_to_send").message, "warning")
        return back
    if not form.validate() or form.fingerprint.data != ops.letters_summary(ids)["fingerprint"]:
        flash(_("Check what will be sent and confirm: the letters recorded changed, or were "
                "not confirmed yet."), "warning")
        return summary_page
    problems = letter_problems(call.id)
    if problems:
        for reference, message in problems:
            flash(f"{reference}: {message}", "danger")
        return back
    start_job(JobKind.DECISION_LETTERS, call, current_user, send_decision_letters)
    flash(_("The letters are being sent; progress is shown below."), "info")
    return back


@bp.route("/applications/<int:application_id>/decision", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def portal(application_id):
    application = db.get_or_404(Application, application_id)
    require(application_rules.is_applicant(current_user, application))
    decision = ops.decision_of(application)
    if decision is None or decision.sent_at is None:
        decision = None  # not told yet: nothing to show
    form = OfferAnswerForm()
    if request.method == "POST":
        require(decision is not None, 404)
        if form.validate_on_submit():
            try:
                ops.respond_to_offer(application, accept=form.answer.data == "accept",
                                     by=current_user)
            except ops.SelectionError as exc:
                db.session.rollback()
                flash(exc.message, "danger")
            else:
                db.session.commit()
                flash(_("Thank you: your answer is recorded and HR is told."), "success")
            return redirect(url_for(".portal", application_id=application.id))
    return render_template("selection/portal.html", application=application,
                           decision=decision, form=form,
                           interview=queries.interview_for(application.id))
