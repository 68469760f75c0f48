"""Reviewing: the member's dashboard, dossier, review form, other reviews, discussion, and
HR's progress dashboard. Every page about an application asks the rules first."""

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import ValidationError

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications import stage_part
from icm_recruit.applications.models import Application, Document, RefereeStatus
from icm_recruit.assignment import rules as assignment_rules
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import Call, CallStatus, DocumentKind
from icm_recruit.core import audit, pagecache, storage
from icm_recruit.core.confirm import confirm_page, confirmed
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.params import int32_list, page_number
from icm_recruit.core.permissions import require, roles_required
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import csrf, db
from icm_recruit.reviews import operations as ops
from icm_recruit.reviews import queries, reminders, rules
from icm_recruit.reviews.dossier import board_dossier
from icm_recruit.reviews.forms import (
    DeclineForm,
    PostForm,
    review_data,
    review_form_class,
)

bp = Blueprint("reviews", __name__, url_prefix="/review")
BOARD = (Role.REVIEWER, Role.CHAIR)
BOARD_AND_HR = (Role.REVIEWER, Role.CHAIR, Role.ADMIN)
DOWNLOAD_HEADERS = {"Content-Security-Policy": "default-src 'none'; sandbox",
                    "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


# ---------------------------------------------------------------- a long form never loses text


def _session_is_ending() -> bool:
    # Mirrors auth's idle/absolute session rule, which runs before any view of ours.
    now, config = int(time.time()), current_app.config
    return (now - session.get("seen_at", now) > config["SESSION_IDLE_SECONDS"]
            or now - session.get("auth_at", now) > config["SESSION_ABSOLUTE_SECONDS"])


def posted_review_fields() -> dict:
    return {k: v for k, v in request.form.items() if k != "csrf_token" and k != "action"}


@bp.url_value_preprocessor
def rescue_review_text(endpoint, values):
    """Before the session rules sign an idle member out, keep the review they just sent.

    URL preprocessors run before every before-request hook; the CSRF token is checked here
    since the app-wide check has not run yet. The text is kept aside, never saved as the
    review: after signing in, the form offers it back and the member saves it.
    """
    if (endpoint != "reviews.review_form" or request.method != "POST"
            or not current_user.is_authenticated or not _session_is_ending()):
        return
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return
    assignment = db.session.get(Assignment, (values or {}).get("assignment_id"))
    if assignment is not None and assignment.reviewer_id == current_user.id:
        ops.keep_rescued_text(assignment, posted_review_fields(), by=current_user)
        db.session.commit()


# ---------------------------------------------------------------- the member's dashboard


@bp.get("/")
@roles_required(*BOARD)
def dashboard():
    return pagecache.page(lambda: render_template(
        "reviews/dashboard.html", by_call=queries.member_assignments(current_user),
        chair_applications=queries.chair_applications(current_user), now=utcnow(),
        decline_form=DeclineForm()))


def _own_assignment_or_403(assignment_id: int) -> Assignment:
    assignment = db.get_or_404(Assignment, assignment_id)
    require(assignment.reviewer_id == current_user.id)
    return assignment


@bp.post("/assignments/<int:assignment_id>/accept")
@roles_required(*BOARD)
def accept(assignment_id):
    assignment = _own_assignment_or_403(assignment_id)
    try:
        ops.accept_assignment(assignment, by=current_user)
    except ops.ReviewError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("Thank you: %(ref)s is on your list.", ref=assignment.application.reference),
              "success")
    return redirect(url_for(".dashboard"))


@bp.route("/assignments/<int:assignment_id>/decline", methods=["GET", "POST"])
@roles_required(*BOARD)
def decline(assignment_id):
    assignment = _own_assignment_or_403(assignment_id)
    require(assignment_rules.can_open_dossier(current_user, assignment.application))
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            ops.decline_assignment(assignment, reason=form.reason.data, by=current_user)
        except ops.ReviewError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("You declined %(ref)s; HR will find another member.",
                    ref=assignment.application.reference), "info")
            return redirect(url_for(".dashboard"))
    return render_template("reviews/decline.html", assignment=assignment, form=form), \
        422 if form.errors else 200


# ---------------------------------------------------------------- the dossier


