"""Interviews: HR's slots and bookings, the applicant's choice of slot, the panel's scores."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application
from icm_recruit.assignment import rules as assignment_rules
from icm_recruit.auth.models import Role, User, UserRole
from icm_recruit.calls.models import Call, database_now
from icm_recruit.core import audit
from icm_recruit.core.forms import AppForm, has_control_characters
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import ngettext
from icm_recruit.core.params import int32
from icm_recruit.core.permissions import require, roles_required
from icm_recruit.core.timeutil import paris_and_own, paris_to_utc, to_zone, utcnow
from icm_recruit.extensions import db
from icm_recruit.reviews.dossier import board_dossier
from icm_recruit.reviews.views import DOWNLOAD_HEADERS
from icm_recruit.selection import interviews as ops
from icm_recruit.selection import queries, rules, slot_restore, slot_series, visit_parts
from icm_recruit.selection.forms import AssignSlotForm, SlotForm, SlotSeriesForm
from icm_recruit.selection.models import Interview, InterviewSlot
from icm_recruit.selection.operations import SelectionError

bp = Blueprint("interviews", __name__)


@bp.app_template_filter("paris_and_own")
def paris_and_own_filter(value):
    """Paris time, as HR's slot forms take it, and the viewer's own time beside it."""
    return paris_and_own(value, current_user.timezone if current_user.is_authenticated
                         else None)


def _board_choices() -> list[tuple[int, str]]:
    users = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role.in_((Role.REVIEWER, Role.CHAIR)),
                                          User.active.is_(True))
        .order_by(User.name).distinct())
    return [(u.id, u.name) for u in users]


def _slot_form(slot: InterviewSlot | None = None) -> SlotForm:
    form = SlotForm()
    form.panel.choices = _board_choices()
    if slot is not None and request.method == "GET":
        form.starts_at.data = to_zone(slot.starts_at).replace(tzinfo=None)
        form.duration.data, form.location.data = slot.duration_minutes, slot.location
        form.video_url.data, form.panel.data = slot.video_url, sorted(slot.panel_ids)
    return form


def _slot_values(form: SlotForm) -> dict:
    return {"starts_at": paris_to_utc(form.starts_at.data), "duration": form.duration.data,
            "location": form.location.data or "", "video_url": form.video_url.data or "",
            "panel_ids": form.panel.data or []}


def _page(call: Call, form: SlotForm, status: int = 200):
    return render_template("selection/interviews.html", call=call, form=form,
                           slots=queries.slots_of(call.id),
                           interviews=queries.interviews_of(call.id, current_user),
                           waiting=queries.shortlisted_without_interview(call.id, current_user),
                           plain=AppForm(), now=utcnow()), status


@bp.route("/selection/calls/<int:call_id>/interviews", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def slots(call_id):
    call = db.get_or_404(Call, call_id)
    form = _slot_form()
    if not form.validate_on_submit():
        return _page(call, form, 422 if form.is_submitted() else 200)
    try:
        slot = ops.create_slot(call, by=current_user, **_slot_values(form))
    except SelectionError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _page(call, form, 422)
    db.session.commit()
    flash(_("Slot added on %(when)s.", when=paris_and_own(slot.starts_at,
                                                         current_user.timezone)), "success")
    return redirect(url_for(".slots", call_id=call.id))


@bp.route("/selection/calls/<int:call_id>/interviews/series", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def slot_series_form(call_id):
    """Add a series of slots in one go: all of them, or none with the failing one named."""
    call = db.get_or_404(Call, call_id)
    form = SlotSeriesForm()
    form.panel.choices = _board_choices()
    if form.validate_on_submit():
        try:
            created = slot_series.create_slot_series(
                call, count=form.count.data, gap=form.gap.data, by=current_user,
                first_start=paris_to_utc(form.starts_at.data),
                duration=form.duration.data, location=form.location.data or "",
                video_url=form.video_url.data or "", panel_ids=form.panel.data or [],
                timezone=current_user.timezone)
        except slot_series.SlotSeriesError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("Slots added: %(n)d.", n=len(created)), "success")
            return redirect(url_for(".slots", call_id=call.id))
    return render_template("selection/slot_series.html", call=call, form=form), (
        422 if form.is_submitted() else 200)


def _slot_for_hr(slot_id: int) -> InterviewSlot:
    """The slot, unless the interview booked on it is the current user's own."""
    slot = db.get_or_404(InterviewSlot, slot_id)
    interview = ops.booked_interview(slot)
    if interview is not None:
        application_rules.require_hr_on(current_user, interview.application)
    return slot


@bp.route("/selection/slots/<int:slot_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_slot(slot_id):
    slot = _slot_for_hr(slot_id)
    form = _slot_form(slot)
    if form.validate_on_submit():
        try:
            ops.update_slot(slot, by=current_user, **_slot_values(form))
        except SelectionError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("Slot changed. Anyone already invited receives an updated calendar "
                    "entry."), "success")
            return redirect(url_for(".slots", call_id=slot.call_id))
    return render_template("selection/slot_edit.html", slot=slot, form=form,
                           booked=ops.booked_interview(slot))


