"""The board: HR invites and manages members and conflicts; members keep their profile,
availability, conflict declarations and bids."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application
from icm_recruit.auth.models import Role, User
from icm_recruit.board import operations as ops
from icm_recruit.board import queries, signals
from icm_recruit.board.forms import (
    SOURCE_LABELS,
    BidForm,
    BulkDecisionForm,
    CallSettingForm,
    DecisionForm,
    DeclarationForm,
    InviteMemberForm,
    ManualConflictForm,
    ProfileForm,
    SimpleForm,
    format_past_affiliations,
    parse_past_affiliations,
)
from icm_recruit.board.models import (
    BidLevel,
    BoardMember,
    Conflict,
    ConflictSource,
    ConflictStatus,
    DigestPreference,
)
from icm_recruit.board.tasks import detect_conflicts
from icm_recruit.calls.models import Call, CallStatus
from icm_recruit.core.confirm import confirm_page, confirmed
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.jobs import JobKind, latest_job, start_job
from icm_recruit.core.params import int32, int32_list
from icm_recruit.core.permissions import require, roles_required
from icm_recruit.extensions import db

bp = Blueprint("board", __name__)
MEMBER_ROLES = (Role.REVIEWER, Role.CHAIR)


# ---------------------------------------------------------------- HR: members


def _members_page(form: InviteMemberForm, status: int = 200):
    return render_template("board/members.html", members=queries.all_members(),
                           form=form, button=SimpleForm()), status


@bp.get("/admin/board")
@roles_required(Role.ADMIN)
def members():
    return _members_page(InviteMemberForm())


@bp.post("/admin/board/invite")
@roles_required(Role.ADMIN)
def invite():
    form = InviteMemberForm()
    if not form.validate_on_submit():
        return _members_page(form, 422)
    member = ops.invite_member(email=form.email.data, name=form.name.data,
                               locale=form.locale.data, by=current_user)
    db.session.commit()
    flash(_("%(name)s is invited to the board; they received a link to set a password.",
            name=member.user.name), "success")
    return redirect(url_for(".members"))


@bp.post("/admin/board/members/<int:member_id>/<any(activate, deactivate):action>")
@roles_required(Role.ADMIN)
def set_active(member_id, action):
    member = db.get_or_404(BoardMember, member_id)
    require(SimpleForm().validate_on_submit(), 400)
    if action == "deactivate" and member.active and not confirmed():
        return _confirm_deactivation(member)
    ops.set_member_active(member, action == "activate", by=current_user)
    db.session.commit()
    flash(_("%(name)s is active on the board again.", name=member.user.name)
          if member.active else
          _("%(name)s is deactivated: no new assignments; their history stays.",
            name=member.user.name), "success")
    return redirect(url_for(".members"))


def _confirm_deactivation(member: BoardMember):
    lines = [_("%(name)s gets no new assignment; their reviews and history stay.",
               name=member.user.name)]
    for _receiver, more in signals.deactivation_consequences.send(None,
                                                                   user_id=member.user_id):
        lines += more or []
    lines += [_("Nobody is sent an e-mail."),
              _("You can make them active again at any time.")]
    return confirm_page(heading=_("Deactivate %(name)s?", name=member.user.name),
                        lines=lines, button=_("Deactivate the member"),
                        action=url_for(".set_active", member_id=member.id, action="deactivate"),
                        back=url_for(".members"))


# ---------------------------------------------------------------- HR: conflicts of a call


def _conflict_filters(values) -> dict:
    """The reason code and status asked for in the query string (unknown ones ignored)."""
    source, status = values.get("source", ""), values.get("status", "")
    return {"source": ConflictSource(source) if source in ConflictSource._value2member_map_
            else None,
            "status": ConflictStatus(status) if status in ConflictStatus._value2member_map_
            else None}


def _filter_args(filters: dict) -> dict:
    return {name: value.value for name, value in filters.items() if value is not None}


def _conflicts_page(call: Call, manual: ManualConflictForm, status: int = 200):
    filters = _conflict_filters(request.args)
    conflicts = queries.call_conflicts(call, current_user, **filters)
    applications, users = queries.conflict_context(conflicts)
    locale = str(get_locale() or "en")
    return render_template(
        "board/conflicts.html", call=call, groups=queries.group_conflicts(conflicts),
        applications=applications, users=users, manual=manual, decision=DecisionForm(),
        button=SimpleForm(), job=latest_job(JobKind.CONFLICTS, call.id),
        reasons={c.id: ops.conflict_reason(c, locale) for c in conflicts},
        filters=_filter_args(filters), source_labels=SOURCE_LABELS,
        bulk=BulkDecisionForm(formdata=None)), status


def _manual_form(call: Call) -> ManualConflictForm:
    form = ManualConflictForm()
    form.member.choices = [(m.user_id, m.user.name) for m in queries.all_members() if m.active]
    form.application.choices = [(a.id, f"{a.reference} · {a.title}")
                                for a in queries.call_applications_for_hr(call, current_user)]
    return form


@bp.get("/admin/calls/<int:call_id>/conflicts")
@roles_required(Role.ADMIN)
def conflicts(call_id):
    call = db.get_or_404(Call, call_id)
    return _conflicts_page(call, _manual_form(call))


@bp.post("/admin/calls/<int:call_id>/conflicts/detect")
@roles_required(Role.ADMIN)
def detect(call_id):
    call = db.get_or_404(Call, call_id)
    require(SimpleForm().validate_on_submit(), 400)
    start_job(JobKind.CONFLICTS, call, current_user, detect_conflicts)
    flash(_("Conflict detection started."), "info")
    return redirect(url_for(".conflicts", call_id=call.id))


@bp.post("/admin/conflicts/<int:conflict_id>/<any(confirm, dismiss):action>")
@roles_required(Role.ADMIN)
def decide(conflict_id, action):
    conflict = db.get_or_404(Conflict, conflict_id)
    application = db.get_or_404(Application, conflict.application_id)
    application_rules.require_hr_on(current_user, application)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for your decision."), "danger")
        return redirect(url_for(".conflicts", call_id=application.call_id,
                                _anchor=f"conflict-{conflict.id}"))
    try:
        ops.decide_conflict(conflict, confirm=action == "confirm", reason=form.reason.data,
                            by=current_user)
    except ops.BoardError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for(".conflicts", call_id=application.call_id,
                                _anchor=f"conflict-{conflict.id}"))
    db.session.commit()
    flash(_("Conflict confirmed.") if action == "confirm" else _("Conflict dismissed."),
          "success")
    return redirect(url_for(".conflicts", call_id=application.call_id))


def _bulk_selection(call: Call, values) -> tuple[list[Conflict], int]:
    """The ticked conflicts HR handles (all shown ones when asked), and how many were
    ticked but left out (their own application's, or not of this call)."""
    if values.get("all_shown"):
        return queries.call_conflicts(call, current_user, **_conflict_filters(values)), 0
    ids = int32_list(values.getlist("conflict_id"))
    chosen = queries.call_conflicts(call, current_user, ids=ids) if ids else []
    return chosen, len(ids) - len(chosen)


def _bulk_page(call: Call, action: str, form, chosen, left_out: int, status: int):
    applications, users = queries.conflict_context(chosen)
    return render_template(
        "board/bulk_confirm.html", call=call, action=action, conflicts=chosen,
        left_out=left_out, form=form, applications=applications, users=users,
        filters=_filter_args(_conflict_filters(request.form))), status


@bp.post("/admin/calls/<int:call_id>/conflicts/bulk/<any(confirm, dismiss):action>/confirm")
@roles_required(Role.ADMIN)
def confirm_bulk_decision(call_id, action):
    """Say how many conflicts the decision will touch; nothing changes here.

    A POST, so the selection, the reason and the form's token stay out of the URL."""
    call = db.get_or_404(Call, call_id)
    chosen, left_out = _bulk_selection(call, request.form)
    return _bulk_page(call, action, BulkDecisionForm(), chosen, left_out, 200)


@bp.post("/admin/calls/<int:call_id>/conflicts/bulk/<any(confirm, dismiss):action>")
@roles_required(Role.ADMIN)
def bulk_decide(call_id, action):
    """Decide every conflict listed on the confirmation page with its one reason."""
    call = db.get_or_404(Call, call_id)
    values = request.form
    chosen, left_out = _bulk_selection(call, values)
    form = BulkDecisionForm()
    if not chosen or not form.validate_on_submit():
        return _bulk_page(call, action, form, chosen, left_out, 422)
    decided, skipped = ops.decide_conflicts(chosen, confirm=action == "confirm",
                                            reason=form.reason.data, by=current_user)
    db.session.commit()
    flash(_("Conflicts confirmed: %(count)s.", count=len(decided)) if action == "confirm"
          else _("Conflicts dismissed: %(count)s.", count=len(decided)), "success")
    if skipped or left_out:
        flash(_("Selected conflicts left as they were (already so, or on your own "
                "application): %(count)s.", count=len(skipped) + left_out), "info")
    return redirect(url_for(".conflicts", call_id=call.id,
                            **_filter_args(_conflict_filters(values))))


@bp.post("/admin/calls/<int:call_id>/conflicts/manual")
@roles_required(Role.ADMIN)
def add_manual(call_id):
    call = db.get_or_404(Call, call_id)
    own = db.session.get(Application, request.form.get("application", type=int32) or 0)
    if own is not None and application_rules.is_applicant(current_user, own):
        application_rules.refuse_own_application(own)
    form = _manual_form(call)
    if not form.validate_on_submit():
        return _conflicts_page(call, form, 422)
    application = db.get_or_404(Application, form.application.data)
    require(application.call_id == call.id, 404)
    application_rules.require_hr_on(current_user, application)
    try:
        ops.add_manual_conflict(reviewer=db.get_or_404(User, form.member.data),
                                application=application, reason=form.reason.data,
                                by=current_user)
    except ops.BoardError as exc:
        db.session.rollback()
        form.reason.errors = [exc.message]
        return _conflicts_page(call, form, 422)
    db.session.commit()
    flash(_("Conflict added."), "success")
    return redirect(url_for(".conflicts", call_id=call.id))


# ---------------------------------------------------------------- members: profile


def _my_member() -> BoardMember:
    member = ops.ensure_member(current_user)
    db.session.commit()
    return member


@bp.route("/board/profile", methods=["GET", "POST"])
@roles_required(*MEMBER_ROLES)
def profile():
    member = _my_member()
    form = ProfileForm() if request.method == "POST" else ProfileForm(obj=member)
    if not form.is_submitted():
        form.past_affiliations.data = format_past_affiliations(member.past_affiliations)
        form.digest.data = member.digest.value
    if form.validate_on_submit():
        data = {name: (getattr(form, name).data or "").strip()
                for name in ("affiliation", "country", "expertise_keywords",
                             "expertise_statement", "coauthors")}
        data["past_affiliations"] = parse_past_affiliations(form.past_affiliations.data)
        data["default_max_load"] = form.default_max_load.data
        data["digest"] = DigestPreference(form.digest.data)
        ops.update_profile(member, data, by=current_user)
        db.session.commit()
        flash(_("Your board profile is saved."), "success")
        return redirect(url_for(".profile"))
    return render_template("board/profile.html", form=form, member=member), (
        422 if form.is_submitted() else 200)


# ---------------------------------------------------------------- members: calls


@bp.get("/board")
@roles_required(*MEMBER_ROLES)
def home():
    member = _my_member()
    return render_template("board/home.html", member=member, calls=queries.board_calls())


def _board_call_or_404(call_id: int) -> Call:
    call = db.get_or_404(Call, call_id)
    require(call.status in CallStatus.on_board, 404)
    return call


def _call_page(call: Call, member: BoardMember, setting_form=None, status: int = 200):
    setting = queries.call_setting(member, call)
    if setting_form is None:
        setting_form = CallSettingForm(
            available=setting.available if setting else True,
            max_load=setting.max_load if setting else member.default_max_load)
    return render_template(
        "board/call.html", call=call, member=member, rows=queries.title_list(current_user, call),
        setting_form=setting_form, declaration_form=DeclarationForm(), bid_form=BidForm(),
        bid_levels=[level.value for level in BidLevel],
        # The reviews are written: no availability or wish is asked any more.
        in_selection=call.status == CallStatus.SELECTION), status


@bp.get("/board/calls/<int:call_id>")
@roles_required(*MEMBER_ROLES)
def call_list(call_id):
    call = _board_call_or_404(call_id)
    return _call_page(call, _my_member())


@bp.post("/board/calls/<int:call_id>/availability")
@roles_required(*MEMBER_ROLES)
def availability(call_id):
    call = _board_call_or_404(call_id)
    member = _my_member()
    require(member.active)
    form = CallSettingForm()
    if not form.validate_on_submit():
        return _call_page(call, member, form, 422)
    ops.set_call_setting(member, call, available=form.available.data,
                         max_load=form.max_load.data, by=current_user)
    db.session.commit()
    flash(_("Your availability for this call is saved."), "success")
    return redirect(url_for(".call_list", call_id=call.id))


def _title_listed_or_403(application_id: int) -> Application:
    application = db.get_or_404(Application, application_id)
    member = _my_member()
    require(member.active)
    _board_call_or_404(application.call_id)
    return application


@bp.post("/board/applications/<int:application_id>/declaration")
@roles_required(*MEMBER_ROLES)
def declare(application_id):
    application = _title_listed_or_403(application_id)
    form = DeclarationForm()
    if not form.validate_on_submit():
        flash(_("Choose conflict of interest or no conflict."), "danger")
        return redirect(url_for(".call_list", call_id=application.call_id,
                                _anchor=f"app-{application.id}"))
    try:
        ops.declare(current_user, application, has_conflict=form.answer.data == "conflict",
                    reason=form.reason.data or "")
    except ops.BoardError as exc:
        require(exc.code != "forbidden")
        raise
    db.session.commit()
    flash(_("Your answer for %(ref)s is recorded.", ref=application.reference), "success")
    return redirect(url_for(".call_list", call_id=application.call_id,
                            _anchor=f"app-{application.id}"))


@bp.post("/board/applications/<int:application_id>/bid")
@roles_required(*MEMBER_ROLES)
def bid(application_id):
    application = _title_listed_or_403(application_id)
    form = BidForm()
    require(form.validate_on_submit(), 400)
    try:
        ops.set_bid(current_user, application,
                    BidLevel(form.level.data) if form.level.data else None)
    except ops.BoardError as exc:
        require(exc.code != "forbidden")
        raise
    db.session.commit()
    flash(_("Your wish for %(ref)s is recorded.", ref=application.reference), "success")
    return redirect(url_for(".call_list", call_id=application.call_id,
                            _anchor=f"app-{application.id}"))
