"""The referee's page: no account, a single-use link to upload a letter or decline."""

from flask import Blueprint, render_template, request

from icm_recruit.applications import referees as referee_ops
from icm_recruit.applications.forms import DeclineForm, LetterForm
from icm_recruit.applications.models import RefereeStatus
from icm_recruit.applications.operations import ApplicationError
from icm_recruit.calls.models import LETTER_RULE, database_now
from icm_recruit.core import storage
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.permissions import public
from icm_recruit.extensions import db

bp = Blueprint("referees", __name__)

LINK_STATUS = {"link_invalid": 404, "link_used": 410, "link_expired": 410}


def _closed(error: ApplicationError):
    return render_template("applications/referee_closed.html",
                           message=error.message), LINK_STATUS.get(error.code, 400)


@bp.route("/referee/<token>", methods=["GET", "POST"])
@public
def letter(token):
    try:
        referee = referee_ops.request_for_token(token)
    except ApplicationError as exc:
        db.session.rollback()
        return _closed(exc)
    letter_form, decline_form = LetterForm(prefix="letter"), DeclineForm(prefix="decline")
    error = None
    replacing = referee.status == RefereeStatus.RECEIVED
    if request.method == "POST" and request.form.get("action") == "decline" and not replacing:
        if decline_form.validate_on_submit():
            referee_ops.decline_request(referee, decline_form.reason.data or "")
            db.session.commit()
            return render_template("applications/referee_done.html", declined=True)
    elif request.method == "POST" and letter_form.validate_on_submit():
        upload = request.files.get("letter-file")
        try:
            if upload is None or not upload.filename:
                raise storage.UploadError("no_file")
            data = upload.stream.read(LETTER_RULE["max_mb"] * 1024 * 1024 + 1)
            checked = storage.check_pdf(data, upload.filename, max_mb=LETTER_RULE["max_mb"],
                                        max_pages=LETTER_RULE["max_pages"])
        except storage.UploadError as exc:
            error = exc.message
        else:
            referee_ops.receive_letter(referee, checked)
            db.session.commit()
            return render_template("applications/referee_done.html", declined=False,
                                   replaced=replacing, referee=referee,
                                   replace_until=referee.replace_until()
                                   if referee.may_replace_letter(database_now()) else None)
    elif request.method == "POST":
        error = _("The form had expired. Reload the page and try again.")
    db.session.rollback()  # release the row lock taken while reading the link
    return render_template(
        "applications/referee_letter.html", referee=referee,
        applicant_name=referee.application.applicant.name, call=referee.application.call,
        letter_form=letter_form, decline_form=decline_form, error=error, replacing=replacing,
        rule=LETTER_RULE), 200 if error is None else 422
