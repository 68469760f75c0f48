"""The audit trail in words: a label for every action the code records, and their groups.

Every `audit.record(...)` in the code has its action here (tests/core/test_audit_labels.py
reads the code and fails on an action without a label). The stored events keep their
codes: only the pages and exports show these words.
"""

from flask_babel.speaklater import LazyString

from icm_recruit.core.i18n import lazy_gettext as _l

ACTION_LABELS: dict[str, LazyString] = {
    # Accounts and sign-in
    "auth.login": _l("Signed in"),
    "auth.login_failed": _l("Sign-in refused"),
    "auth.login_throttled": _l("Sign-in blocked after too many attempts"),
    "auth.logout": _l("Signed out"),
    "auth.password_reset_requested": _l("Asked for a password reset link"),
    "auth.password_reset": _l("Password reset from a link"),
    "auth.password_set_from_invite": _l("Password chosen from an invitation"),
    "auth.password_changed": _l("Password changed"),
    "auth.2fa_enabled": _l("Two-factor sign-in turned on"),
    "auth.2fa_disabled": _l("Two-factor sign-in turned off"),
    "auth.2fa_passed": _l("Second sign-in step passed"),
    "auth.2fa_failed": _l("Second sign-in step failed"),
    "auth.recovery_codes_regenerated": _l("New recovery codes made"),
    "user.registered": _l("Account created by registration"),
    "user.registration_attempt_notified": _l("Told of a registration with a taken address"),
    "user.invited": _l("Person invited"),
    "user.email_verified": _l("E-mail address confirmed"),
    "user.role_granted": _l("Role given"),
    "user.role_revoked": _l("Role taken away"),
    "mail.limited": _l("E-mail held back by the sending limit"),
    "personal_data.exported": _l("Personal data downloaded"),
    "personal_data.erased": _l("Personal data erased"),
    "user.publications_imported": _l("Publication list imported"),
    "user.publications_removed": _l("Publication list removed"),
    # Calls
    "call.created": _l("Call created"),
    "call.updated": _l("Call settings changed"),
    "call.status_changed": _l("Call moved to another stage"),
    "call.closed_early": _l("Call closed before its deadline"),
    "call.reopened": _l("Call reopened"),
    "call.deadline_extended": _l("Call deadline extended"),
    "call.chair_rights_changed": _l("What the chair may do on the call changed"),
    # Applications, documents and referees
    "application.started": _l("Application started"),
    "application.saved": _l("Application saved"),
    "application.submitted": _l("Application submitted"),
    "application.submit_refused": _l("Submission refused"),
    "application.withdrawn": _l("Application withdrawn"),
    "application.screened": _l("Eligibility screened"),
    "applications.screened_in_bulk": _l("Eligibility screened for several applications"),
    "application.deadline_extended": _l("Personal deadline granted"),
    "application.deadline_withdrawn": _l("Personal deadline withdrawn"),
    "application.change_started": _l("Change of the submitted application started"),
    "application.change_discarded": _l("Change of the submitted application discarded"),
    "application.change_refused": _l("Change refused after the deadline"),
    "application.changed": _l("Changes submitted as a new version"),
    "application.privacy_consent": _l("Privacy notice accepted"),
    "application.tagged": _l("Tag added"),
    "application.untagged": _l("Tag removed"),
    "application.dossier_built": _l("Merged dossier built"),
    "application.shortlisted": _l("Told: shortlisted"),
    "application.rejected": _l("Told: not shortlisted"),
    "document.uploaded": _l("Document uploaded"),
    "document.removed": _l("Document removed"),
    "document.rejected": _l("Upload refused"),
    "document.cleaned": _l("Active content removed from a document"),
    "document.downloaded": _l("Document downloaded"),
    "dossier.opened": _l("Dossier opened"),
    "dossier.downloaded": _l("Merged dossier downloaded"),
    "letter.downloaded": _l("Reference letter downloaded"),
    "referee.requested": _l("Reference letter requested"),
    "referee.resent": _l("Request sent again to a referee"),
    "referee.reminded": _l("Referee reminded"),
    "referee.cancelled": _l("Referee request withdrawn"),
    "referee.declined": _l("Referee declined"),
    "referee.letter_received": _l("Reference letter received"),
    "referee.letter_replaced": _l("Reference letter replaced by its referee"),
    # Board and conflicts of interest
    "board.member_created": _l("Board profile created"),
    "board.member_invited": _l("Board member invited"),
    "board.member_activated": _l("Board member reactivated"),
    "board.member_deactivated": _l("Board member deactivated"),
    "board.profile_updated": _l("Board profile changed"),
    "board.availability_set": _l("Availability for a call set"),
    "board.institution_added": _l("Institution added to the registry"),
    "board.institution_updated": _l("Registry institution changed"),
    "board.institution_removed": _l("Institution removed from the registry"),
    "conflicts.detected": _l("Conflicts of interest detected"),
    "conflict.declared": _l("Conflict of interest answered by the member"),
    "conflict.added": _l("Conflict of interest added by HR"),
    "conflict.confirmed": _l("Conflict of interest confirmed"),
    "conflict.dismissed": _l("Conflict of interest dismissed"),
    "bid.set": _l("Review wish given"),
    # Assignment
    "assignment.proposed": _l("Assignment proposal computed"),
    "assignment.added": _l("Reviewer added"),
    "assignment.removed": _l("Reviewer removed"),
    "assignment.restored": _l("Reviewer put back"),
    "assignment.locked": _l("Assignment locked"),
    "assignment.unlocked": _l("Assignment unlocked"),
    "assignment.published": _l("Assignment published to the board"),
    "assignment.unscreened_marked_eligible": _l("Unscreened applications marked eligible "
                                                "at publication"),
    "assignment.accepted": _l("Assignment accepted"),
    "assignment.declined": _l("Assignment declined"),
    "assignment.replaced": _l("Declined reviewer replaced"),
    "assignment.withdrawn_for_conflict": _l("Assignment ended by a conflict of interest"),
    "assignment.restored_after_conflict": _l("Assignment given back after a dismissed "
                                             "conflict"),
    "assignment.proposals_dropped": _l("Proposed assignments dropped"),
    # Reviews
    "review.submitted": _l("Review submitted"),
    "review.updated": _l("Review changed"),
    "review.reminded": _l("Reviewer reminded"),
    "review.escalated": _l("Late review reported to HR"),
    "review.reassigned": _l("Review given to another member"),
    "reviews.opened": _l("Other reviews read"),
    "discussion.posted": _l("Discussion message posted"),
    # Selection
    "ranking.computed": _l("Ranking computed"),
    "shortlist.marked": _l("Shortlist mark set"),
    "shortlist.unmarked": _l("Shortlist mark cleared"),
    "shortlist_template.saved": _l("Shortlist e-mail text saved"),
    "shortlist_template.reset": _l("Shortlist e-mail text reset"),
    "interview_slot.created": _l("Interview slot added"),
    "interview_slot.changed": _l("Interview slot changed"),
    "interview_slot.withdrawn": _l("Interview slot withdrawn"),
    "interview_slot.restored": _l("Interview slot restored"),
    "interview.invited": _l("Invited to book an interview"),
    "interview.booked": _l("Interview booked"),
    "interview.cancelled": _l("Interview cancelled"),
    "interview.scored": _l("Interview scored"),
    "interview.panel_seat_withdrawn": _l("Panel seat ended by a conflict of interest"),
    "interview.panel_seat_restored": _l("Panel seat given back"),
    "visit_window.proposed": _l("Interview visit window proposed"),
    "visit_window.answered": _l("Availability for a visit window given"),
    "visit_window.slot_fixed": _l("Interview slot fixed in a visit window"),
    "visit_window.changed": _l("Interview visit window moved or its note changed"),
    "visit_window.withdrawn": _l("Interview visit window withdrawn"),
    "visit_part.added": _l("Part added to an interview visit"),
    "visit_part.removed": _l("Part removed from an interview visit"),
    "decision.recorded": _l("Decision recorded"),
    "decision.letter_sent": _l("Decision letter sent"),
    "decision.offer_answered": _l("Offer answered"),
    "letter_template.saved": _l("Decision letter text saved"),
    "letter_template.reset": _l("Decision letter text reset"),
    # Board meetings and evaluation reports
    "meeting.created": _l("Board meeting planned and members invited"),
    "meeting.agenda_moved": _l("Meeting agenda reordered"),
    "meeting.agenda_reordered": _l("Meeting agenda group put in a new order (drag and drop)"),
    "meeting.agenda_regrouped": _l("Meeting agenda item moved to another group"),
    "meeting.pointer_moved": _l("Meeting moved to another item"),
    "meeting.item_recorded": _l("Meeting outcome recorded"),
    "meeting.attendance": _l("Meeting attendance recorded"),
    "meeting.minutes_published": _l("Meeting minutes published"),
    "evaluation_report.saved": _l("Evaluation report saved"),
    "evaluation_report.sent": _l("Evaluation report sent"),
    # E-mail texts written for every call
    "mail_text.saved": _l("E-mail text saved"),
    "mail_text.reset": _l("E-mail text back to its default"),
    # Stages
    "stage.added": _l("Stage added to a call"),
    "stage.changed": _l("Stage settings changed"),
    "stage.removed": _l("Stage removed"),
    "stage.marked": _l("Stage mark set"),
    "stage.unmarked": _l("Stage mark cleared"),
    "stage.advanced": _l("Went on to the next stage"),
    "stage.stopped": _l("Stopped at a stage"),
    "stage.opened": _l("Call moved on to its next stage"),
    "stage.texts_saved": _l("Stage texts saved by the applicant"),
    "stage.part_sent": _l("Stage part sent by the applicant"),
    "stage.part_missed": _l("Stage part missed its deadline"),
    "stage_template.saved": _l("Stage outcome e-mail text saved"),
    "stage_template.reset": _l("Stage outcome e-mail text reset"),
    "equality.answered": _l("Gender and career stage given with consent"),
    "equality.consent_withdrawn": _l("Consent withdrawn: gender and career stage deleted"),
    # Records
    "audit.exported": _l("Audit trail exported"),
    "retention.purged": _l("Old data purged"),
}

