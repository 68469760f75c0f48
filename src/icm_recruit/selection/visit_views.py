"""Interview visit planning: HR's windows and planning page, the panel's availability."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import Call
from icm_recruit.core.confirm import confirm_page, confirmed
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import ngettext
from icm_recruit.core.params import int32
from icm_recruit.core.permissions import require, roles_required
from icm_recruit.core.timeutil import paris_and_own, paris_to_utc, to_zone
from icm_recruit.extensions import db
from icm_recruit.selection import (
    interview_views,
    interviews,
    rules,
    visit_changes,
    visit_parts,
    visits,
)
from icm_recruit.selection.forms import (
    DATETIME_FORMAT,
    FixSlotForm,
    VisitPartForm,
    VisitWindowForm,
    WindowTimesForm,
)
from icm_recruit.selection.models import InterviewSlot
from icm_recruit.selection.operations import SelectionError
from icm_recruit.selection.visit_models import Availability, VisitPartKind, VisitWindow

bp = interview_views.bp  # these pages sit beside the interview pages


def _candidate_choices(call: Call) -> list[tuple[int, str]]:
    handled = [a for a in visits.shortlisted_candidates(call.id, with_names=True)
               if rules.may_plan_visit_of(current_user, a)]
    return [(0, _("Every shortlisted candidate")),
            *[(a.id, f"{a.reference} · {a.applicant.name}") for a in handled]]


def _planning_page(call: Call, form: VisitWindowForm, status: int = 200):
    plans = [p for p in visits.planning(call) if rules.may_see_window(current_user, p.window)]
    return render_template("selection/visits.html", call=call, form=form,
                           plans=plans), status


@bp.route("/selection/calls/<int:call_id>/visits", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.CHAIR)
def visit_planning(call_id):
    """The call's visit windows, who is free in each, and the form to propose one."""
    call = db.get_or_404(Call, call_id)
    require(rules.may_plan_visits(current_user, call))
    form = VisitWindowForm()
    form.application_id.choices = _candidate_choices(call)
    if not form.validate_on_submit():
        return _planning_page(call, form, 422 if form.is_submitted() else 200)
    application = (db.session.get(Application, form.application_id.data)
                   if form.application_id.data else None)
    try:
        window = visits.propose_window(
            call, starts_at=paris_to_utc(form.starts_at.data),
            ends_at=paris_to_utc(form.ends_at.data), note=form.note.data or "",
            application=application, by=current_user)
    except SelectionError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _planning_page(call, form, 422)
    db.session.commit()
    flash(_("Window proposed from %(start)s; the panel can now say whether it is free.",
            start=paris_and_own(window.starts_at, current_user.timezone)), "success")
    return redirect(url_for(".visit_planning", call_id=call.id))


def _refuse_own(application: Application | None) -> None:
    if application is not None and application_rules.is_applicant(current_user, application):
        application_rules.refuse_own_application(application)


def _window_for_planner(window_id: int) -> VisitWindow:
    window = db.get_or_404(VisitWindow, window_id)
    _refuse_own(window.application)
    require(rules.may_see_window(current_user, window))
    return window


def _fix_form(window: VisitWindow) -> FixSlotForm:
    form = FixSlotForm()
    if request.method == "GET":
        form.starts_at.data = to_zone(window.starts_at).replace(tzinfo=None)
    return form


def _fix_confirm(window: VisitWindow, form: FixSlotForm, plan, starts_at):
    lines = [_("A slot of %(num)d minutes on %(when)s is offered to the candidates.",
               num=form.duration.data,
               when=paris_and_own(starts_at, current_user.timezone)),
             _("Panel: %(names)s.", names=", ".join(u.name for u in plan.panel)),
             _("The panel’s answers for this window can no longer be changed.")]
    if window.application is not None:
        lines.append(_("The slot is booked for %(ref)s at once: the candidate and the panel "
                       "receive the calendar invitation by e-mail.",
                       ref=window.application.reference))
    hidden = [("starts_at", form.starts_at.data.strftime(DATETIME_FORMAT)),
              ("duration", str(form.duration.data)), ("location", form.location.data or ""),
              ("video_url", form.video_url.data or "")]
    return confirm_page(heading=_("Fix this interview slot?"), lines=lines,
                        action=url_for(".fix_visit_slot", window_id=window.id),
                        button=_("Fix the slot"), gentle=True, hidden=hidden,
                        back=url_for(".visit_planning", call_id=window.call_id))


