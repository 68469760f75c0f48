"""A person's publication list: imported from a BibTeX, RIS or ORCID export they upload."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from icm_recruit.applications import rules
from icm_recruit.applications.forms import PublicationImportForm
from icm_recruit.applications.publication_files import (
    MAX_ENTRIES,
    MAX_FILE_BYTES,
    PublicationFileError,
    read_publication_file,
)
from icm_recruit.applications.publications import (
    import_publications,
    publications_of,
    remove_publications,
)
from icm_recruit.auth.models import Role
from icm_recruit.core.confirm import confirm_page, confirmed
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.i18n import ngettext
from icm_recruit.core.permissions import require, roles_required
from icm_recruit.extensions import db

bp = Blueprint("publications", __name__, url_prefix="/publications")
KEEPERS = (Role.APPLICANT, Role.REVIEWER, Role.CHAIR)
FILE_MESSAGES = {
    "missing": _l("Choose a file."),
    "too_large": _l("The file is larger than %(mb)d MB.", mb=MAX_FILE_BYTES // 2**20),
    "empty": _l("The file is empty."),
    "not_text": _l("This is not a text file: export your list as BibTeX (.bib), RIS (.ris) "
                   "or an ORCID record (.json)."),
    "unknown_format": _l("This file is not a BibTeX, RIS or ORCID export."),
    "unreadable": _l("The file could not be read: export it again from your reference "
                     "manager or from ORCID."),
    "no_entries": _l("No publication with a title was found in the file."),
    "too_many": _l("The file lists more than %(num)d publications: export a selection.",
                   num=MAX_ENTRIES),
}


def _page(form: PublicationImportForm, status: int = 200):
    return render_template("publications/mine.html", form=form,
                           publications=publications_of(current_user.id)), status


@bp.get("/")
@roles_required(*KEEPERS)
def mine():
    require(rules.can_keep_publications(current_user))
    return _page(PublicationImportForm())


@bp.post("/import")
@roles_required(*KEEPERS)
def upload():
    require(rules.can_keep_publications(current_user))
    form = PublicationImportForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    upload_file = request.files.get("file")
    try:
        if upload_file is None or not upload_file.filename:
            raise PublicationFileError("missing")
        kind, papers = read_publication_file(upload_file.stream.read(MAX_FILE_BYTES + 1))
    except PublicationFileError as error:
        form.file.errors = [*form.file.errors, str(FILE_MESSAGES[error.code])]
        return _page(form, 422)
    count = import_publications(current_user, kind, papers, by=current_user,
                                filename=upload_file.filename)
    db.session.commit()
    flash(ngettext("%(num)d publication imported; it replaces your previous list.",
                   "%(num)d publications imported; they replace your previous list.", count),
          "success")
    return redirect(url_for(".mine"))


@bp.post("/remove")
@roles_required(*KEEPERS)
def remove():
    require(rules.can_keep_publications(current_user))
    if not confirmed():
        return confirm_page(
            heading=_("Remove your imported publication list?"),
            lines=[_("Conflict detection will no longer see these co-authors from the next "
                     "detection on. What you typed in an application stays as it is.")],
            button=_("Remove the list"), action=url_for(".remove"), back=url_for(".mine"))
    count = remove_publications(current_user, by=current_user)
    db.session.commit()
    flash(ngettext("%(num)d publication removed.", "%(num)d publications removed.", count),
          "success")
    return redirect(url_for(".mine"))
