"""Pages of two-factor sign-in: the second step of sign-in, set-up and recovery codes."""

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from icm_recruit.auth import twofactor
from icm_recruit.auth.models import User
from icm_recruit.auth.views import _start_session, bp
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.permissions import public, signed_in
from icm_recruit.core.urls import is_safe_next
from icm_recruit.extensions import db

PENDING_SECONDS = 300


class CodeForm(AppForm):
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text"})


class DisableForm(AppForm):
    password = PasswordField(_l("Password"), validators=[InputRequired()])


def _pending_user() -> User | None:
    user_id = session.get("2fa_user_id")
    started = session.get("2fa_started", 0)
    if not user_id or time.time() - started > PENDING_SECONDS:
        return None
    return db.session.get(User, user_id)


@bp.route("/login/verify", methods=["GET", "POST"])
@public
def second_factor():
    user = _pending_user()
    if user is None or not user.active or not user.has_two_factor:
        session.pop("2fa_user_id", None)
        flash(_("Please sign in again."), "warning")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            twofactor.verify(user, form.code.data)
        except twofactor.TwoFactorError as exc:
            db.session.commit()  # keep the failed attempt in the audit trail
            form.code.errors.append(exc.message)
        else:
            db.session.commit()
            target = session.get("2fa_next")
            _start_session(user)
            if twofactor.remaining_recovery_codes(user) <= 2:
                flash(_("You have few recovery codes left. Create new ones in your account."),
                      "warning")
            return redirect(target if is_safe_next(target) else url_for("main.home"))
    return render_template("auth/second_factor.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@signed_in
def two_factor_setup():
    user = current_user._get_current_object()
    if user.has_two_factor:
        return render_template("auth/two_factor_status.html", form=DisableForm(),
                               remaining=twofactor.remaining_recovery_codes(user),
                               required=twofactor.required_for(user), codes=None)
    secret = session.get("2fa_setup_secret") or twofactor.new_secret()
    session["2fa_setup_secret"] = secret
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.enable(user, secret, form.code.data)
        except twofactor.TwoFactorError as exc:
            form.code.errors.append(exc.message)
        else:
            db.session.commit()
            session.pop("2fa_setup_secret", None)
            flash(_("Two-factor sign-in is on."), "success")
            return render_template("auth/two_factor_status.html", form=DisableForm(),
                                   remaining=len(codes), required=twofactor.required_for(user),
                                   codes=codes)
    uri = twofactor.provisioning_uri(user, secret)
    return render_template("auth/two_factor_setup.html", form=form, secret=secret,
                           qr=twofactor.qr_data_uri(uri),
                           required=twofactor.required_for(user))


@bp.post("/account/two-factor/recovery-codes")
@signed_in
def regenerate_recovery_codes():
    user = current_user._get_current_object()
    form = AppForm()
    if not user.has_two_factor or not form.validate_on_submit():
        return redirect(url_for("auth.two_factor_setup"))
    codes = twofactor.regenerate_recovery_codes(user)
    db.session.commit()
    flash(_("New recovery codes are ready; the old ones no longer work."), "success")
    return render_template("auth/two_factor_status.html", form=DisableForm(),
                           remaining=len(codes), required=twofactor.required_for(user),
                           codes=codes)


@bp.post("/account/two-factor/disable")
@signed_in
def disable_two_factor():
    user = current_user._get_current_object()
    form = DisableForm()
    if form.validate_on_submit():
        try:
            twofactor.disable(user, form.password.data)
        except twofactor.TwoFactorError as exc:
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("Two-factor sign-in is off."), "info")
    return redirect(url_for("auth.two_factor_setup"))


# Endpoints a signed-in user may reach before finishing a mandatory two-factor set-up.
SETUP_ALLOWED = {"auth.two_factor_setup", "auth.logout", "main.set_language", "static",
                 "main.healthz"}


def enforce_session_rules():
    """Before each request: end idle or too old sessions; make required 2FA unavoidable."""
    # Stylesheets, scripts and images are the same for everyone: a page's six of them
    # need not load the person six more times.
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    config = current_app.config
    seen, started = session.get("seen_at", now), session.get("auth_at", now)
    if now - seen > config["SESSION_IDLE_SECONDS"] or now - started > config[
            "SESSION_ABSOLUTE_SECONDS"]:
        from flask_login import logout_user

        logout_user()
        session.clear()
        flash(_("Your session has ended. Please sign in again."), "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if now - seen > 30:
        session["seen_at"] = now
    if (twofactor.required_for(current_user) and not current_user.has_two_factor
            and request.endpoint not in SETUP_ALLOWED):
        flash(_("Your role requires two-factor sign-in. Set it up to continue."), "warning")
        return redirect(url_for("auth.two_factor_setup"))
    return None


bp.before_app_request(enforce_session_rules)
