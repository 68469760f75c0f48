"""Which audit events are about a person: in one SQL condition, whatever the trail's size.

An event is about a person when they acted, when their account is its object, when its
object is one of their parts (their assignment, conflict, review or board seat), and when
its details name them: one person (`reviewer_id`, `member_id`, `user_id`) or a list of
them (an interview panel, a meeting's members).
"""

from sqlalchemy import ColumnElement, Select, String, cast, exists, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB

from icm_recruit.admin.audit_names import PERSON_KEYS, PERSON_LIST_KEYS
from icm_recruit.assignment.models import Assignment
from icm_recruit.board.models import BoardMember, Conflict
from icm_recruit.core.audit import AuditEvent
from icm_recruit.extensions import db
from icm_recruit.reviews.models import Review


def _as_text(ids: Select) -> Select:
    """The ids as the text an event's object_id holds."""
    return select(cast(ids.subquery().c[0], String))


def _objects_of(people: Select) -> ColumnElement[bool]:
    parts = {
        "user": people,
        "assignment": select(Assignment.id).where(Assignment.reviewer_id.in_(people)),
        "conflict": select(Conflict.id).where(Conflict.reviewer_id.in_(people)),
        "review": select(Review.id).join(Assignment, Assignment.id == Review.assignment_id)
        .where(Assignment.reviewer_id.in_(people)),
        "board_member": select(BoardMember.id).where(BoardMember.user_id.in_(people)),
    }
    return or_(*((AuditEvent.object_type == kind) & AuditEvent.object_id.in_(_as_text(ids))
                 for kind, ids in parts.items()))


def _named_in_lists(people: Select) -> ColumnElement[bool]:
    if db.session.get_bind().dialect.name == "postgresql":
        person = people.subquery()
        data = cast(AuditEvent.data, JSONB)
        # A list contains the person's id; a count kept under the same key never does.
        return exists(select(1).select_from(person).where(or_(*(
            data[key].op("@>")(func.jsonb_build_array(person.c[0]))
            for key in PERSON_LIST_KEYS))))
    conditions = []
    for key in PERSON_LIST_KEYS:
        each = func.json_each(AuditEvent.data, f"$.{key}").table_valued("value")
        conditions.append((func.json_type(AuditEvent.data, f"$.{key}") == "array")
                          & exists(select(1).select_from(each).where(each.c.value.in_(people))))
    return or_(*conditions)


def about_people(people: Select) -> ColumnElement[bool]:
    """Events about these people (a select of user ids): see the module's docstring."""
    return or_(AuditEvent.actor_id.in_(people), _objects_of(people),
               *(AuditEvent.data[key].as_integer().in_(people) for key in PERSON_KEYS),
               _named_in_lists(people))
