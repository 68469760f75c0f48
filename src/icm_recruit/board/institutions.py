"""HR's part of the institution registry: the entries they add, edit and remove.

``current_registry()`` is the registry conflict detection uses: the shipped entries and
HR's, read again whenever HR's change (one small query tells).
"""

from __future__ import annotations

from sqlalchemy import func, select

from icm_recruit.auth.models import User
from icm_recruit.board import rules
from icm_recruit.board.models import Institution, InstitutionKind
from icm_recruit.board.registry import Registry, shipped_registry, with_local
from icm_recruit.core import audit
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.extensions import db

FIELDS = ("name", "kind", "aliases", "acronyms", "domains", "units", "parent")
_CACHE: dict[str, Registry] = {}


class InstitutionError(DomainError):
    """A problem HR can fix; ``field`` says beside which field to show it."""

    messages = {
        "forbidden": _l("You cannot do this."),
        "name_taken": _l("An entry of this name is already in the registry: edit it instead."),
    }

    def __init__(self, code: str, field: str = "name", **details) -> None:
        super().__init__(code, **details)
        self.field = field


def current_registry() -> Registry:
    """Return the shipped registry extended by HR's entries, as they are now."""
    count, last, top = db.session.execute(select(
        func.count(Institution.id), func.max(Institution.updated_at),
        func.max(Institution.id))).one()
    if not count:
        return shipped_registry()
    version = f"{count}:{top}:{last.isoformat() if last else ''}"
    registry = _CACHE.get(version)
    if registry is None:
        rows = db.session.scalars(select(Institution).order_by(Institution.id))
        registry = with_local([row.as_entry() for row in rows], version)
        _CACHE.clear()
        _CACHE[version] = registry
    return registry


def local_entries() -> list[Institution]:
    return list(db.session.scalars(select(Institution).order_by(func.lower(Institution.name))))


def _require(by: User) -> None:
    if not rules.can_manage_institutions(by):
        raise InstitutionError("forbidden")


def _name_taken(name: str, except_id: int | None = None) -> bool:
    stmt = select(Institution.id).where(func.lower(Institution.name) == name.casefold())
    if except_id is not None:
        stmt = stmt.where(Institution.id != except_id)
    return db.session.scalar(stmt) is not None


def _apply(institution: Institution, data: dict) -> list[str]:
    changed = []
    for name in FIELDS:
        value = data[name]
        if name == "kind":
            value = InstitutionKind(value)
        if getattr(institution, name) != value:
            setattr(institution, name, value)
            changed.append(name)
    return changed


def add_institution(data: dict, *, by: User) -> Institution:
    """Add an entry to the registry (data: the FIELDS, lists already split)."""
    _require(by)
    if _name_taken(data["name"]):
        raise InstitutionError("name_taken")
    institution = Institution(created_by_id=by.id, aliases=[], acronyms=[], domains=[],
                              units=[], parent="")
    _apply(institution, data)
    db.session.add(institution)
    db.session.flush()
    audit.record("board.institution_added", actor=by, obj=institution,
                 **{name: _plain(getattr(institution, name)) for name in FIELDS})
    return institution


def update_institution(institution: Institution, data: dict, *, by: User) -> list[str]:
    """Change an entry HR added; return the names of the fields that changed."""
    _require(by)
    if _name_taken(data["name"], except_id=institution.id):
        raise InstitutionError("name_taken")
    before = {name: _plain(getattr(institution, name)) for name in FIELDS}
    changed = _apply(institution, data)
    db.session.flush()
    if changed:
        audit.record("board.institution_updated", actor=by, obj=institution, fields=changed,
                     before={k: before[k] for k in changed},
                     after={k: _plain(getattr(institution, k)) for k in changed})
    return changed


def remove_institution(institution: Institution, *, by: User) -> None:
    """Remove an entry HR added; conflicts already found keep their stated reason."""
    _require(by)
    audit.record("board.institution_removed", actor=by, obj=institution,
                 name=institution.name, entry=_plain(institution.as_entry()))
    db.session.delete(institution)
    db.session.flush()


def _plain(value):
    return value.value if isinstance(value, InstitutionKind) else value
