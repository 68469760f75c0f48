"""Sign-in, registration, e-mail verification, password reset and the user's account."""

import secrets
import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from icm_recruit.auth import operations as ops
from icm_recruit.auth import tasks
from icm_recruit.auth.forms import (
    ChangePasswordForm,
    EmailForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    RegisterForm,
)
from icm_recruit.core import audit, maillimit
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.permissions import public, signed_in
from icm_recruit.core.urls import is_safe_next
from icm_recruit.extensions import db

bp = Blueprint("auth", __name__)


def _start_session(user) -> None:
    # A fresh session at sign-in: nothing from before survives (no fixation).
    locale = session.get("locale")
    session.clear()
    login_user(user)
    session["auth_at"] = session["seen_at"] = int(time.time())
    if locale:
        session["locale"] = locale


def _after_password(user, target: str | None):
    """Finish sign-in, or ask for the second factor first when the account has one."""
    if user.has_two_factor:
        locale = session.get("locale")
        session.clear()
        session["2fa_user_id"] = user.id
        session["2fa_started"] = int(time.time())
        session["2fa_next"] = target if is_safe_next(target) else None
        if locale:
            session["locale"] = locale
        return redirect(url_for("auth.second_factor"))
    _start_session(user)
    return redirect(target if is_safe_next(target) else url_for("main.home"))


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = ops.authenticate(form.email.data, form.password.data, request.remote_addr or "")
        except ops.AccountError as exc:
            db.session.commit()  # keep the failed-attempt audit event
            form.password.errors.append(exc.message)
            status = 429 if exc.code == "throttled" else 200
            return render_template("auth/login.html", form=form, demo=_demo_logins()), status
        if user.email_verified_at is None:
            db.session.commit()
            session["unverified_user_id"] = user.id
            flash(_("Please confirm your e-mail address first: open the link we sent you."),
                  "warning")
            return redirect(url_for("auth.verify_pending"))
        db.session.commit()
        return _after_password(user, form.next.data)
    return render_template("auth/login.html", form=form, demo=_demo_logins())


DEMO_LOGINS = "auth.demo_logins"


def register_demo_logins(app, password: str, people: list[tuple]) -> None:
    """Let the demo data list its accounts, (email, name, roles), on the sign-in page."""
    app.extensions[DEMO_LOGINS] = {"password": password, "people": people}


def _demo_logins():
    """In the demo, list the seeded accounts on the sign-in page."""
    if not current_app.config["DEMO"]:
        return None
    return current_app.extensions.get(DEMO_LOGINS)


@bp.post("/logout")
@public
def logout():
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        # A new nonce ends the session on the server too: a copied cookie stops working.
        user.session_nonce = secrets.token_hex(16)
        audit.record("auth.logout", actor=user, obj=user)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


def _visitor() -> str:
    """Name the visitor for the mail limits: the client address (no account yet)."""
    return maillimit.actor_key(address=request.remote_addr)


def _too_many_requests(template: str, form):
    flash(maillimit.MailLimitError("actor").message, "warning")
    return render_template(template, form=form), 429


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    form = RegisterForm()
    if request.method == "GET":
        form.locale.data = session.get("locale") or "en"
    if form.validate_on_submit():
        email = ops.User.normalize_email(form.email.data)
        try:
            # Counted whether or not the address has an account: one mail goes either way.
            maillimit.require_mail_allowed(_visitor(), email)
        except maillimit.MailLimitError as exc:
            form.email.errors.append(exc.message)
            return render_template("auth/register.html", form=form), 429
        ops.register_applicant(email=email, name=form.name.data,
                               password=form.password.data, locale=form.locale.data)
        db.session.commit()
        flash(_("We sent a message to %(email)s: open it to finish. If this address already "
                "has an account, the message tells you how to sign in.", email=email), "success")
        return redirect(url_for("auth.verify_pending"))
    return render_template("auth/register.html", form=form)


@bp.get("/verify")
@public
def verify_pending():
    return render_template("auth/verify_pending.html", form=EmailForm())