@bp.route("/selection/visit-windows/<int:window_id>/fix", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.CHAIR)
def fix_visit_slot(window_id):
    """Fix an interview slot in a window, where its whole panel is free."""
    window = _window_for_planner(window_id)
    form = _fix_form(window)
    plan = visits.plan_of(window)
    if form.validate_on_submit():
        starts_at = paris_to_utc(form.starts_at.data)
        try:
            visits.check_fix(window, starts_at, form.duration.data, form.location.data or "",
                             form.video_url.data or "", by=current_user)
        except SelectionError as exc:
            flash(exc.message, "danger")
        else:
            if not confirmed():
                return _fix_confirm(window, form, plan, starts_at)
            try:
                slot = visits.fix_slot(window, starts_at=starts_at,
                                       duration=form.duration.data,
                                       location=form.location.data or "",
                                       video_url=form.video_url.data or "", by=current_user)
            except SelectionError as exc:
                db.session.rollback()
                flash(exc.message, "danger")
            else:
                db.session.commit()
                flash(_("Slot fixed on %(when)s; candidates can book it.",
                        when=paris_and_own(slot.starts_at, current_user.timezone)),
                      "success")
                return redirect(url_for(".visit_planning", call_id=window.call_id))
    return render_template("selection/visit_fix.html", window=window, plan=plan, form=form,
                           call=window.call), 422 if form.is_submitted() else 200


def _change_confirm(window: VisitWindow, form: WindowTimesForm, starts_at, ends_at):
    answered = visit_changes.answered_members(window)
    lines = [_("From %(start)s to %(end)s.", start=paris_and_own(starts_at,
                                                                  current_user.timezone),
               end=paris_and_own(ends_at, current_user.timezone))]
    if (starts_at, ends_at) != (window.starts_at, window.ends_at) and answered:
        lines.append(_("The answers given for the former times are cleared; these members "
                       "are told by e-mail and asked again: %(names)s.",
                       names=", ".join(u.name for u in answered)))
    elif answered:
        lines.append(_("The times stay the same: the answers given are kept."))
    hidden = [("starts_at", form.starts_at.data.strftime(DATETIME_FORMAT)),
              ("ends_at", form.ends_at.data.strftime(DATETIME_FORMAT)),
              ("note", form.note.data or "")]
    return confirm_page(heading=_("Change this visit window?"), lines=lines, gentle=True,
                        action=url_for(".edit_visit_window", window_id=window.id),
                        button=_("Change the window"), hidden=hidden,
                        back=url_for(".visit_planning", call_id=window.call_id))


@bp.route("/selection/visit-windows/<int:window_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.CHAIR)
def edit_visit_window(window_id):
    """Move a window with no slot fixed yet, or change its note (confirmed)."""
    window = _window_for_planner(window_id)
    form = WindowTimesForm()
    if request.method == "GET":
        form.starts_at.data = to_zone(window.starts_at).replace(tzinfo=None)
        form.ends_at.data = to_zone(window.ends_at).replace(tzinfo=None)
        form.note.data = window.note
    elif form.validate_on_submit():
        starts_at, ends_at = paris_to_utc(form.starts_at.data), paris_to_utc(form.ends_at.data)
        if not confirmed():
            return _change_confirm(window, form, starts_at, ends_at)
        try:
            cleared = visit_changes.change_window(window, starts_at=starts_at, ends_at=ends_at,
                                                  note=form.note.data or "", by=current_user)
        except SelectionError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(ngettext("Window changed; %(num)d member is asked again.",
                           "Window changed; %(num)d members are asked again.", cleared)
                  if cleared else _("Window changed."), "success")
            return redirect(url_for(".visit_planning", call_id=window.call_id))
    return render_template("selection/visit_window_edit.html", window=window, form=form,
                           call=window.call, plain=AppForm()), (
        422 if form.is_submitted() else 200)


@bp.post("/selection/visit-windows/<int:window_id>/withdraw")
@roles_required(Role.ADMIN, Role.CHAIR)
def withdraw_visit_window(window_id):
    """Withdraw a window with no slot fixed yet; the members who answered are told."""
    window = _window_for_planner(window_id)
    require(AppForm().validate_on_submit(), 400)
    back = url_for(".visit_planning", call_id=window.call_id)
    if not confirmed():
        answered = visit_changes.answered_members(window)
        lines = [_("%(start)s – %(end)s", start=paris_and_own(window.starts_at,
                                                               current_user.timezone),
                   end=paris_and_own(window.ends_at, current_user.timezone))]
        if answered:
            lines.append(_("These members had answered and are told by e-mail: %(names)s.",
                           names=", ".join(u.name for u in answered)))
        return confirm_page(heading=_("Withdraw this visit window?"), lines=lines,
                            action=url_for(".withdraw_visit_window", window_id=window.id),
                            button=_("Withdraw the window"), back=back)
    try:
        told = visit_changes.withdraw_window(window, by=current_user)
    except SelectionError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(ngettext("Window withdrawn; %(num)d member who answered is told.",
                       "Window withdrawn; %(num)d members who answered are told.", told)
              if told else _("Window withdrawn."), "success")
    return redirect(back)


def _posted_answers(windows) -> tuple[dict[int, Availability], bool]:
    """The answers the member ticked, by window id, and whether all values were known."""
    answers, clean = {}, True
    for window, _fixed in windows:
        value = request.form.get(f"answer_{window.id}")
        if not value:
            continue
        try:
            answers[window.id] = Availability(value)
        except ValueError:
            clean = False
    return answers, clean


@bp.route("/panel/visits", methods=["GET", "POST"])
@roles_required(Role.REVIEWER, Role.CHAIR)
def visit_availability():
    """A panel member says, for each window still to come, whether they are free."""
    windows = visits.member_windows(current_user)
    form = AppForm()
    typed = {}
    if request.method == "POST":
        require(form.validate_on_submit(), 400)
        typed, clean = _posted_answers(windows)
        try:
            if not clean:
                raise visits.VisitError("forbidden")
            changed = visits.save_availability(current_user, typed, by=current_user)
        except SelectionError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("Your availability is saved.") if changed
                  else _("Nothing changed: your answers were already these."), "success")
            return redirect(url_for(".visit_availability"))
    answers = {w.id: typed.get(w.id) or w.answer_of(current_user.id) for w, _f in windows}
    return render_template("selection/availability.html", windows=windows, answers=answers,
                           form=form, choices=list(Availability)), (
        422 if request.method == "POST" else 200)