# The select of the trail's page: a group is the actions starting with its prefixes.
ACTION_GROUPS: dict[str, tuple[LazyString, tuple[str, ...]]] = {
    "accounts": (_l("Accounts and sign-in"), ("auth.", "user.", "mail.", "personal_data.")),
    "calls": (_l("Calls"), ("call.",)),
    "applications": (_l("Applications, documents and referees"),
                     ("application.", "applications.", "document.", "dossier.", "letter.",
                      "referee.")),
    "board": (_l("Board and conflicts of interest"),
              ("board.", "conflict.", "conflicts.", "bid.")),
    "assignment": (_l("Assignment"), ("assignment.",)),
    "reviews": (_l("Reviews and discussion"), ("review.", "reviews.", "discussion.")),
    "selection": (_l("Shortlist, interviews and decisions"),
                  ("ranking.", "shortlist.", "shortlist_template.", "interview.",
                   "interview_slot.", "visit_window.", "visit_part.", "decision.",
                   "letter_template.")),
    "stages": (_l("Stages"), ("stage.", "stage_template.", "equality.")),
    "meetings": (_l("Board meetings and evaluation reports"),
                 ("meeting.", "evaluation_report.")),
    "mail_texts": (_l("E-mail texts"), ("mail_text.",)),
    "records": (_l("Records and retention"), ("audit.", "retention.")),
}


def action_label(action: str) -> str:
    """The action in the reader's language (its code when the code has no label)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def group_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, (label, _prefixes) in ACTION_GROUPS.items()]


def group_prefixes(group: str) -> tuple[str, ...]:
    """The prefixes of a group's actions; none for an unknown group."""
    entry = ACTION_GROUPS.get(group)
    return entry[1] if entry else ()
