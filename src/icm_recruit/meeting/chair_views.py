"""The chair's view of their calls: meetings, interviews, decisions and reports in one place.

Read-only pages over the selection's records; every row is an application the reader may
open (assignment.rules: a chair never sees one they are in conflict with).
"""

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from icm_recruit.applications.models import Application
from icm_recruit.assignment.rules import visible_applications
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import Call
from icm_recruit.core.permissions import roles_required
from icm_recruit.extensions import db
from icm_recruit.meeting import queries
from icm_recruit.selection import queries as selection_queries
from icm_recruit.selection.models import Interview, InterviewSlot
from icm_recruit.selection.reports import funnel

bp = Blueprint("chair", __name__, url_prefix="/chair")
STAFF = (Role.ADMIN, Role.CHAIR)


def _visible_ids(call_id: int) -> set[int]:
    stmt = visible_applications(current_user, call_id).with_only_columns(Application.id)
    return set(db.session.scalars(stmt))


@bp.get("/")
@roles_required(*STAFF)
def home():
    calls = queries.calls_with_meetings()
    meetings = {call.id: queries.meetings_of(call.id) for call in calls}
    return render_template("meeting/chair_home.html", calls=calls, meetings=meetings)


@bp.get("/calls/<int:call_id>")
@roles_required(*STAFF)
def call(call_id):
    call = db.get_or_404(Call, call_id)
    visible = _visible_ids(call.id)
    interviews = [i for i in db.session.scalars(
        select(Interview).join(Interview.application)
        .outerjoin(InterviewSlot, Interview.slot_id == InterviewSlot.id)
        .where(Application.call_id == call.id)
        .order_by(InterviewSlot.starts_at.nulls_last(), Application.reference))
        if i.application_id in visible]
    decisions = [(a, d) for a, d in selection_queries.decision_rows(call.id) if a.id in visible]
    return render_template("meeting/chair_call.html", call=call, funnel=funnel(call),
                           interviews=interviews, decisions=decisions,
                           scores=selection_queries.interview_scores(call),
                           meetings=queries.meetings_of(call.id))
