"""HR administration: people and roles, the mailbox of sent mail, the audit trail."""

import json

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import ColumnElement, String, cast, func, or_, select
from sqlalchemy.orm import selectinload

from icm_recruit.admin import audit_labels, rules
from icm_recruit.admin.audit_names import describe
from icm_recruit.admin.audit_people import about_people
from icm_recruit.applications.models import Application
from icm_recruit.assignment.models import AssignmentStatus
from icm_recruit.assignment.queries import open_counts_of
from icm_recruit.auth import operations as account_ops
from icm_recruit.auth.forms import InviteForm, RolesForm
from icm_recruit.auth.models import Role, User
from icm_recruit.core import audit, pagecache
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.confirm import confirm_page, confirmed
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import ngettext
from icm_recruit.core.mailtext import fill_links
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.core.params import int32, page_number
from icm_recruit.core.permissions import require, roles_required
from icm_recruit.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50
BOARD_ROLES = {Role.REVIEWER, Role.CHAIR}


def role_choices():
    labels = {
        Role.APPLICANT: _("Applicant"),
        Role.REVIEWER: _("Board member"),
        Role.CHAIR: _("Board chair"),
        Role.ADMIN: _("HR administrator"),
    }
    return [(role.value, labels[role]) for role in Role]


def _page() -> int:
    return request.args.get("page", 1, type=page_number)


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
        wanted = {Role(r) for r in form.roles.data or []}
        if user.roles - wanted and not confirmed():
            return _confirm_roles(user, wanted)
        try:
            account_ops.set_roles(user, wanted, by=current_user)
        except account_ops.AccountError as exc:
            form.roles.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Roles of %(name)s saved.", name=user.name), "success")
            return redirect(url_for(".users"))
    return render_template("admin/roles.html", form=form, user=user)


def _confirm_roles(user: User, wanted: set[Role]):
    """Say what taking roles away implies before doing it."""
    labels = dict(role_choices())
    lost = sorted(r.value for r in user.roles - wanted)
    lines = [_("%(name)s loses: %(roles)s.", name=user.name,
               roles=", ".join(labels[r] for r in lost))]
    if user.roles & BOARD_ROLES and not wanted & BOARD_ROLES:
        active = open_counts_of(user.id)[AssignmentStatus.ACTIVE]
        lines.append(ngettext(
            "They can no longer open the board's pages, nor the %(num)d application "
            "assigned to them: withdraw or replace it on the call's assignment page.",
            "They can no longer open the board's pages, nor the %(num)d applications "
            "assigned to them: withdraw or replace them on the call's assignment page.",
            active))
    lines.append(_("Nobody is sent an e-mail."))
    return confirm_page(heading=_("Change the roles of %(name)s?", name=user.name),
                        lines=lines, button=_("Save the roles"),
                        action=url_for(".edit_roles", user_id=user.id),
                        back=url_for(".users"),
                        hidden=[("roles", r.value) for r in sorted(wanted)])


def _require_mailbox() -> None:
    # A demo and debugging tool: production runs without it unless MAILBOX_ENABLED is set.
    require(current_app.config["MAILBOX_ENABLED"], 404)


def _shown_text(message: OutboxMessage) -> tuple[str | None, bool]:
    """The text as the mailbox shows it, and whether a one-time link in it is hidden: a
    link is shown only to a reader who may hold it. None once the retention purge ran."""
    if message.body_purged_at is not None:
        return None, False
    shown = message.links_visible_to(
        current_user, shown_kinds=current_app.config["MAILBOX_LINK_KINDS_SHOWN"])
    text = fill_links(message.body_text, message.links if shown else {},
                      hidden=_("[link hidden]"))
    return text, message.has_one_time_links and not shown


