"""What to tell the user about each refusal of the selection feature, in their language."""

from flask_babel import gettext as _


def error_message(code: str, **details) -> str:
    from icm_recruit.applications.models import APPLICATION_STATUS_LABELS, ApplicationStatus

    status = details.get("status", "")
    if status in {s.value for s in ApplicationStatus}:
        status = str(APPLICATION_STATUS_LABELS[ApplicationStatus(status)])
    messages = {
        "forbidden": _("You cannot do this on this application."),
        "not_under_review": _("%(ref)s is not under review any more, so it cannot be "
                              "shortlisted or rejected now.", ref=details.get("reference", "")),
        "reason_needed": _("Give the reason for this choice; it is kept in the audit trail."),
        "wrong_state": _("No decision can be recorded for %(ref)s in its current state "
                         "(%(status)s). Decisions follow an interview.",
                         ref=details.get("reference", ""), status=status),
        "already_answered": _("You have already answered this offer."),
        "no_offer": _("There is no offer to answer on this application."),
        "place_needed": _("Give a room or a video link."),
        "panel_needed": _("Choose at least one panel member."),
        "slot_in_past": _("This time is already past."),
        "bad_duration": _("The duration must be between 1 and 480 minutes."),
        "not_board_member": _("Panel members must be active board members."),
        "slot_withdrawn": _("This slot was withdrawn."),
        "panel_conflict": _("A panel member has a conflict of interest with this applicant: "
                            "%(names)s. Choose another panel or slot.",
                            names=details.get("names", "")),
        "not_invited": _("You have not been invited to an interview."),
        "already_booked": _("Your interview is already booked. Write to HR to change it."),
        "not_shortlisted": _("%(ref)s is not shortlisted.", ref=details.get("reference", "")),
        "slot_unavailable": _("This slot cannot be booked."),
        "slot_taken": _("Someone else has just taken this slot. Choose another one."),
        "not_booked": _("This interview is not booked."),
        "scores_incomplete": _("Score every criterion."),
        "score_out_of_scale": _("A score is outside the criterion's scale."),
        "job_running": _("Letters are being sent already; wait for that run to finish."),
        "nothing_to_send": _("Every recorded decision has already been sent: nothing to send."),
        "template_problem": _("A letter template uses unknown placeholders: %(names)s. Allowed: "
                              "{name}, {call}, {reference}, {feedback}.",
                              names=details.get("names", "")),
        "template_malformed": _("A letter template has an unmatched brace. Write {{ or }} for "
                                "a brace that is not a placeholder."),
    }
    return messages.get(code, _("This action is not possible now."))