@bp.post("/verify/resend")
@public
def resend_verification():
    form = EmailForm()
    if form.validate_on_submit():
        if not maillimit.allow_actor(_visitor()):
            return _too_many_requests("auth/verify_pending.html", form)
        tasks.queue_account_mail(tasks.resend_verification,
                                 ops.User.normalize_email(form.email.data))
    flash(_("If an unconfirmed account uses this address, a new link is on its way."), "info")
    return redirect(url_for("auth.verify_pending"))


# How long after following the link a new account may continue without its password.
VERIFIED_SIGN_IN_SECONDS = 15 * 60


@bp.get("/verify/<token>")
@public
def verify_email(token):
    try:
        user, newly = ops.verify_email(token)
    except ops.AccountError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("auth.verify_pending"))
    db.session.commit()
    session["verified_email"] = user.email
    if newly:
        session["verified_user_id"] = user.id
        session["verified_at"] = int(time.time())
    return redirect(url_for("auth.email_confirmed"))


def _just_verified_user():
    """The account whose address this browser just confirmed, if it may continue."""
    user_id, at = session.get("verified_user_id"), session.get("verified_at", 0)
    if not user_id or time.time() - at > VERIFIED_SIGN_IN_SECONDS:
        return None
    user = db.session.get(ops.User, user_id)
    return user if user is not None and ops.may_sign_in_after_verification(user) else None


@bp.route("/verified", methods=["GET", "POST"])
@public
def email_confirmed():
    """After the link: continue signed in (a POST, so no other site can do it for you),
    or sign in with the password, the address already filled in."""
    user = _just_verified_user()
    form = AppForm()
    if request.method == "POST":
        if user is None or not form.validate_on_submit():
            flash(_("Sign in with your e-mail address and password."), "info")
            return redirect(url_for("auth.email_confirmed"))
        ops.sign_in_after_verification(user)
        db.session.commit()
        _start_session(user)
        flash(_("Welcome, %(name)s: you are signed in.", name=user.name), "success")
        return redirect(url_for("main.home"))
    login_form = LoginForm(email=session.get("verified_email", ""))
    return render_template("auth/email_confirmed.html", user=user, form=form,
                           login_form=login_form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = EmailForm()
    if form.validate_on_submit():
        if not maillimit.allow_actor(_visitor()):
            return _too_many_requests("auth/forgot.html", form)
        # Queued for every address: the answer takes as long whether an account exists.
        tasks.queue_account_mail(tasks.send_password_reset,
                                 ops.User.normalize_email(form.email.data))
        flash(_("If an account uses this address, we sent it a link to choose a new password."),
              "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


def _set_password_page(token: str, purpose: str):
    try:
        ops.check_reset_token(token, purpose)
    except ops.AccountError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("auth.forgot_password"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        user = ops.reset_password(token, form.password.data, purpose)
        db.session.commit()
        flash(_("Your password is set. Sign in with it."), "success")
        return redirect(url_for("auth.login", email=user.email))
    return render_template("auth/set_password.html", form=form, purpose=purpose)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    return _set_password_page(token, "reset")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invite(token):
    return _set_password_page(token, "invite")


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account():
    profile = ProfileForm(obj=current_user, prefix="profile")
    password = ChangePasswordForm(prefix="password")
    which = request.form.get("which")
    if which == "profile" and profile.validate_on_submit():
        current_user.name = profile.name.data.strip()
        current_user.locale = profile.locale.data
        current_user.timezone = profile.timezone.data
        session["locale"] = profile.locale.data
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.account"))
    if which == "password" and password.validate_on_submit():
        try:
            ops.change_password(current_user, password.current.data, password.password.data)
        except ops.AccountError as exc:
            password.current.errors.append(exc.message)
        else:
            db.session.commit()
            _start_session(current_user._get_current_object())  # new nonce: renew this one
            flash(_("Your password is changed. Other sessions were signed out."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", profile=profile, password=password)


from icm_recruit.auth import twofactor_views  # noqa: E402,F401 - routes on this blueprint
