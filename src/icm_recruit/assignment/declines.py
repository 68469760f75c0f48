"""A member declines an assignment: one operation for every page that offers it."""

from icm_recruit.assignment import operations as ops
from icm_recruit.assignment.models import Assignment
from icm_recruit.assignment.signals import assignment_declined
from icm_recruit.auth.models import User


def decline_assignment(assignment: Assignment, *, reason: str, by: User) -> None:
    """Record the member's decline and its reason, then announce it (reviewing tells HR)."""
    if ops.decline(assignment, reason=reason, by=by):
        assignment_declined.send(None, assignment_id=assignment.id, by=by)
