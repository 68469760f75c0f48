"""Keeping what the applicant typed: the dossier text sent along with an upload, a removal
or an autosave is stored as the draft, as far as it is valid, before anything else."""

from icm_recruit.applications import operations as ops
from icm_recruit.applications.changes import working
from icm_recruit.applications.forms import (
    DRAFT_FIELDS,
    EXCLUDED_FIELDS,
    ApplicationForm,
    DraftPart,
    keepable_draft,
)
from icm_recruit.applications.models import Application
from icm_recruit.extensions import db


def fill_form(form: ApplicationForm, application: Application) -> None:
    """Show the stored draft (or the open change of a submitted application) in the form."""
    application = working(application)
    for name in DRAFT_FIELDS:
        form[name].data = getattr(application, name)
    for index, name in enumerate(application.excluded_reviewers or []):
        form[f"excluded_{index + 1}"].data = name


def _differs(application: Application, part: DraftPart) -> bool:
    application = working(application)
    for name, value in part.data.items():
        stored = getattr(application, name)
        if name == "phd_year":
            if value != stored:
                return True
        elif (value or "").strip() != (stored or ""):
            return True
    return part.excluded is not None and part.excluded[:3] != list(
        application.excluded_reviewers or [])


def sent_names(sent) -> set[str]:
    return set(sent) & {*DRAFT_FIELDS, *EXCLUDED_FIELDS}


def typed_form(application: Application, sent) -> ApplicationForm:
    """The dossier form holding what the request carried, else the stored draft."""
    if sent_names(sent):
        return ApplicationForm()
    form = ApplicationForm(formdata=None)
    fill_form(form, application)
    return form


def keep_sent_text(application: Application, form: ApplicationForm, sent, *,
                   by) -> DraftPart | None:
    """Save the valid dossier fields the request carried and commit them on their own,
    so that whatever comes next in the request cannot cost the text.

    Returns what was kept and refused (None when no dossier field was sent). Raises
    ApplicationError, with nothing saved, when the application no longer accepts changes.
    """
    names = sent_names(sent)
    if not names:
        return None
    part = keepable_draft(form, names)
    if _differs(application, part):
        excluded = part.excluded if part.excluded is not None else list(
            application.excluded_reviewers or [])
        ops.save_draft(application, part.data, excluded, by=by)
        db.session.commit()
    else:
        ops.require_editable(application, by)
    return part