def _confirmed() -> bool:
    """Whether the POST comes from the confirmation page (a first POST shows that page)."""
    return request.form.get("confirm") == "y"


def _confirm_page(call: Call, *, heading: str, lines: list[str], action: str, button: str,
                  gentle: bool = False):
    return render_template("selection/confirm.html", call=call, heading=heading, lines=lines,
                           action=action, button=button, gentle=gentle, plain=AppForm(),
                           back=url_for(".slots", call_id=call.id))


@bp.post("/selection/slots/<int:slot_id>/withdraw")
@roles_required(Role.ADMIN)
def withdraw_slot(slot_id):
    slot = _slot_for_hr(slot_id)
    require(AppForm().validate_on_submit(), 400)
    if not _confirmed():
        interview = ops.booked_interview(slot)
        lines = [_("The slot of %(when)s is no longer offered.",
                   when=paris_and_own(slot.starts_at, current_user.timezone))]
        if interview is not None:
            lines.append(_("The interview of %(ref)s booked on it is cancelled: the applicant "
                           "and the panel are told by e-mail. You can then give the applicant "
                           "another slot.", ref=interview.application.reference))
        return _confirm_page(slot.call, heading=_("Withdraw this slot?"), lines=lines,
                             action=url_for(".withdraw_slot", slot_id=slot.id),
                             button=_("Withdraw the slot"))
    try:
        ops.withdraw_slot(slot, by=current_user)
    except SelectionError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("Slot withdrawn."), "success")
    return redirect(url_for(".slots", call_id=slot.call_id))


@bp.post("/selection/slots/<int:slot_id>/restore")
@roles_required(Role.ADMIN)
def restore_slot(slot_id):
    slot = _slot_for_hr(slot_id)
    require(AppForm().validate_on_submit(), 400)
    if not _confirmed():
        lines = [_("The slot of %(when)s is offered again.",
                   when=paris_and_own(slot.starts_at, current_user.timezone))]
        interview = slot_restore.interview_to_rebook(slot)
        if interview is not None:
            lines.append(_("The interview of %(ref)s cancelled with the slot is booked on it "
                           "again: the applicant and the panel receive the calendar entry "
                           "by e-mail.", ref=interview.application.reference))
        else:
            lines.append(_("Nobody is sent an e-mail: applicants still invited can pick it."))
        return _confirm_page(slot.call, heading=_("Offer this slot again?"), lines=lines,
                             action=url_for(".restore_slot", slot_id=slot.id),
                             button=_("Offer the slot again"), gentle=True)
    try:
        rebooked = slot_restore.restore_slot(slot, by=current_user)
    except SelectionError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("Slot offered again; %(ref)s is booked on it again.",
                ref=rebooked.application.reference) if rebooked
              else _("Slot offered again."), "success")
    return redirect(url_for(".slots", call_id=slot.call_id))


@bp.post("/selection/calls/<int:call_id>/interviews/invite")
@roles_required(Role.ADMIN)
def invite(call_id):
    call = db.get_or_404(Call, call_id)
    require(AppForm().validate_on_submit(), 400)
    if not _confirmed():
        waiting = queries.shortlisted_without_interview(call.id, current_user)
        if not waiting:
            flash(_("Every shortlisted applicant is invited already."), "info")
            return redirect(url_for(".slots", call_id=call.id))
        lines = [ngettext("%(num)d applicant receives an e-mail asking them to pick a slot:",
                          "%(num)d applicants receive an e-mail asking them to pick a slot:",
                          len(waiting))] + [f"{a.reference} · {a.applicant.name}" for a in waiting]
        return _confirm_page(call, heading=_("Invite the shortlisted applicants?"),
                             lines=lines, action=url_for(".invite", call_id=call.id),
                             button=_("Send the invitations"), gentle=True)
    count = ops.invite_to_book(call, by=current_user)
    db.session.commit()
    flash(ngettext("%(num)d shortlisted applicant invited to pick a slot.",
                   "%(num)d shortlisted applicants invited to pick a slot.", count), "success")
    return redirect(url_for(".slots", call_id=call.id))


@bp.route("/selection/applications/<int:application_id>/interview",
          methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def assign(application_id):
    application = db.get_or_404(Application, application_id)
    require(rules.is_hr_for(current_user, application))
    form = AssignSlotForm()
    form.slot_id.choices = [(s.id, paris_and_own(s.starts_at, current_user.timezone))
                            for s in ops.open_slots_for(application)]
    if form.validate_on_submit():
        try:
            ops.book(application, form.slot_id.data, by=current_user)
        except SelectionError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("Interview booked for %(ref)s; invitations sent.",
                    ref=application.reference), "success")
            return redirect(url_for(".slots", call_id=application.call_id))
    return render_template("selection/assign.html", application=application, form=form,
                           interview=queries.interview_for(application.id))


