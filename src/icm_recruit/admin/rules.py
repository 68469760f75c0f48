"""What HR's own file hides from them on the call-wide tools: audit trail and mailbox.

An HR administrator who applied sees their application as an applicant does; the audit
events about it and the mails sent about it (to reviewers, panel, referees) would tell who
reviews it, so they are left out of the trail, its export and the mailbox.
"""

from sqlalchemy import ColumnElement, and_, false, func, or_, select

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application, Document, RefereeRequest
from icm_recruit.assignment.models import Assignment
from icm_recruit.auth.models import Role
from icm_recruit.board.models import Conflict
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.extensions import db
from icm_recruit.reviews.models import DiscussionPost, Review
from icm_recruit.selection.models import Decision, Interview, ShortlistMark

# Tables whose rows belong to one application, and how to reach it.
_OWN_OBJECTS = (
    (Assignment, Assignment.application_id),
    (Conflict, Conflict.application_id),
    (Document, Document.application_id),
    (RefereeRequest, RefereeRequest.application_id),
    (DiscussionPost, DiscussionPost.application_id),
    (Interview, Interview.application_id),
    (Decision, Decision.application_id),
    (ShortlistMark, ShortlistMark.application_id),
)


def _own_objects(own_ids: set[int]) -> dict[str, set[str]]:
    objects = {"application": {str(i) for i in own_ids}}
    for model, column in _OWN_OBJECTS:
        ids = db.session.scalars(select(model.id).where(column.in_(own_ids)))
        objects[model.__tablename__] = {str(i) for i in ids}
    reviews = db.session.scalars(select(Review.id).join(Assignment)
                                 .where(Assignment.application_id.in_(own_ids)))
    objects["review"] = {str(i) for i in reviews}
    return objects


def may_edit_mail_texts(user) -> bool:
    """HR writes the institute's e-mail texts (the texts of every call)."""
    return bool(user.is_authenticated) and user.has_role(Role.ADMIN)


def hidden_audit_events(user) -> ColumnElement[bool]:
    """SQL condition: the event is about the user's own application or one of its parts."""
    own_ids = application_rules.own_application_ids(user)
    if not own_ids:
        return false()
    about = [and_(AuditEvent.object_type == kind, AuditEvent.object_id.in_(ids))
             for kind, ids in _own_objects(own_ids).items() if ids]
    about.append(AuditEvent.data["application_id"].as_integer().in_(own_ids))
    # An event without an object or an application_id is about nothing of hers: the
    # NULLs of those comparisons must read as "no", or NOT would drop the event too.
    return func.coalesce(or_(*about), false())


def hidden_mails(user) -> ColumnElement[bool]:
    """SQL condition: the mail is about the user's own application but not to the user."""
    references = set(db.session.scalars(
        select(Application.reference).where(Application.applicant_id == user.id,
                                            Application.reference.is_not(None))))
    if not references:
        return false()
    about = and_(OutboxMessage.context["reference"].as_string().in_(references),
                 or_(OutboxMessage.user_id.is_(None), OutboxMessage.user_id != user.id))
    return func.coalesce(about, false())