def _dossier_or_403(application_id: int) -> Application:
    application = db.get_or_404(Application, application_id)
    if application_rules.is_applicant(current_user, application):
        application_rules.refuse_own_application(application)
    require(assignment_rules.can_open_dossier(current_user, application))
    return application


def _may_read_letters(application: Application) -> bool:
    # HR through the applications rule (never their own); the board through assignment.rules.
    if current_user.has_role(Role.ADMIN):
        return application_rules.can_read_letters(current_user, application)
    return True


@bp.get("/applications/<int:application_id>")
@roles_required(*BOARD_AND_HR)
def dossier(application_id):
    application = _dossier_or_403(application_id)
    # Kept for the reader like HR's page of the application, its opening recorded once.
    return pagecache.recorded_page(lambda: _dossier_page(application), lambda: audit.record(
        "dossier.opened", actor=current_user, obj=application, via="review"))


def _dossier_page(application: Application) -> str:
    assignment = queries.own_assignment(current_user, application)
    letters = [r for r in application.referee_requests
               if r.status == RefereeStatus.RECEIVED and r.letter is not None]
    return render_template(
        "reviews/dossier.html", application=application, call=application.call,
        assignment=assignment, review=queries.review_of(assignment) if assignment else None,
        documents=application.current_documents(), letters=letters,
        can_read_letters=_may_read_letters(application),
        can_see_reviews=rules.can_see_reviews(current_user, application),
        earlier_stages=queries.earlier_stages(application),
        stage_texts=stage_part.written_texts(application))


def _send_pdf(path, name: str):
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=name, max_age=0)
    response.headers.update(DOWNLOAD_HEADERS)
    return response


@bp.get("/applications/<int:application_id>/documents/<int:document_id>")
@roles_required(*BOARD_AND_HR)
def document(application_id, document_id):
    application = _dossier_or_403(application_id)
    doc = db.get_or_404(Document, document_id)
    require(doc.application_id == application.id and doc.is_current
            and doc.kind != DocumentKind.LETTER, 404)
    audit.record("document.downloaded", actor=current_user, obj=doc, via="review")
    db.session.commit()
    return _send_pdf(storage.path_for(doc.storage_key), doc.download_name)


@bp.get("/applications/<int:application_id>/letters/<int:document_id>")
@roles_required(*BOARD_AND_HR)
def letter(application_id, document_id):
    application = _dossier_or_403(application_id)
    require(_may_read_letters(application))
    request_ = next((r for r in application.referee_requests
                     if r.letter_document_id == document_id
                     and r.status == RefereeStatus.RECEIVED), None)
    require(request_ is not None, 404)
    audit.record("letter.downloaded", actor=current_user, obj=request_.letter, via="review")
    db.session.commit()
    return _send_pdf(storage.path_for(request_.letter.storage_key),
                     f"{application.reference}-letter-{request_.id}.pdf")


@bp.get("/applications/<int:application_id>/dossier.pdf")
@roles_required(*BOARD_AND_HR)
def dossier_pdf(application_id):
    application = _dossier_or_403(application_id)
    require(_may_read_letters(application))  # the merged PDF carries the letters
    path = board_dossier(application, "fr" if str(get_locale()) == "fr" else "en")
    audit.record("dossier.downloaded", actor=current_user, obj=application, via="review")
    db.session.commit()
    return _send_pdf(path, f"{application.reference}-dossier.pdf")


# ---------------------------------------------------------------- the review form


