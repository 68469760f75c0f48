"""A person's publication list, imported from a file they upload (publication_files.py).

Applicants and board members keep one list each; conflict detection reads the authors,
title and year of every entry (board/conflicts.py, co-authorship). An import replaces the
person's list, so importing the same export twice changes nothing.
"""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from icm_recruit.applications import rules
from icm_recruit.applications.publication_files import ParsedPaper
from icm_recruit.auth.models import User
from icm_recruit.core import audit
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.timeutil import UTCDateTime, utcnow
from icm_recruit.extensions import db
from icm_recruit.extensions import str_enum as _enum


class PublicationSource(enum.StrEnum):
    BIBTEX = "bibtex"
    RIS = "ris"
    ORCID = "orcid"


class Publication(db.Model):
    """One entry of a person's imported publication list."""

    __tablename__ = "publication"
    __table_args__ = (db.CheckConstraint("year IS NULL OR year BETWEEN 1800 AND 2100",
                                         name="year_plausible"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(1000))
    year: Mapped[int | None] = mapped_column()
    authors: Mapped[list] = mapped_column(db.JSON, default=list)
    source: Mapped[PublicationSource] = mapped_column(_enum(PublicationSource, 10))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PublicationError(DomainError):
    messages = {"forbidden": _l("You cannot do this.")}


def _require_own(user: User, by: User) -> None:
    if by.id != user.id or not rules.can_keep_publications(by):
        raise PublicationError("forbidden")


def publications_of(user_id: int) -> list[Publication]:
    return list(db.session.scalars(select(Publication).where(Publication.user_id == user_id)
                                   .order_by(Publication.year.desc().nulls_last(),
                                             Publication.id)))


def publications_by_user(user_ids) -> dict[int, list[Publication]]:
    """Return the lists of many people at once (one query), for conflict detection."""
    found: dict[int, list[Publication]] = {}
    ids = sorted(set(user_ids))
    if not ids:
        return found
    for row in db.session.scalars(select(Publication).where(Publication.user_id.in_(ids))
                                  .order_by(Publication.id)):
        found.setdefault(row.user_id, []).append(row)
    return found


def import_publications(user: User, source: str, papers: list[ParsedPaper], *, by: User,
                        filename: str = "") -> int:
    """Replace the person's publication list by the papers read from one file."""
    _require_own(user, by)
    removed = db.session.execute(delete(Publication).where(Publication.user_id == user.id))
    db.session.add_all([Publication(user_id=user.id, title=p.title, year=p.year,
                                    authors=list(p.authors), source=PublicationSource(source))
                        for p in papers])
    db.session.flush()
    audit.record("user.publications_imported", actor=by, obj=user, source=source,
                 entries=len(papers), replaced=removed.rowcount, filename=filename[:200])
    return len(papers)


def remove_publications(user: User, *, by: User) -> int:
    """Remove the person's whole imported list."""
    _require_own(user, by)
    removed = db.session.execute(delete(Publication).where(Publication.user_id == user.id))
    db.session.flush()
    audit.record("user.publications_removed", actor=by, obj=user, entries=removed.rowcount)
    return removed.rowcount
