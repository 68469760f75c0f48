"""The board meeting: creating it, the live page every member follows, the agenda, the
record of each item, attendance and the minutes. Every route asks meeting.rules."""

import hashlib
import time

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from werkzeug.datastructures import MultiDict
from wtforms import ValidationError

from icm_recruit.auth.models import Role, User
from icm_recruit.board.models import BoardMember
from icm_recruit.calls.models import Call
from icm_recruit.core import pagecache
from icm_recruit.core.confirm import confirm_page, confirmed
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.params import int32
from icm_recruit.core.permissions import require, roles_required
from icm_recruit.core.timeutil import paris_to_utc
from icm_recruit.extensions import csrf, db
from icm_recruit.meeting import minutes as minutes_doc
from icm_recruit.meeting import operations as ops
from icm_recruit.meeting import queries, rules
from icm_recruit.meeting.forms import (
    AttendanceForm,
    GroupForm,
    MeetingForm,
    MoveForm,
    OrderForm,
    PointerForm,
    RecordForm,
)
from icm_recruit.meeting.models import AgendaGroup, AgendaItem, ItemOutcome, Meeting
from icm_recruit.selection.models import RankingSnapshot

bp = Blueprint("meeting", __name__, url_prefix="/meeting")
STAFF = (Role.ADMIN, Role.CHAIR)
ATTENDING = (Role.ADMIN, Role.CHAIR, Role.REVIEWER)


# ---------------------------------------------------------------- a statement is never lost


def _session_is_ending() -> bool:
    # The same idle/absolute limits auth applies before any view of ours.
    now, config = int(time.time()), current_app.config
    return (now - session.get("seen_at", now) > config["SESSION_IDLE_SECONDS"]
            or now - session.get("auth_at", now) > config["SESSION_ABSOLUTE_SECONDS"])


def _posted_fields() -> dict:
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


@bp.url_value_preprocessor
def rescue_statement(endpoint, values):
    """Before the session rules sign an idle chair out, keep the statement they sent.

    Kept aside on the item, never recorded by itself: after signing in again, the form
    shows it and the chair records it.
    """
    if (endpoint != "meeting.record" or request.method != "POST"
            or not current_user.is_authenticated or not _session_is_ending()):
        return
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return
    item = db.session.get(AgendaItem, (values or {}).get("item_id"))
    if item is not None:
        ops.keep_rescued_statement(item, _posted_fields(), by=current_user)
        db.session.commit()


# ---------------------------------------------------------------- lists and creation


@bp.get("/")
@roles_required(*ATTENDING)
def mine():
    return render_template("meeting/mine.html", meetings=queries.meetings_for(current_user),
                           calls=queries.calls_with_meetings()
                           if rules.may_organise(current_user) else [])


@bp.get("/calls/<int:call_id>")
@roles_required(*STAFF)
def call_meetings(call_id):
    def render():
        call = db.get_or_404(Call, call_id)  # the staff's (the role is checked before)
        return render_template("meeting/call.html", call=call,
                               meetings=queries.meetings_of(call.id))

    return pagecache.page(render)


def _board_choices() -> list[tuple[int, str]]:
    users = db.session.scalars(
        db.select(User).join(BoardMember, BoardMember.user_id == User.id)
        .where(BoardMember.active, User.active).order_by(User.name))
    return [(u.id, u.name) for u in users if u.has_role(Role.REVIEWER, Role.CHAIR)]


def _meeting_form(call: Call) -> MeetingForm:
    form = MeetingForm()
    form.snapshot.choices = [(s.id, s.created_at.strftime("%d/%m/%Y %H:%M UTC"))
                             for s in queries.snapshots_of(call.id)]
    form.members.choices = _board_choices()
    if request.method == "GET":
        form.members.data = [value for value, _label in form.members.choices]
    return form