@bp.get("/mailbox")
@roles_required(Role.ADMIN)
def mailbox():
    _require_mailbox()
    stmt = select(OutboxMessage).where(~rules.hidden_mails(current_user)).order_by(
        OutboxMessage.id.desc())
    recipient = request.args.get("to", "").strip().lower()
    if recipient:
        stmt = stmt.where(OutboxMessage.recipient == recipient)
    page = db.paginate(stmt, page=_page(), per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/mailbox.html", page=page, to=recipient)


@bp.get("/mailbox/<int:message_id>")
@roles_required(Role.ADMIN)
def mail_message(message_id):
    _require_mailbox()
    message = db.get_or_404(OutboxMessage, message_id)
    require(not db.session.scalar(select(rules.hidden_mails(current_user)).where(
        OutboxMessage.id == message.id)), 404)
    body, links_hidden = _shown_text(message)
    return render_template("admin/mail_message.html", message=message, body=body,
                           links_hidden=links_hidden,
                           retention_days=current_app.config["MAIL_BODY_RETENTION_DAYS"])


def _people_named(text: str):
    """Ids of the people whose name or e-mail contains the text (case ignored)."""
    text = text.lower()
    return select(User.id).where(or_(func.lower(User.name).contains(text, autoescape=True),
                                     User.email.contains(text, autoescape=True)))


def _about_applications(text: str) -> ColumnElement[bool]:
    """Events about the applications whose reference contains the text."""
    ids = select(Application.id).where(Application.reference.contains(text.upper(),
                                                                      autoescape=True))
    return or_((AuditEvent.object_type == "application")
               & AuditEvent.object_id.in_(select(cast(ids.subquery().c.id, String))),
               AuditEvent.data["application_id"].as_integer().in_(ids))


def _audit_filters() -> tuple:
    """Filters of the audit trail from the query string: action group (or prefix), person
    (by name or e-mail, or by number from a link), application reference, object."""
    filters = {"group": request.args.get("group", "").strip(),
               "action": request.args.get("action", "").strip(),
               "who": request.args.get("who", "").strip()[:100],
               "actor": request.args.get("actor", type=int32),
               "application": request.args.get("application", "").strip()[:40],
               "object_type": request.args.get("object_type", "").strip(),
               "object_id": request.args.get("object_id", "").strip()}
    stmt = select(AuditEvent).where(~rules.hidden_audit_events(current_user)).order_by(
        AuditEvent.id.desc())
    prefixes = audit_labels.group_prefixes(filters["group"])
    if prefixes:
        stmt = stmt.where(or_(*(AuditEvent.action.startswith(p, autoescape=True)
                                for p in prefixes)))
    else:
        filters["group"] = ""
    if filters["action"]:
        stmt = stmt.where(AuditEvent.action.startswith(filters["action"], autoescape=True))
    if filters["who"]:
        stmt = stmt.where(about_people(_people_named(filters["who"])))
    if filters["actor"]:
        stmt = stmt.where(about_people(select(User.id).where(User.id == filters["actor"])))
    if filters["application"]:
        stmt = stmt.where(_about_applications(filters["application"]))
    if filters["object_type"]:
        stmt = stmt.where(AuditEvent.object_type == filters["object_type"])
    if filters["object_id"]:
        stmt = stmt.where(AuditEvent.object_id == filters["object_id"])
    return stmt, {k: v for k, v in filters.items() if v}


@bp.get("/audit")
@roles_required(Role.ADMIN)
def audit_trail():
    def render():
        stmt, filters = _audit_filters()
        page = db.paginate(stmt, page=_page(), per_page=PAGE_SIZE, error_out=False)
        person = (db.session.get(User, filters["actor"]) if filters.get("actor") else None)
        return render_template("admin/audit.html", page=page, views=describe(page.items),
                               filters=filters, person=person,
                               groups=audit_labels.group_choices())

    # The trail's events are appended one at a time under its lock, so its last event
    # (read with the reader) names its state; the generation names that of the people and
    # objects it shows.
    return pagecache.page(render, extra=lambda: [pagecache.trail_position()])


EXPORT_HEADERS = ["id", "at", "actor_id", "action", "object_type", "object_id", "data",
                  "prev_hash", "hash"]


@bp.get("/audit.<any(csv, xlsx):fmt>")
@roles_required(Role.ADMIN)
def audit_export(fmt):
    """The filtered trail as CSV or XLSX, hashes included, so it can be checked elsewhere
    (`at` is kept as the stored UTC instant the hash covers), then the same event in words:
    who, what, on what, when in the reader's time zone."""
    from icm_recruit.core.export import download

    stmt, filters = _audit_filters()
    events = db.session.scalars(stmt.limit(100_000)).all()
    rows = [[e.id, e.at.isoformat(), e.actor_id or "", e.action, e.object_type or "",
             e.object_id or "", json.dumps(e.data, ensure_ascii=False), e.prev_hash, e.hash,
             v.actor, v.action, v.object, "; ".join(f"{k}: {d}" for k, d in v.details), e.at]
            for e, v in zip(events, describe(events), strict=True)]
    audit.record("audit.exported", actor=current_user, rows=len(rows), filters=filters,
                 format=fmt)
    db.session.commit()
    headers = [*EXPORT_HEADERS, _("Who"), _("Action"), _("Object"), _("Details"),
               _("When (your time zone)")]
    return download(headers, rows, fmt, "audit-trail", _("Audit trail"))

# The institution registry's pages share this blueprint (admin/institutions.py).
from icm_recruit.admin import institutions as _institution_pages  # noqa: E402, F401