def _render_review(assignment, form, *, status=200, notice=None, rescued=False):
    application = assignment.application
    return render_template(
        "reviews/review_form.html", assignment=assignment, application=application,
        call=application.call, form=form, review=queries.review_of(assignment),
        editable=ops.is_open_for_editing(assignment, utcnow()), notice=notice,
        rescued=rescued, stage_over=assignment.stage != application.stage), status


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
@roles_required(*BOARD)
@csrf.exempt  # the form checks its own token, so an expired one keeps the text
def review_form(assignment_id):
    assignment = db.get_or_404(Assignment, assignment_id)
    require(rules.can_review(current_user, assignment))
    form_class = review_form_class(assignment.application.call.criteria_of(assignment.stage))
    if request.method == "GET":
        rescue = queries.rescue_of(assignment)
        if rescue is not None:
            return _render_review(assignment, form_class(formdata=MultiDict(rescue.data)),
                                  rescued=True)
        return _render_review(assignment, form_class(formdata=None,
                                                     data=review_data(
                                                         queries.review_of(assignment))))
    form = form_class()
    if not form.validate():
        if form.csrf_token.errors:
            form.csrf_token.errors = []
            return _render_review(assignment, form, status=400, notice=_(
                "Your page had expired, so nothing was saved yet. Your text is below: check "
                "it and press the button again. If you were signed out, sign in again in "
                "another tab first."))
        return _render_review(assignment, form, status=422)
    submit = request.form.get("action") == "submit"
    try:
        ops.save_review(assignment, form.to_input(), by=current_user, submit=submit)
    except ops.ReviewError as exc:
        db.session.rollback()
        return _render_review(assignment, form, status=422, notice=exc.message)
    db.session.commit()
    if submit:
        flash(_("Your review of %(ref)s is submitted. You can now read the other reviews.",
                ref=assignment.application.reference), "success")
        return redirect(url_for(".other_reviews", application_id=assignment.application_id))
    flash(_("Draft saved."), "success")
    return redirect(url_for(".review_form", assignment_id=assignment.id))


# ---------------------------------------------------------------- other reviews, discussion


@bp.get("/applications/<int:application_id>/reviews")
@roles_required(*BOARD_AND_HR)
def other_reviews(application_id):
    application = _dossier_or_403(application_id)
    if not rules.can_see_reviews(current_user, application):
        return render_template("reviews/reviews_locked.html", application=application,
                               assignment=queries.own_assignment(current_user, application)), 403
    submitted = queries.submitted_reviews(application)
    left_out = {r.id for r in submitted if not rules.counts_in_ranking(r)}
    reviews = [r for r in submitted if rules.may_read_review(current_user, r, left_out)]
    audit.record("reviews.opened", actor=current_user, obj=application,
                 reviews=[r.id for r in reviews])
    call = application.call
    page = render_template("reviews/reviews.html", application=application, call=call,
                           assignment=queries.own_assignment(current_user, application),
                           reviews=[(r, queries.weighted_score(r, call)) for r in reviews],
                           not_counted={r.id: queries.conflict_reasons(
                               r.assignment.reviewer_id, application)
                               for r in reviews if r.id in left_out})
    db.session.commit()  # the audit event, after rendering
    return page


@bp.route("/applications/<int:application_id>/discussion", methods=["GET", "POST"])
@roles_required(*BOARD_AND_HR)
def discussion(application_id):
    application = _dossier_or_403(application_id)
    if not rules.can_discuss(current_user, application):
        return render_template("reviews/reviews_locked.html", application=application,
                               assignment=queries.own_assignment(current_user, application)), 403
    form = PostForm()
    status = 200
    if form.validate_on_submit():
        try:
            ops.post_to_discussion(application, form.body.data, by=current_user)
        except ops.ReviewError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            status = 422
        else:
            db.session.commit()
            flash(_("Posted. The others get it in tomorrow's summary e-mail."), "success")
            return redirect(url_for(".discussion", application_id=application.id,
                                    _anchor="new"))
    elif form.errors:
        status = 422
    return render_template("reviews/discussion.html", application=application, form=form,
                           assignment=queries.own_assignment(current_user, application),
                           posts=queries.posts_of(application)), status


# ---------------------------------------------------------------- HR


@bp.get("/progress")
@roles_required(Role.ADMIN)
def progress_index():
    calls = db.session.scalars(select(Call).where(Call.status.in_(CallStatus.reviewing))
                               .order_by(Call.closes_at.desc())).all()
    return render_template("reviews/progress_index.html", calls=calls)


@bp.get("/calls/<int:call_id>/progress")
@roles_required(Role.ADMIN)
def progress(call_id):
    def render():
        call = db.get_or_404(Call, call_id)  # HR's (the role is checked before)
        # Long tables come in pages; applications short of reviewers come first.
        progress = queries.call_progress(call, utcnow(), current_user,
                                         request.args.get("apage", type=page_number),
                                         request.args.get("opage", type=page_number))
        return render_template(
            "reviews/progress.html", call=call, progress=progress,
            outstanding=progress.outstanding, applications=progress.applications,
            suggestions=ops.replacement_suggestions(call, progress.declined))

    return pagecache.page(render)


def _hr_assignment(assignment_id: int) -> Assignment:
    assignment = db.get_or_404(Assignment, assignment_id)
    application_rules.require_hr_on(current_user, assignment.application)
    return assignment