@bp.post("/selection/interviews/<int:interview_id>/cancel")
@roles_required(Role.ADMIN)
def cancel(interview_id):
    interview = db.get_or_404(Interview, interview_id)
    require(AppForm().validate_on_submit(), 400)
    application = interview.application
    if not _confirmed():
        application_rules.require_hr_on(current_user, application)
        lines = [_("The applicant (%(ref)s) and the panel are told by e-mail that the interview "
                   "is cancelled.", ref=application.reference),
                 _("The slot becomes free again, and you can give the applicant another one.")]
        return _confirm_page(application.call, heading=_("Cancel this interview?"),
                             lines=lines, action=url_for(".cancel", interview_id=interview.id),
                             button=_("Cancel the interview"))
    try:
        ops.cancel_interview(interview, by=current_user)
    except SelectionError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("Interview cancelled; the applicant and the panel were told."), "success")
    return redirect(url_for(".slots", call_id=interview.application.call_id))


@bp.route("/applications/<int:application_id>/interview", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def book(application_id):
    application = db.get_or_404(Application, application_id)
    require(application_rules.is_applicant(current_user, application))
    interview = queries.interview_for(application.id)
    form = AppForm()
    if request.method == "POST":
        require(form.validate_on_submit(), 400)
        slot_id = request.form.get("slot_id", type=int32)
        if slot_id is None:
            abort(400)
        try:
            ops.book(application, slot_id, by=current_user)
            db.session.commit()
        except SelectionError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return redirect(url_for(".book", application_id=application.id))
        flash(_("Your interview is booked. A calendar invitation is on its way by e-mail."),
              "success")
        return redirect(url_for(".book", application_id=application.id))
    slots = ops.open_slots_for(application) if interview is not None else []
    programme = (visit_parts.parts_of(interview.slot_id)
                 if interview is not None and interview.slot_id else [])
    return render_template("selection/book.html", application=application,
                           interview=interview, slots=slots, form=form, programme=programme)


@bp.get("/panel/interviews")
@roles_required(Role.REVIEWER, Role.CHAIR)
def panel_home():
    return render_template("selection/panel.html",
                           rows=queries.panel_interviews_scored(current_user),
                           now=database_now())


def _panel_interview(interview_id: int) -> Interview:
    interview = db.get_or_404(Interview, interview_id)
    require(rules.can_sit_on_panel(current_user.id, interview))
    return interview


def _score_page(interview, criteria, values, form, comment, status=200):
    """The scoring form, with the dossier at hand; closed until the interview begins."""
    return render_template(
        "selection/score.html", interview=interview, criteria=criteria, values=values,
        form=form, comment=comment,
        started=rules.interview_started(interview, database_now()),
        web_dossier=assignment_rules.can_open_dossier(current_user, interview.application)), \
        status


@bp.get("/panel/interviews/<int:interview_id>/dossier.pdf")
@roles_required(Role.REVIEWER, Role.CHAIR)
def panel_dossier(interview_id):
    """The candidate's whole dossier as one PDF, for the members of the interview panel."""
    interview = _panel_interview(interview_id)
    application = interview.application
    path = board_dossier(application, "fr" if str(get_locale()) == "fr" else "en")
    audit.record("dossier.downloaded", actor=current_user, obj=application, via="panel")
    db.session.commit()
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=f"{application.reference}-dossier.pdf", max_age=0)
    response.headers.update(DOWNLOAD_HEADERS)
    return response


@bp.route("/panel/interviews/<int:interview_id>", methods=["GET", "POST"])
@roles_required(Role.REVIEWER, Role.CHAIR)
def score(interview_id):
    interview = _panel_interview(interview_id)
    criteria = list(interview.application.call.criteria)
    mine = {s.criterion_id: s for s in interview.scores if s.panelist_id == current_user.id}
    form = AppForm()
    if request.method == "POST":
        require(form.validate_on_submit(), 400)
        values = {c.id: request.form.get(f"criterion-{c.id}", type=int32) for c in criteria}
        try:
            comment = request.form.get("comment", "")
            if has_control_characters(comment):
                raise SelectionError(_("The comment contains invisible control characters; "
                                       "remove them."))
            ops.save_scores(interview, values, comment, by=current_user)
        except SelectionError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return _score_page(interview, criteria, values, form,
                               request.form.get("comment", ""), 422)
        db.session.commit()
        flash(_("Your interview scores are saved."), "success")
        return redirect(url_for(".panel_home"))
    values = {cid: s.score for cid, s in mine.items()}
    comment = next((s.comment for s in mine.values()), "")
    return _score_page(interview, criteria, values, form, comment)


from icm_recruit.selection import visit_views  # noqa: E402,F401 - routes on this blueprint
