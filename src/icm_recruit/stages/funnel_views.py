"""The equality questions (the applicant's, with consent) and their report (HR, chair)."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import BooleanField, RadioField
from wtforms.validators import DataRequired, InputRequired

from icm_recruit.applications.views import own_application_or_403
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import Call
from icm_recruit.core.confirm import confirm_page, confirmed
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.permissions import roles_required
from icm_recruit.extensions import db
from icm_recruit.stages import equality
from icm_recruit.stages.views import STAFF, bp


class EqualityForm(AppForm):
    consent = BooleanField(
        _l("I agree that the Paris Brain Institute keeps these answers to count, only in "
           "groups of at least five people, how women, men and career stages fare in its "
           "calls."),
        validators=[DataRequired(_l("Tick the consent box to keep your answers."))])
    gender = RadioField(_l("Gender"), validators=[InputRequired()],
                        choices=[(g.value, g.label) for g in equality.Gender])
    career_stage = RadioField(_l("Career stage"), validators=[InputRequired()],
                              choices=[(c.value, c.label) for c in equality.CareerStage])


def _page(application):
    return redirect(url_for("stages.equality_form", application_id=application.id))


@bp.route("/applications/<int:application_id>/equality", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def equality_form(application_id):
    application = own_application_or_403(application_id)
    answer = equality.answer_of(application)
    form = EqualityForm()
    if form.validate_on_submit():
        equality.save_answers(application, gender=form.gender.data,
                              career_stage=form.career_stage.data, by=current_user)
        db.session.commit()
        flash(_("Your answers are kept. You may withdraw your consent at any time."), "success")
        return _page(application)
    if answer is not None and not form.is_submitted():
        form.gender.data, form.career_stage.data = answer.gender, answer.career_stage
    status = 422 if form.errors else 200
    return render_template("stages/equality_form.html", application=application, form=form,
                           answer=answer, plain=AppForm()), status


@bp.post("/applications/<int:application_id>/equality/withdraw")
@roles_required(Role.APPLICANT)
def equality_withdraw(application_id):
    application = own_application_or_403(application_id)
    if not AppForm().validate_on_submit():
        return _page(application)
    if not confirmed():
        return confirm_page(
            heading=_("Withdraw your consent?"),
            lines=[_("Your answers on gender and career stage will be deleted.")],
            action=url_for(".equality_withdraw", application_id=application.id),
            button=_("Withdraw my consent and delete my answers"),
            back=url_for(".equality_form", application_id=application.id))
    if equality.withdraw_consent(application, by=current_user):
        db.session.commit()
        flash(_("Your consent is withdrawn and your answers are deleted."), "success")
    return _page(application)


@bp.get("/calls/<int:call_id>/equality")
@roles_required(*STAFF)
def equality_report(call_id):
    call = db.get_or_404(Call, call_id)
    return render_template("stages/equality_report.html", call=call,
                           report=equality.equality_report(call))