@bp.post("/assignments/<int:assignment_id>/remind")
@roles_required(Role.ADMIN)
def remind(assignment_id):
    """Remind one member of one review, after a page saying who gets the e-mail."""
    assignment = _hr_assignment(assignment_id)
    back = url_for(".progress", call_id=assignment.application.call_id)
    if not confirmed():
        name, reference = assignment.reviewer.name, assignment.application.reference
        return confirm_page(
            heading=_("Remind %(name)s of %(ref)s?", name=name, ref=reference),
            lines=[_("%(name)s receives a reminder e-mail now, in their language.", name=name),
                   _("A member is reminded by hand of a review at most once a day.")],
            action=url_for(".remind", assignment_id=assignment.id),
            button=_("Send the reminder"), back=back, gentle=True)
    try:
        sent = reminders.remind_now(assignment, by=current_user)
    except ops.ReviewError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("Reminder sent to %(name)s.", name=assignment.reviewer.name) if sent else
              _("%(name)s was already reminded of this review today.",
                name=assignment.reviewer.name), "success" if sent else "info")
    return redirect(url_for(".progress", call_id=assignment.application.call_id))


def _confirm_reassign(assignment: Assignment):
    name, reference = assignment.reviewer.name, assignment.application.reference
    first = (_("%(name)s declined this review.", name=name)
             if assignment.status == AssignmentStatus.DECLINED else
             _("%(name)s no longer reviews %(ref)s: their draft is kept, seen by nobody else, "
               "and they cannot take the review back.", name=name, ref=reference))
    return confirm_page(
        heading=_("Give the review of %(ref)s to another member?", ref=reference),
        lines=[first,
               _("The best free board member without a conflict of interest gets it, with "
                 "at least %(days)d days to review, and is told by e-mail.",
                 days=ops.REASSIGN_DAYS)],
        action=url_for(".reassign", assignment_id=assignment.id),
        button=_("Reassign the review"),
        back=url_for(".progress", call_id=assignment.application.call_id))


def _chosen_reviews(call: Call, values) -> tuple[list[Assignment], int]:
    """The late reviews (when asked) or the ticked ones, and how many ticked were left out."""
    if values.get("late"):
        return queries.late_assignments(call, utcnow(), current_user), 0
    ids = int32_list(values.getlist("assignment_id"))
    chosen = queries.outstanding_assignments(call, ids, current_user) if ids else []
    return chosen, len(ids) - len(chosen)


@bp.post("/calls/<int:call_id>/reminders/confirm")
@roles_required(Role.ADMIN)
def confirm_reminders(call_id):
    """Show who will get a reminder mail; nothing is sent here.

    A POST, so the selection and the form's token stay out of the URL."""
    call = db.get_or_404(Call, call_id)
    chosen, left_out = _chosen_reviews(call, request.form)
    due, already = reminders.reminder_plan(chosen)
    return render_template("reviews/remind_confirm.html", call=call, due=due,
                           already=already, left_out=left_out)


@bp.post("/calls/<int:call_id>/reminders")
@roles_required(Role.ADMIN)
def remind_selected(call_id):
    """Remind the members of the listed reviews, each at most once a day."""
    call = db.get_or_404(Call, call_id)
    chosen, _left_out = _chosen_reviews(call, request.form)
    sent, skipped = reminders.remind_many(chosen, by=current_user)
    db.session.commit()
    flash(_("Reminders sent: %(n)d.", n=sent), "success")
    if skipped:
        flash(_("Left out (already reminded today, or nothing left to review): %(n)d.",
                n=skipped), "info")
    return redirect(url_for(".progress", call_id=call.id))


@bp.post("/assignments/<int:assignment_id>/reassign")
@roles_required(Role.ADMIN)
def reassign(assignment_id):
    """Give a late or declined review to the best free member, after a page saying what
    changes and who is told."""
    assignment = _hr_assignment(assignment_id)
    if not confirmed():
        return _confirm_reassign(assignment)
    try:
        new = ops.reassign(assignment, by=current_user)
    except ops.ReviewError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("%(ref)s is now with %(name)s.", ref=assignment.application.reference,
                name=new.reviewer.name), "success")
    return redirect(url_for(".progress", call_id=assignment.application.call_id))