@bp.route("/calls/<int:call_id>/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def create(call_id):
    call = db.get_or_404(Call, call_id)
    form = _meeting_form(call)
    status = 200
    if form.validate_on_submit():
        try:
            meeting = ops.create_meeting(
                call, snapshot=db.session.get(RankingSnapshot, form.snapshot.data),
                starts_at=paris_to_utc(form.starts_at.data), duration=form.duration.data,
                location=form.location.data or "", video_url=form.video_url.data or "",
                member_ids=form.members.data, by=current_user)
        except ops.MeetingError as exc:
            db.session.rollback()
            form.location.errors = [*form.location.errors, exc.message]
            status = 422
        else:
            db.session.commit()
            flash(_("The meeting is planned and each member invited by e-mail, with a "
                    "calendar file."), "success")
            return redirect(url_for(".show", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 422
    return render_template("meeting/new.html", call=call, form=form,
                           has_ranking=bool(form.snapshot.choices)), status


# ---------------------------------------------------------------- the live page


def _meeting_or_404(meeting_id: int) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    require(rules.may_attend(current_user, meeting))
    return meeting


def _item_or_404(item_id: int) -> AgendaItem:
    item = db.get_or_404(AgendaItem, item_id)
    require(rules.may_attend(current_user, item.meeting))
    return item


def _record_form(item: AgendaItem) -> RecordForm:
    rescued = ops.rescue_for(item, current_user)
    if rescued is not None:
        return RecordForm(formdata=MultiDict(rescued))
    form = RecordForm(formdata=None, outcome=item.outcome.value if item.outcome else "",
                      votes_for=item.votes_for, votes_against=item.votes_against,
                      votes_abstain=item.votes_abstain, consensus=item.consensus,
                      revision=str(item.revision))
    return form


def live_state(meeting: Meeting, hidden: set[int]) -> str:
    """What the live part shows, in a few characters: it changes when the page must."""
    text = (f"{meeting.pointer_version}:{meeting.current_item_id}:"
            f"{sum(i.revision for i in meeting.items)}:{sorted(hidden)}:"
            f"{meeting.is_published}")
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _live_context(meeting: Meeting, record_form=None, notice=None) -> dict:
    loaded = queries.load_agenda(meeting)
    items = ops.ordered_items(meeting)
    hidden = rules.out_of_room_item_ids(current_user, meeting)
    current = next((i for i in items if i.id == meeting.current_item_id), None)
    index = items.index(current) if current is not None else -1
    view = queries.item_view(current, current_user) if current is not None else None
    runner = rules.may_run(current_user, meeting)
    if view is not None and runner and record_form is None and rules.may_handle_item(
            current_user, current):
        record_form = _record_form(current)
    return {
        "meeting": meeting, "items": items, "hidden": hidden, "current": current,
        "number": index + 1, "view": view, "runner": runner,
        "previous_id": items[index - 1].id if index > 0 else None,
        "next_id": items[index + 1].id if 0 <= index < len(items) - 1 else (
            items[0].id if index == -1 and items else None),
        "record_form": record_form, "notice": notice,
        "rescued": current is not None and ops.rescue_for(current, current_user) is not None,
        "pointer_form": PointerForm(formdata=None), "state": live_state(meeting, hidden),
        "outcomes": list(ItemOutcome), "loaded": loaded,
    }


@bp.get("/<int:meeting_id>")
@roles_required(*ATTENDING)
def show(meeting_id, record_form=None, notice=None):
    meeting = _meeting_or_404(meeting_id)
    context = _live_context(meeting, record_form, notice)
    attendance = None
    if context["runner"]:
        attendance = AttendanceForm(formdata=None)
        attendance.present.choices = [(m.user_id, m.user.name) for m in meeting.members]
        attendance.present.data = [m.user_id for m in meeting.members if m.present]
    return render_template("meeting/show.html", attendance=attendance,
                           may_read_minutes=rules.may_read_minutes(current_user, meeting),
                           **context)


@bp.get("/<int:meeting_id>/live")
@roles_required(*ATTENDING)
def live(meeting_id):
    """The part of the page that follows the pointer; 204 while nothing changed."""
    meeting = _meeting_or_404(meeting_id)
    context = _live_context(meeting)
    if request.args.get("state") == context["state"]:
        return Response(status=204)
    return render_template("meeting/_live.html", **context)


@bp.post("/<int:meeting_id>/pointer")
@roles_required(*STAFF)
def pointer(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    require(rules.may_run(current_user, meeting))
    form = PointerForm()
    require(form.validate_on_submit(), 400)
    try:
        ops.move_pointer(meeting, form.item_id.data, by=current_user)
    except ops.MeetingError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
    return redirect(url_for(".show", meeting_id=meeting.id))


@bp.post("/items/<int:item_id>/record")
@roles_required(*STAFF)
@csrf.exempt  # the form checks its own token, so an expired one keeps the statement
def record(item_id):
    item = _item_or_404(item_id)
    require(rules.may_handle_item(current_user, item))
    form = RecordForm()
    if not form.validate():
        notice, status = None, 422
        if form.csrf_token.errors:
            form.csrf_token.errors = []
            notice, status = _("Your page had expired, so nothing was recorded yet. Your text "
                               "is below: check it and press the button again. If you were "
                               "signed out, sign in again in another tab first."), 400
        return show(item.meeting_id, record_form=form, notice=notice), status
    # Optional() lets a blank answer through unchecked: whitespace means no outcome.
    outcome = (form.outcome.data or "").strip()
    try:
        ops.record_outcome(
            item, outcome=ItemOutcome(outcome) if outcome else None,
            votes={"for": form.votes_for.data, "against": form.votes_against.data,
                   "abstain": form.votes_abstain.data},
            consensus=form.consensus.data or "", by=current_user)
    except ops.MeetingError as exc:
        db.session.rollback()
        return show(item.meeting_id, record_form=form, notice=exc.message), 422
    db.session.commit()
    flash(_("Recorded for %(ref)s.", ref=item.application.reference), "success")
    return redirect(url_for(".show", meeting_id=item.meeting_id))


@bp.post("/<int:meeting_id>/attendance")
@roles_required(*STAFF)
def attendance(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    require(rules.may_run(current_user, meeting))
    form = AttendanceForm()
    form.present.choices = [(m.user_id, m.user.name) for m in meeting.members]
    require(form.validate_on_submit(), 400)
    try:
        ops.set_attendance(meeting, form.present.data, by=current_user)
    except ops.MeetingError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("Attendance recorded."), "success")
    return redirect(url_for(".show", meeting_id=meeting.id))


# ---------------------------------------------------------------- the agenda


@bp.get("/<int:meeting_id>/agenda")
@roles_required(*STAFF)
def agenda(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    require(rules.may_run(current_user, meeting))
    loaded = queries.load_agenda(meeting)
    return render_template("meeting/agenda.html", meeting=meeting, loaded=loaded,
                           items=ops.ordered_items(meeting),
                           hidden=rules.out_of_room_item_ids(current_user, meeting),
                           groups=list(AgendaGroup), move_form=MoveForm(formdata=None))


def _agenda_change(item_id: int, change) -> Response:
    item = _item_or_404(item_id)
    require(rules.may_handle_item(current_user, item))
    try:
        change(item)
    except ops.MeetingError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
    return redirect(url_for(".agenda", meeting_id=item.meeting_id, _anchor=f"item-{item.id}"))


@bp.post("/items/<int:item_id>/move")
@roles_required(*STAFF)
def move_item(item_id):
    form = MoveForm()
    require(form.validate_on_submit(), 400)
    return _agenda_change(item_id, lambda item: ops.move_item(
        item, form.direction.data, by=current_user))


@bp.post("/<int:meeting_id>/agenda/order")
@roles_required(*STAFF)
def reorder(meeting_id):
    """A group's order after a drag and drop on the agenda page."""
    meeting = _meeting_or_404(meeting_id)
    require(rules.may_run(current_user, meeting))
    form = OrderForm()
    try:
        ids = [int32(v) for v in request.form.getlist("item_id")]
    except ValueError:
        ids = None
    require(form.validate_on_submit() and ids is not None, 400)
    try:
        ops.reorder_group(meeting, AgendaGroup(form.group.data), ids, by=current_user)
    except ops.MeetingError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
    return redirect(url_for(".agenda", meeting_id=meeting.id))


@bp.post("/items/<int:item_id>/group")
@roles_required(*STAFF)
def set_group(item_id):
    form = GroupForm()
    require(form.validate_on_submit(), 400)
    return _agenda_change(item_id, lambda item: ops.set_group(
        item, AgendaGroup(form.group.data), by=current_user))


# ---------------------------------------------------------------- minutes


def _minutes_meeting(meeting_id: int) -> Meeting:
    meeting = _meeting_or_404(meeting_id)
    require(rules.may_read_minutes(current_user, meeting))
    return meeting


@bp.get("/<int:meeting_id>/minutes")
@roles_required(*ATTENDING)
def minutes(meeting_id):
    meeting = _minutes_meeting(meeting_id)
    return render_template("meeting/minutes.html", meeting=meeting,
                           minutes=minutes_doc.minutes_for(meeting, current_user),
                           reason_label=minutes_doc.reason_label,
                           runner=rules.may_run(current_user, meeting))


@bp.get("/<int:meeting_id>/minutes.pdf")
@roles_required(*ATTENDING)
def minutes_pdf(meeting_id):
    meeting = _minutes_meeting(meeting_id)
    data = minutes_doc.minutes_pdf(minutes_doc.minutes_for(meeting, current_user))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="minutes-{meeting.id}.pdf"'})


@bp.post("/<int:meeting_id>/minutes/publish")
@roles_required(*STAFF)
def publish(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    require(rules.may_run(current_user, meeting))
    require(AppForm().validate_on_submit(), 400)
    if not confirmed():
        recorded = sum(1 for i in meeting.items if i.outcome is not None)
        return confirm_page(
            heading=_("Publish the minutes?"), gentle=True,
            lines=[_("Every member invited (%(n)d) can then read them; each one's copy leaves "
                     "out the items they were out of the room for.", n=len(meeting.members)),
                   _("Outcomes recorded: %(done)d of %(total)d items.", done=recorded,
                     total=len(meeting.items)),
                   _("After publishing, the agenda, the outcomes and the attendance can no "
                     "longer change.")],
            action=url_for(".publish", meeting_id=meeting.id),
            button=_("Publish the minutes"), back=url_for(".minutes", meeting_id=meeting.id))
    if ops.publish_minutes(meeting, by=current_user):
        db.session.commit()
        flash(_("The minutes are published."), "success")
    return redirect(url_for(".minutes", meeting_id=meeting.id))
