"""HR administration: people and roles, the mailbox of sent mail, the audit trail."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from icm_recruit.auth import operations as account_ops
from icm_recruit.auth.forms import InviteForm, RolesForm
from icm_recruit.auth.models import Role, User
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.core.permissions import roles_required
from icm_recruit.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50


def role_choices():
    labels = {
        Role.APPLICANT: _("Applicant"),
        Role.REVIEWER: _("Board member"),
        Role.CHAIR: _("Board chair"),
        Role.ADMIN: _("HR administrator"),
    }
    return [(role.value, labels[role]) for role in Role]


def _page() -> int:
    return max(request.args.get("page", 1, type=int), 1)


@bp.get("/users")
@roles_required(Role.ADMIN)
def users():
    query = request.args.get("q", "").strip()
    stmt = select(User).options(selectinload(User.role_rows)).order_by(User.name)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(or_(func.lower(User.name).like(like), User.email.like(like)))
    page = db.paginate(stmt, page=_page(), per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/users.html", page=page, q=query, role_choices=role_choices())


@bp.route("/users/invite", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def invite():
    form = InviteForm()
    form.roles.choices = role_choices()
    if form.validate_on_submit():
        user = account_ops.invite_user(
            email=form.email.data, name=form.name.data, locale=form.locale.data,
            roles={Role(r) for r in form.roles.data}, by=current_user,
        )
        db.session.commit()
        flash(_("Invitation sent to %(email)s.", email=user.email), "success")
        return redirect(url_for(".users"))
    return render_template("admin/invite.html", form=form)


@bp.route("/users/<int:user_id>/roles", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_roles(user_id):
    user = db.get_or_404(User, user_id)
    form = RolesForm()
    form.roles.choices = role_choices()
    if request.method == "GET":
        form.roles.data = sorted(r.value for r in user.roles)
    if form.validate_on_submit():
        try:
            account_ops.set_roles(user, {Role(r) for r in form.roles.data or []}, by=current_user)
        except account_ops.AccountError:
            form.roles.errors.append(_("You cannot remove your own administrator role."))
        else:
            db.session.commit()
            flash(_("Roles of %(name)s saved.", name=user.name), "success")
            return redirect(url_for(".users"))
    return render_template("admin/roles.html", form=form, user=user)


@bp.get("/mailbox")
@roles_required(Role.ADMIN)
def mailbox():
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    recipient = request.args.get("to", "").strip().lower()
    if recipient:
        stmt = stmt.where(OutboxMessage.recipient == recipient)
    page = db.paginate(stmt, page=_page(), per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/mailbox.html", page=page, to=recipient)


@bp.get("/mailbox/<int:message_id>")
@roles_required(Role.ADMIN)
def mail_message(message_id):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("admin/mail_message.html", message=message)


@bp.get("/audit")
@roles_required(Role.ADMIN)
def audit_trail():
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    action = request.args.get("action", "").strip()
    if action:
        stmt = stmt.where(AuditEvent.action.like(f"{action}%"))
    actor = request.args.get("actor", type=int)
    if actor:
        stmt = stmt.where(AuditEvent.actor_id == actor)
    page = db.paginate(stmt, page=_page(), per_page=PAGE_SIZE, error_out=False)
    actors = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({e.actor_id for e in page.items if e.actor_id})))}
    return render_template("admin/audit.html", page=page, actors=actors, action=action)