# ---------------------------------------------------------------- the parts of a visit


def _visit_slot(slot_id: int):
    """The slot and its booked interview, unless that interview is the user's own."""
    slot = db.get_or_404(InterviewSlot, slot_id)
    booked = interviews.booked_interview(slot)
    _refuse_own(booked.application if booked is not None else None)
    require(rules.may_set_programme(current_user, slot, booked))
    return slot, booked


def _parts_page(slot, booked, form, status=200):
    return render_template("selection/visit_parts.html", slot=slot, booked=booked, form=form,
                           parts=visit_parts.parts_of(slot.id), plain=AppForm(),
                           call=slot.call), status


def _part_confirm(slot, booked, *, heading, button, hidden):
    lines = [_("%(ref)s and the panel receive the calendar entry again, with the new "
               "programme.", ref=booked.application.reference)]
    return confirm_page(heading=heading, lines=lines, button=button, hidden=hidden,
                        gentle=True, action=url_for(".visit_programme", slot_id=slot.id),
                        back=url_for(".visit_programme", slot_id=slot.id))


def _remove_part(slot, booked):
    require(AppForm().validate_on_submit(), 400)
    part_id = request.form.get("remove", type=int32)
    if part_id is None:
        abort(400)
    if booked is not None and not confirmed():
        return _part_confirm(slot, booked, heading=_("Remove this part of the visit?"),
                             button=_("Remove it"), hidden=[("remove", str(part_id))])
    try:
        visit_parts.remove_part(part_id, slot=slot, by=current_user)
    except SelectionError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("Part of the visit removed."), "success")
    return redirect(url_for(".visit_programme", slot_id=slot.id))


@bp.route("/selection/slots/<int:slot_id>/visit", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.CHAIR)
def visit_programme(slot_id):
    """The parts of the visit of whoever holds the slot: seminar, chalk talk, lab visits."""
    slot, booked = _visit_slot(slot_id)
    if request.method == "POST" and "remove" in request.form:
        return _remove_part(slot, booked)
    form = VisitPartForm()
    if request.method == "GET":
        form.starts_at.data = to_zone(slot.starts_at).replace(tzinfo=None)
    if not form.validate_on_submit():
        return _parts_page(slot, booked, form, 422 if form.is_submitted() else 200)
    values = {"kind": VisitPartKind(form.kind.data),
              "starts_at": paris_to_utc(form.starts_at.data), "duration": form.duration.data,
              "place": form.place.data or "", "details": form.details.data or ""}
    if booked is not None and not confirmed():
        hidden = [("kind", form.kind.data),
                  ("starts_at", form.starts_at.data.strftime(DATETIME_FORMAT)),
                  ("duration", str(form.duration.data)), ("place", values["place"]),
                  ("details", values["details"])]
        return _part_confirm(slot, booked, heading=_("Add this part to the visit?"),
                             button=_("Add it"), hidden=hidden)
    try:
        visit_parts.add_part(slot, by=current_user, **values)
    except SelectionError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _parts_page(slot, booked, form, 422)
    db.session.commit()
    flash(_("Part of the visit added."), "success")
    return redirect(url_for(".visit_programme", slot_id=slot.id))
