"""The assignment's filter of HR's application search: `reviewer:"Ann Smith"` or an e-mail."""

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import aliased

from icm_recruit.applications.models import Application
from icm_recruit.applications.search import register_field
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import User


def reviewed_by(value: str):
    """The application is held by a member whose name contains the value, or whose e-mail it is."""
    reviewer = aliased(User)  # the outer select already joins the applicant's user row
    needle = value.strip().lower()
    return exists(select(Assignment.id).join(reviewer, reviewer.id == Assignment.reviewer_id)
                  .where(Assignment.application_id == Application.id,
                         Assignment.status.in_(AssignmentStatus.held),
                         or_(func.lower(reviewer.name).contains(needle, autoescape=True),
                             func.lower(reviewer.email) == needle)))


register_field("reviewer", reviewed_by, private=True)
