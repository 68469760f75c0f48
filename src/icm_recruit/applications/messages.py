"""What to tell the user about each refusal, in their language."""

from flask_babel import gettext as _


def error_message(code: str, **details) -> str:
    messages = {
        "not_applicant": _("Only applicant accounts can apply."),
        "call_not_open": _("This call is not accepting applications."),
        "already_applied": _("You already have an application for this call: here it is."),
        "forbidden": _("You cannot do this on this application."),
        "not_editable": _("This application was submitted and can no longer be changed."),
        "deadline_passed": _("The deadline of this call has passed: the application can no "
                             "longer be changed or submitted. What you saved before is kept."),
        "kind_not_asked": _("This call does not ask for this kind of document."),
        "already_submitted": _("This application is already submitted."),
        "incomplete": _("The application is not complete yet. Still missing: %(missing)s.",
                        missing="; ".join(details.get("missing", []))),
        "cannot_withdraw": _("This application can no longer be withdrawn."),
        "not_screenable": _("This application is not waiting for an eligibility check."),
        "reason_needed": _("Give the reason; the applicant will read it."),
        "self_referee": _("You cannot be your own referee."),
        "referee_twice": _("This referee is already on your list."),
        "too_many_referees": _("You can name at most %(max)d referees.",
                               max=details.get("max", 5)),
        "referee_closed": _("This referee has already answered."),
        "link_invalid": _("This link is not valid. If the applicant sent you a newer e-mail, "
                          "use the link in that one."),
        "link_used": _("This link was already used: the letter was sent or the request "
                       "declined. Thank you."),
        "link_expired": _("This link has expired. Ask the applicant to send you a new one."),
        # Upload checks (core.storage.UploadError codes)
        "no_file": _("Choose a PDF file to upload."),
        "empty": _("The file is empty."),
        "too_large": _("The file is larger than %(mb)d MB.", mb=details.get("max_mb", 0)),
        "not_pdf": _("Only PDF files are accepted, and this file is not a PDF."),
        "corrupt": _("This PDF cannot be opened; it may be damaged. Export it again and retry."),
        "encrypted": _("This PDF is protected by a password. Upload a version without "
                       "protection."),
        "too_many_pages": _("The file has %(pages)d pages; at most %(max)d are allowed.",
                            pages=details.get("pages", 0), max=details.get("max_pages", 0)),
    }
    return messages.get(code, _("This action is not possible now."))
