"""HR keeps the institution registry: the shipped entries to read, their own to change."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from icm_recruit.admin.views import PAGE_SIZE, _page, bp
from icm_recruit.auth.models import Role
from icm_recruit.board import rules as board_rules
from icm_recruit.board.forms import InstitutionForm
from icm_recruit.board.institutions import (
    InstitutionError,
    add_institution,
    local_entries,
    remove_institution,
    update_institution,
)
from icm_recruit.board.models import Institution
from icm_recruit.board.normalize import fold
from icm_recruit.board.registry import shipped_registry
from icm_recruit.core.confirm import confirm_page, confirmed
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.paging import ListPage
from icm_recruit.core.permissions import require, roles_required
from icm_recruit.extensions import db


def _require_keeper() -> None:
    require(board_rules.can_manage_institutions(current_user))


def _matches(entry, query: str) -> bool:
    words = [entry.name, *entry.aliases, *entry.acronyms, *entry.domains, *entry.units]
    return not query or any(fold(query) in fold(word) for word in words)


@bp.get("/institutions")
@roles_required(Role.ADMIN)
def institutions():
    _require_keeper()
    query = request.args.get("q", "").strip()[:200]
    local = [i for i in local_entries() if _matches(i.as_entry_view(), query)]
    shipped = sorted((e for e in shipped_registry().entries if _matches(e, query)),
                     key=lambda e: fold(e.name))
    parents = {e.id: e.name for e in shipped_registry().entries}
    page = ListPage(shipped, _page(), PAGE_SIZE)
    return render_template("admin/institutions.html", local=local, page=page, q=query,
                           parents=parents)


def _save(form: InstitutionForm, institution: Institution | None):
    """Add or change the entry; on a refusal, say it beside its field and keep the form."""
    try:
        if institution is None:
            institution = add_institution(form.entry_data(), by=current_user)
            message = _("%(name)s was added to the registry.", name=institution.name)
        else:
            update_institution(institution, form.entry_data(), by=current_user)
            message = _("%(name)s was saved.", name=institution.name)
    except InstitutionError as error:
        getattr(form, error.field).errors.append(error.message)
        return None
    db.session.commit()
    flash(message + " " + _("The next conflict detection of a call uses it."), "success")
    return redirect(url_for(".institutions"))


@bp.route("/institutions/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def add_institution_page():
    _require_keeper()
    form = InstitutionForm()
    if form.validate_on_submit():
        done = _save(form, None)
        if done is not None:
            return done
    return render_template("admin/institution_form.html", form=form, institution=None)


@bp.route("/institutions/<int:institution_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_institution(institution_id):
    _require_keeper()
    institution = db.get_or_404(Institution, institution_id)
    form = InstitutionForm()
    if request.method == "GET":
        form.fill_from(institution)
    if form.validate_on_submit():
        done = _save(form, institution)
        if done is not None:
            return done
    return render_template("admin/institution_form.html", form=form, institution=institution)


@bp.post("/institutions/<int:institution_id>/remove")
@roles_required(Role.ADMIN)
def remove_institution_page(institution_id):
    _require_keeper()
    institution = db.get_or_404(Institution, institution_id)
    if not confirmed():
        return confirm_page(
            heading=_("Remove %(name)s from the registry?", name=institution.name),
            lines=[_("Conflict detection will no longer know its other names, acronyms, "
                     "e-mail domains and unit codes from the next detection of a call on."),
                   _("Conflicts already found keep their reasons; nobody is sent an e-mail.")],
            button=_("Remove the entry"),
            action=url_for(".remove_institution_page", institution_id=institution.id),
            back=url_for(".institutions"))
    name = institution.name
    remove_institution(institution, by=current_user)
    db.session.commit()
    flash(_("%(name)s was removed from the registry.", name=name), "success")
    return redirect(url_for(".institutions"))
