"""Pages of the stages: HR defines a call's stages; HR or the chair decide who goes on and
send the stage's outcomes."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from icm_recruit.applications.forms import RefereeForm
from icm_recruit.applications.models import Application, StageVerdict
from icm_recruit.auth.models import Role
from icm_recruit.calls import operations as call_ops
from icm_recruit.calls.forms import add_blank_criteria, fill_criteria
from icm_recruit.calls.models import Call, RefereeMode
from icm_recruit.core import pagecache
from icm_recruit.core.confirm import confirm_page, confirmed
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import ngettext
from icm_recruit.core.jobs import JobKind, active_job, latest_job, start_job
from icm_recruit.core.maillimit import MailLimitError
from icm_recruit.core.permissions import require, roles_required
from icm_recruit.core.timeutil import to_zone
from icm_recruit.extensions import db
from icm_recruit.selection import letters, queries, text_views
from icm_recruit.selection import operations as selection_ops
from icm_recruit.selection import rules as selection_rules
from icm_recruit.selection.forms import SendOutcomesForm
from icm_recruit.selection.marking import mark_ticked
from icm_recruit.selection.shortlist import LOCALES
from icm_recruit.stages import operations as ops
from icm_recruit.stages.forms import MarkForm, StageForm
from icm_recruit.stages.tasks import send_stage_outcomes

bp = Blueprint("stages", __name__, url_prefix="/stages")
STAFF = (Role.ADMIN, Role.CHAIR)


def _local(value):
    return to_zone(value).replace(tzinfo=None) if value else None


# HR defines the stages ----------------------------------------------------------------------


@bp.get("/calls/<int:call_id>")
@roles_required(*STAFF)
def index(call_id):
    def render():
        call = db.get_or_404(Call, call_id)  # the staff's (the role is checked before)
        return render_template(
            "stages/index.html", call=call, plain=AppForm(),
            started={s.position: ops.started(call, s.position) for s in call.stages})

    return pagecache.page(render)


def _fill(form: StageForm, call: Call, position: int) -> None:
    stage = call.stage(position)
    if stage is None:
        return
    for name in ("name_en", "name_fr", "instructions_en", "instructions_fr",
                 "reviewers_per_application", "referees_required", "notify_outcome"):
        form[name].data = getattr(stage, name)
    form.referee_mode.data = stage.referee_mode.value
    form.closes_at.data = _local(stage.closes_at)
    form.review_due_at.data = _local(stage.review_due_at)
    rules = stage.rules()
    for kind, _label, sub in form.document_fields():
        rule = rules.get(kind.value)
        sub.requested.data = ("required" if rule["required"] else "optional") if rule else "no"
        if rule:
            sub.max_mb.data, sub.max_pages.data = rule["max_mb"], rule["max_pages"]
    form.fill_sections(stage.sections or [])
    fill_criteria(form.criteria, stage.own_criteria)


def _save(call: Call, form: StageForm, position: int | None):
    later = position != 1
    stage_started = position is not None and ops.started(call, position)
    if not form.validate(later=later):
        return None
    if stage_started and not form.confirm_change.data:
        form.confirm_change.errors.append(
            _("Applicants have reached this stage: tick this box to confirm the change."))
        return None
    try:
        existing = call.stage(position).sections if position else []
        stage = ops.save_stage(call, form.data_for(later, existing or []), by=current_user,
                               position=position, confirmed=stage_started)
        if later and not stage_started:
            call_ops.replace_stage_criteria(call, stage.position, form.criteria_rows())
    except ops.StageError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return None
    db.session.commit()
    return stage


def _form_page(call: Call, form: StageForm, position: int | None, status: int = 200):
    add_blank_criteria(form.criteria)
    stage_started = position is not None and ops.started(call, position)
    return render_template("stages/edit.html", call=call, form=form, position=position,
                           later=position != 1, started=stage_started), status


@bp.route("/calls/<int:call_id>/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def add(call_id):
    call = db.get_or_404(Call, call_id)
    form = StageForm()
    if request.method == "GET":
        form.name_en.data = "Full application" if len(call.stages) <= 1 else ""
        form.name_fr.data = "Candidature complète" if len(call.stages) <= 1 else ""
        fill_criteria(form.criteria, [])
        return _form_page(call, form, None)
    stage = _save(call, form, None)
    if stage is None:
        return _form_page(call, form, None, 422)
    flash(_("Stage %(n)d added: %(name)s.", n=stage.position, name=stage.name), "success")
    return redirect(url_for(".index", call_id=call.id))


@bp.route("/calls/<int:call_id>/<int:position>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(call_id, position):
    call = db.get_or_404(Call, call_id)
    if position == 1 and call.stage(1) is None:
        require(False, 404)
    require(call.stage(position) is not None, 404)
    form = StageForm()
    if request.method == "GET":
        _fill(form, call, position)
        return _form_page(call, form, position)
    stage = _save(call, form, position)
    if stage is None:
        return _form_page(call, form, position, 422)
    flash(_("Stage %(n)d saved: %(name)s.", n=stage.position, name=stage.name), "success")
    return redirect(url_for(".index", call_id=call.id))


@bp.post("/calls/<int:call_id>/<int:position>/remove")
@roles_required(Role.ADMIN)
def remove(call_id, position):
    call = db.get_or_404(Call, call_id)
    require(AppForm().validate_on_submit(), 400)
    stage = call.stage(position)
    require(stage is not None, 404)
    back = url_for(".index", call_id=call.id)
    if not confirmed():
        return confirm_page(
            heading=_("Remove the stage %(name)s?", name=stage.name),
            lines=[_("Nobody has reached this stage yet; its settings and review form are "
                     "removed."),
                   _("The call keeps its other stages.")],
            action=url_for(".remove", call_id=call.id, position=position),
            button=_("Remove the stage"), back=back, title=call.title)
    try:
        ops.remove_stage(call, position, by=current_user)
    except ops.StageError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(back)
    db.session.commit()
    flash(_("The stage was removed."), "success")
    return redirect(back)


# Deciding who goes on -----------------------------------------------------------------------


def _decide_page(call: Call, form: MarkForm, status: int = 200):
    applications = ops.stage_applications(call, current_user) if call.is_staged \
        and not call.is_last_stage else []
    snapshot = queries.latest_snapshot(call.id, call.current_stage)
    ranks = {r.application_id: r for r in snapshot.rows} if snapshot else {}
    applications.sort(key=lambda a: (ranks[a.id].calibrated_rank if a.id in ranks else 10**6,
                                     a.reference))
    entries = ops.entries_of(call, call.current_stage)
    earlier = queries.earlier_standings(call, call.current_stage)
    return render_template("stages/decide.html", call=call, form=form,
                           applications=applications, ranks=ranks, entries=entries,
                           earlier=earlier, snapshot=snapshot), status


@bp.get("/calls/<int:call_id>/decide")
@roles_required(*STAFF)
def decide(call_id):
    call = db.get_or_404(Call, call_id)
    return _decide_page(call, MarkForm())


@bp.post("/calls/<int:call_id>/decide")
@roles_required(*STAFF)
def mark(call_id):
    call = db.get_or_404(Call, call_id)
    form = MarkForm()
    page = mark_ticked(
        call, form, error=ops.StageError,
        mark=lambda rows: ops.mark_many(rows, verdict=form.verdict.data,
                                        reason=form.reason.data, by=current_user),
        again=lambda: _decide_page(call, form, 422),
        done_message=lambda done: ngettext(
            "%(num)d application marked: %(refs)s. Nothing is sent until you send the "
            "stage's outcomes; you can still change this mark.",
            "%(num)d applications marked: %(refs)s. Nothing is sent until you send the "
            "stage's outcomes; you can still change these marks.", len(done),
            refs=", ".join(done)))
    if page is not None:
        return page
    return redirect(url_for(".decide", call_id=call.id))


@bp.get("/calls/<int:call_id>/outcomes")
@roles_required(*STAFF)
def outcomes(call_id):
    call = db.get_or_404(Call, call_id)
    deciding = call.is_staged and not call.is_last_stage
    summary = ops.summary(call, current_user) if deciding else None
    return render_template(
        "stages/outcomes.html", call=call, summary=summary, deciding=deciding,
        form=SendOutcomesForm(fingerprint=summary.fingerprint if summary else ""),
        job=latest_job(JobKind.STAGE_OUTCOMES, call.id), verdicts=list(StageVerdict),
        locales=LOCALES, stage=call.stage(call.current_stage))


@bp.post("/calls/<int:call_id>/outcomes")
@roles_required(*STAFF)
def send_outcomes(call_id):
    call = db.get_or_404(Call, call_id)
    form = SendOutcomesForm()
    require(AppForm().validate_on_submit(), 400)
    back = redirect(url_for(".outcomes", call_id=call.id))
    problem = ops.sending_problem(
        call, current_user, form.fingerprint.data if form.validate() else "",
        running=active_job(JobKind.STAGE_OUTCOMES, call.id) is not None)
    if problem:
        flash(problem, "warning")
        return back
    start_job(JobKind.STAGE_OUTCOMES, call, current_user, send_stage_outcomes)
    flash(_("The outcomes of the stage are being sent; progress is shown below."), "info")
    return back


OUTCOME_TEXT = text_views.CallText(
    outcomes=StageVerdict, current=ops.template_for, save=ops.save_template,
    reset=ops.reset_template, defaults=ops.DEFAULTS, placeholders=letters.PLACEHOLDERS[:3],
    heading=lambda verdict: _("Stage outcome e-mail: %(outcome)s", outcome=verdict.label),
    title=lambda: _("Stage outcome e-mail"), saved=lambda: _("E-mail text saved."),
    back_endpoint=".outcomes", kind=ops.OUTCOME_KIND,
    action="stage_template")


@bp.route("/calls/<int:call_id>/outcomes/<outcome>/<locale>", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_outcome_template(call_id, outcome, locale):
    call, verdict = text_views.load(call_id, OUTCOME_TEXT, outcome, locale)
    sample = next((e.application for e in ops.untold(call, current_user)
                   if e.verdict is verdict), None) if call.is_staged else None
    values = (selection_ops.letter_values(sample, locale, "") if sample is not None else
              {"name": _("Dr. Ada Example"), "reference": "ICM-0000-0000", "feedback": "",
               "call": call.title_fr if locale == "fr" else call.title_en})
    return text_views.edit(OUTCOME_TEXT, call, verdict, locale, values=values, sample=sample)


# Letters from referees the institution chooses -------------------------------------------


@bp.get("/calls/<int:call_id>/letters")
@roles_required(*STAFF)
def letters(call_id):
    call = db.get_or_404(Call, call_id)
    stage = call.stage(call.current_stage)
    asking = stage is not None and not stage.is_first \
        and stage.referee_mode == RefereeMode.INSTITUTION
    applications = ops.stage_applications(call, current_user) if asking else []
    return render_template("stages/letters.html", call=call, stage=stage, asking=asking,
                           rows=[(a, ops.institution_letters(a)) for a in applications])


def _letters_page(application, form, status=200):
    call = application.call
    return render_template("stages/application_letters.html", application=application,
                           call=call, stage=call.stage(application.stage), form=form,
                           requests=ops.institution_letters(application)), status


@bp.route("/applications/<int:application_id>/letters", methods=["GET", "POST"])
@roles_required(*STAFF)
def application_letters(application_id):
    application = db.get_or_404(Application, application_id)
    require(selection_rules.may_shortlist(current_user, application), 403)
    form = RefereeForm(prefix="referee")
    if request.method == "GET" or not form.validate_on_submit():
        return _letters_page(application, form, 200 if request.method == "GET" else 422)
    try:
        ops.ask_institution_letter(application, name=form.name.data, email=form.email.data,
                                   institution=form.institution.data,
                                   locale=form.locale.data, by=current_user)
    except (ops.StageError, MailLimitError) as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _letters_page(application, form, 422)
    db.session.commit()
    flash(_("The letter was asked for: %(name)s received a one-time link by e-mail. The "
            "applicant is told only that a letter was asked for.", name=form.name.data),
          "success")
    return redirect(url_for(".application_letters", application_id=application.id))
