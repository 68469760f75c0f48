"""HR's search of a call's applications: a small query language compiled to SQL.

    memory "working memory" status:under_review country:FR kw:synapse
    reviewer:"Ann Smith" tag:strong -tag:"check eligibility"

Words and quoted phrases search the reference, name, e-mail, institution, title and
keywords; `field:value` filters on one field; a leading `-` negates a term; all terms must
hold. Fields that belong to features above this one (the reviewers of an application come
from the assignment) are registered by those features with `register_field`. Stages will
register `stage` the same way; until then `stage:` is refused with a message that says so.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, func, not_, or_, select

from icm_recruit.applications import rules
from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    ApplicationTag,
)
from icm_recruit.auth.models import User
from icm_recruit.core.i18n import lazy_gettext as _l

MAX_QUERY_LENGTH = 300
MAX_TERMS = 20
_TERM = re.compile(r'(?P<neg>-)?(?:(?P<field>[A-Za-z_]+):)?'
                   r'(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s"]+))')


class SearchError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Term:
    field: str | None  # None: free text
    value: str
    negated: bool = False


@dataclass(frozen=True)
class SearchField:
    condition: Callable[[str], ColumnElement[bool]]
    # HR's own data about the application (tags, reviewers): it never matches the
    # searcher's own application, so a search reveals nothing about it.
    private: bool = False


_FIELDS: dict[str, SearchField] = {}
_ALIASES: dict[str, str] = {}


def register_field(name: str, condition, *, private: bool = False, aliases=()) -> None:
    """Let `name:value` filter applications with condition(value), an SQL condition."""
    _FIELDS[name] = SearchField(condition, private)
    for alias in (name, *aliases):
        _ALIASES[alias] = name


def normalise_tag(raw: str) -> str:
    """A tag as stored: lower case, single spaces (tags.py refuses those too long)."""
    return " ".join((raw or "").split()).lower()


def parse(query: str) -> list[Term]:
    """Split a query into terms, or raise SearchError with a message for the user."""
    query = (query or "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise SearchError(_l("The search is too long: %(n)d characters at most.",
                             n=MAX_QUERY_LENGTH))
    terms, position = [], 0
    while (position := _skip_spaces(query, position)) < len(query):
        match = _TERM.match(query, position)
        if match is None:
            raise SearchError(_l("A quotation mark is not closed."))
        terms.append(_term(match))
        position = match.end()
    if len(terms) > MAX_TERMS:
        raise SearchError(_l("The search has too many terms: %(n)d at most.", n=MAX_TERMS))
    return [term for term in terms if term.value]


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _term(match: re.Match) -> Term:
    negated = bool(match["neg"])
    value = match["quoted"] if match["quoted"] is not None else match["bare"]
    if match["field"] is None:
        head, colon, rest = value.partition(":")
        if colon and not rest and re.fullmatch(r"[A-Za-z_]+", head):
            raise SearchError(_l("Give a value after “%(field)s:”.", field=head))
        return Term(None, value.strip(), negated)
    name = match["field"].lower()
    field = _ALIASES.get(name)
    if field is None:
        raise SearchError(_l("Unknown filter “%(field)s:”. Filters: %(known)s.", field=name,
                             known=", ".join(f"{f}:" for f in sorted(_FIELDS))))
    if not value.strip():
        raise SearchError(_l("Give a value after “%(field)s:”.", field=name))
    return Term(field, value.strip(), negated)


def _contains(column, value: str) -> ColumnElement[bool]:
    return func.lower(func.coalesce(column, "")).contains(value.lower(), autoescape=True)


def free_text(value: str) -> ColumnElement[bool]:
    """The word or phrase is in the reference, name, e-mail, institution, title or keywords."""
    return or_(*(_contains(column, value) for column in (
        Application.reference, User.name, User.email, Application.institution,
        Application.title, Application.keywords)))


def conditions(terms: list[Term], user) -> list[ColumnElement[bool]]:
    """SQL conditions, one per term, for a select of applications joined to their applicant."""
    result = []
    for term in terms:
        if term.field is None:
            condition = free_text(term.value)
        else:
            field = _FIELDS[term.field]
            condition = field.condition(term.value)
            if field.private:
                condition = and_(rules.hr_handles(user), condition)
        result.append(not_(condition) if term.negated else condition)
    return result


def search_conditions(query: str, user) -> list[ColumnElement[bool]]:
    """Parse and compile a query, or raise SearchError with a message for the user."""
    return conditions(parse(query), user)


def _status(value: str) -> ColumnElement[bool]:
    known = {s.value: s for s in ApplicationStatus}
    status = known.get(value.lower())
    if status is None:
        raise SearchError(_l("Unknown status “%(value)s”. Statuses: %(known)s.", value=value,
                             known=", ".join(sorted(known))))
    return Application.status == status


def _country(value: str) -> ColumnElement[bool]:
    if not re.fullmatch(r"[A-Za-z]{2}", value):
        raise SearchError(_l("A country is its two-letter code, such as country:FR."))
    return Application.country == value.upper()


def _stage(value: str) -> ColumnElement[bool]:
    if not re.fullmatch(r"[1-9]", value):
        raise SearchError(_l("A stage is its number, such as stage:2."))
    return Application.stage == int(value)


def has_tag(tag: str) -> ColumnElement[bool]:
    return exists(select(ApplicationTag.id).where(
        ApplicationTag.application_id == Application.id,
        ApplicationTag.tag == normalise_tag(tag)))


register_field("status", _status)
register_field("country", _country)
register_field("stage", _stage)
register_field("kw", lambda value: _contains(Application.keywords, value),
               aliases=("keyword", "keywords"))
register_field("tag", has_tag, private=True)
