"""Personal data pages for everyone, and the retention page for HR."""

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user
from wtforms import BooleanField, PasswordField
from wtforms.validators import InputRequired

from icm_recruit.auth.models import Role
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.permissions import roles_required, signed_in
from icm_recruit.extensions import db
from icm_recruit.governance import personal_data, retention

bp = Blueprint("governance", __name__)


class EraseForm(AppForm):
    password = PasswordField(_l("Your password"), validators=[InputRequired()])
    confirm = BooleanField(
        _l("I understand that my account will be closed, my open applications withdrawn and "
           "my files deleted. This cannot be undone."),
        validators=[InputRequired(message=_l("Tick the box to confirm."))])


@bp.get("/account/my-data")
@signed_in
def my_data():
    return render_template("governance/my_data.html", form=EraseForm())


@bp.get("/account/my-data.zip")
@signed_in
def download_my_data():
    archive = personal_data.export_personal_data(current_user._get_current_object())
    db.session.commit()  # the export is audited
    return Response(archive, mimetype="application/zip", headers={
        "Content-Disposition": "attachment; filename=my-icm-recruitment-data.zip",
        "Cache-Control": "no-store"})


@bp.post("/account/erase")
@signed_in
def erase():
    form = EraseForm()
    if not form.validate_on_submit():
        return render_template("governance/my_data.html", form=form), 400
    user = current_user._get_current_object()
    try:
        personal_data.erase_account(user, form.password.data)
    except personal_data.ErasureError as exc:
        form.password.errors.append(exc.message)
        return render_template("governance/my_data.html", form=form), 400
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Your account is closed and your personal data erased."), "info")
    return redirect(url_for("main.home"))


@bp.route("/admin/retention", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def retention_page():
    form = AppForm()
    report = None
    if request.method == "POST" and form.validate_on_submit():
        report = retention.purge(dry_run=False, by=current_user._get_current_object())
        db.session.commit()
        flash(_("Retention purge done."), "success")
    preview = retention.purge(dry_run=True)
    return render_template("governance/retention.html", preview=preview, report=report,
                           form=form)
