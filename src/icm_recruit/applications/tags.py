"""HR's free tags on applications and their saved searches: every change an operation.

Tags are HR's working notes ('strong', 'check eligibility'): created on the fly, stored
normalised, audited, never shown to applicants or board members, and never put on or read
from an HR administrator's own application.
"""

from sqlalchemy import delete, select

from icm_recruit.applications import rules
from icm_recruit.applications.models import (
    TAG_MAX_LENGTH,
    Application,
    ApplicationTag,
    SavedSearch,
)
from icm_recruit.applications.search import normalise_tag
from icm_recruit.core.audit import record
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.locks import inserted
from icm_recruit.extensions import db

SAVED_SEARCH_KEYS = ("q", "status", "country", "tag", "sort")


class TagError(DomainError):
    messages = {
        "own_application": rules.OWN_APPLICATION_MESSAGE,
        "forbidden": _l("You cannot do this on this application."),
        "empty": _l("Write the tag to add or remove."),
        "too_long": _l("A tag has %(n)d characters at most.", n=TAG_MAX_LENGTH),
        "none_selected": _l("Select at least one application in the list."),
        "no_name": _l("Give the search a name."),
    }


def _checked_tag(raw: str) -> str:
    tag = normalise_tag(raw)
    if not tag:
        raise TagError("empty")
    if len(tag) > TAG_MAX_LENGTH:
        raise TagError("too_long")
    return tag


def _require_hr_on(application: Application, by) -> None:
    if rules.is_applicant(by, application):
        raise TagError("own_application")
    if not rules.can_act_as_hr_on(by, application):
        raise TagError("forbidden")


def add_tag(application: Application, raw: str, *, by) -> bool:
    """Put the tag on the application; False when it already had it."""
    _require_hr_on(application, by)
    tag = _checked_tag(raw)
    row = ApplicationTag(application_id=application.id, tag=tag, created_by_id=by.id)
    if db.session.scalar(select(ApplicationTag.id).where(
            ApplicationTag.application_id == application.id, ApplicationTag.tag == tag)) \
            or not inserted(row, constraint="uq_application_tag_application_id_tag"):
        return False
    record("application.tagged", actor=by, obj=application, tag=tag)
    return True


def remove_tag(application: Application, raw: str, *, by) -> bool:
    """Take the tag off the application; False when it did not have it."""
    _require_hr_on(application, by)
    tag = _checked_tag(raw)
    removed = db.session.execute(delete(ApplicationTag).where(
        ApplicationTag.application_id == application.id, ApplicationTag.tag == tag)).rowcount
    if removed:
        record("application.untagged", actor=by, obj=application, tag=tag)
    db.session.flush()
    return bool(removed)


def tag_many(applications: list[Application], raw: str, *, add: bool, by) -> int:
    """Add (or remove) the tag on every application; return how many changed."""
    if not applications:
        raise TagError("none_selected")
    _checked_tag(raw)
    for application in applications:  # refuse the whole batch before changing anything
        _require_hr_on(application, by)
    change = add_tag if add else remove_tag
    return sum(change(application, raw, by=by) for application in applications)


def save_search(call_id: int, name: str, params: dict, *, by) -> SavedSearch:
    """Save the list's filters under a name of the user's, replacing one of that name."""
    name = " ".join((name or "").split())[:80]
    if not name:
        raise TagError("no_name")
    kept = {key: str(params.get(key, ""))[:300] for key in SAVED_SEARCH_KEYS
            if params.get(key)}
    saved = db.session.scalar(select(SavedSearch).where(
        SavedSearch.user_id == by.id, SavedSearch.call_id == call_id, SavedSearch.name == name))
    if saved is None:
        saved = SavedSearch(user_id=by.id, call_id=call_id, name=name, params=kept)
        if not inserted(saved, constraint="uq_saved_search_user_id_call_id_name"):
            return save_search(call_id, name, params, by=by)
    saved.params = kept
    db.session.flush()
    return saved


def delete_search(call_id: int, search_id: int, *, by) -> bool:
    """Delete one of the user's saved searches of the call; False if there is none such."""
    return bool(db.session.execute(delete(SavedSearch).where(
        SavedSearch.id == search_id, SavedSearch.call_id == call_id,
        SavedSearch.user_id == by.id)).rowcount)
