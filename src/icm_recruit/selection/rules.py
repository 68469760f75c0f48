"""Who may shortlist, decide and sit on an interview panel.

HR handles any application but its own; the chair shortlists what they may open; a panel
member meets an applicant only while no conflict keeps them apart.
"""

from sqlalchemy import ColumnElement, and_, exists, not_

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application
from icm_recruit.assignment import rules as assignment_rules
from icm_recruit.auth.models import Role
from icm_recruit.board import rules as board_rules
from icm_recruit.selection.models import Interview, InterviewPanelist, InterviewSlot


def is_hr_for(user, application: Application) -> bool:
    """HR may act on any application except one they made themselves."""
    return application_rules.can_act_as_hr_on(user, application)


def may_shortlist(user, application: Application) -> bool:
    """HR handling it, or the chair on an application they are not conflicted with."""
    return (user.has_role(Role.ADMIN, Role.CHAIR)
            and assignment_rules.can_open_dossier(user, application))


def chair_acts_on(user, call) -> bool:
    """The chair, on a call whose settings let the chair plan visits and record decisions."""
    return bool(call is not None and call.chair_runs_selection and user.has_role(Role.CHAIR))


def may_run_selection_on(user, application: Application) -> bool:
    """Plan the visit of, book for and decide on an application: HR handling it, or the
    chair where the call's settings allow, never on one they are in conflict with."""
    return is_hr_for(user, application) or (
        chair_acts_on(user, application.call)
        and assignment_rules.can_open_dossier(user, application))


def may_decide(user, application: Application) -> bool:
    """Record the decision on an interviewed application (HR sends the letters)."""
    return may_run_selection_on(user, application)


def may_handle_slot(user, interview: Interview | None) -> bool:
    """HR may change or withdraw a slot, unless the interview booked on it is their own."""
    return user.has_role(Role.ADMIN) and (
        interview is None or is_hr_for(user, interview.application))


def can_sit_on_panel(user_id: int, interview: Interview) -> bool:
    """The member holds a seat on the interview's panel and no conflict keeps them away."""
    slot = interview.slot
    return (slot is not None and user_id in slot.panel_ids
            and not board_rules.is_conflicted(user_id, interview.application))


def interview_started(interview: Interview, now) -> bool:
    """Scores are given once the interview has begun, never about one still to come."""
    return interview.slot is not None and interview.slot.starts_at <= now


def may_score(user_id: int, interview: Interview, now) -> bool:
    """A seated, non-conflicted panel member scores a booked interview once it has begun."""
    return can_sit_on_panel(user_id, interview) and interview_started(interview, now)


def kept_from_panel(user_ids, application: Application) -> list[int]:
    """Of these users, those who may not meet the applicant (conflict or own file)."""
    return sorted(board_rules.conflicted_user_ids(application) & set(user_ids or []))


def seated_on_panel_of(user_id) -> ColumnElement[bool]:
    """SQL condition on a query of Interview joined to its slot: the user has a seat there
    and is not in conflict with the interview's applicant."""
    return and_(
        exists().where(InterviewPanelist.slot_id == InterviewSlot.id,
                       InterviewPanelist.user_id == user_id,
                       InterviewPanelist.withdrawn_at.is_(None)),
        not_(board_rules.pair_conflicted(user_id, Interview.application_id)))


# ---------------------------------------------------------------- interview visit planning


def may_plan_visits(user, call) -> bool:
    """HR proposes the visit windows of a call and fixes slots in them; so does the chair
    where the call's settings allow."""
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and (user.has_role(Role.ADMIN) or chair_acts_on(user, call)))


def may_see_window(user, window) -> bool:
    """A window for one candidate is shown only to those who may run that candidate's
    selection; a window for every candidate, to whoever plans the call's visits."""
    return may_plan_visits(user, window.call) and (
        window.application is None or may_run_selection_on(user, window.application))


def may_set_programme(user, slot: InterviewSlot, interview: Interview | None) -> bool:
    """Set the parts of a visit: whoever may change the slot, or plan its candidate's visit."""
    return may_handle_slot(user, interview) or (
        may_plan_visits(user, slot.call)
        and (interview is None or may_run_selection_on(user, interview.application)))


def may_plan_visit_of(user, application: Application) -> bool:
    """Propose a window for this candidate, fix its slots, set its programme."""
    return may_plan_visits(user, application.call) and may_run_selection_on(user, application)


def kept_from_visits(user_ids, applications) -> set[int]:
    """Of these users, those who may not meet one of these candidates (conflict or own file).

    A window's panel leaves them out: every candidate concerned can then book its slots.
    """
    return board_rules.kept_away_from(applications) & set(user_ids or [])


def may_answer_window(user, window_panel_ids) -> bool:
    """A member answers for a window when they sit on its panel and the window is open."""
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and user.id in window_panel_ids)
