"""State changes of calls; each audits itself, the caller commits."""

from datetime import datetime

from sqlalchemy import select

from icm_recruit.calls.models import Call, CallStatus, Criterion, call_by_slug, database_now
from icm_recruit.core import audit, locks
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.timeutil import paris_to_utc
from icm_recruit.extensions import db

SLUG_UNIQUE = "uq_call_slug"
CALL_FIELDS = ("slug", "title_en", "title_fr", "description_en", "description_fr",
               "reviewers_per_application", "referees_required", "summary_word_limit")


class CallError(DomainError):
    """A problem HR can fix; `code` says which."""

    messages = {
        "slug_taken": _l("Another call already uses this short name."),
        "not_editable": _l("This call can no longer be edited."),
        "bad_transition": _l("The call cannot move to this state now."),
        "incomplete": _l("Add criteria and required documents before opening the call."),
    }


def _apply(call: Call, data: dict, *, opens_local: datetime, closes_local: datetime,
           document_rules: list[dict], criteria: list[dict]) -> None:
    with db.session.no_autoflush:
        other = call_by_slug(data["slug"].strip())
    if other is not None and other is not call:
        raise CallError("slug_taken")
    for name in CALL_FIELDS:
        value = data[name]
        setattr(call, name, value.strip() if isinstance(value, str) else value)
    call.opens_at = paris_to_utc(opens_local)
    call.closes_at = paris_to_utc(closes_local)
    call.document_rules = document_rules
    _replace_criteria(call, criteria)


def _replace_criteria(call: Call, rows: list[dict]) -> None:
    """Update criteria in place by id, add new ones, drop the ones left out."""
    existing = {c.id: c for c in call.criteria}
    kept = []
    for position, row in enumerate(rows):
        criterion = existing.get(row.get("id")) or Criterion()
        for key, value in row.items():
            if key != "id":
                setattr(criterion, key, value)
        criterion.position = position
        kept.append(criterion)
    call.criteria[:] = kept


def replace_stage_criteria(call: Call, position: int, rows: list[dict]) -> None:
    """The review form of a later stage: update its criteria by id, add, drop the others.

    An empty list leaves the stage with the first stage's form.
    """
    stage = call.stage(position)
    existing = {c.id: c for c in stage.own_criteria}
    kept = set()
    for index, row in enumerate(rows):
        criterion = existing.get(row.get("id"))
        if criterion is None:
            criterion = Criterion(call_id=call.id, stage=position)
            db.session.add(criterion)
        for key, value in row.items():
            if key != "id":
                setattr(criterion, key, value)
        criterion.position = index
        kept.add(criterion.id)
    for criterion_id, criterion in existing.items():
        if criterion_id not in kept:
            db.session.delete(criterion)
    db.session.flush()
    db.session.expire(stage, ["own_criteria"])


def create_call(data: dict, *, by, **parts) -> Call:
    call = Call(status=CallStatus.DRAFT, created_by_id=by.id)
    _apply(call, data, **parts)
    if not locks.inserted(call, constraint=SLUG_UNIQUE):  # the same name saved a moment ago
        raise CallError("slug_taken")
    audit.record("call.created", actor=by, obj=call, slug=call.slug)
    return call


def update_call(call: Call, data: dict, *, by, **parts) -> Call:
    """Save the call's form; the row is locked first, so two saves at once replace the
    criteria one after the other instead of adding the new ones twice."""
    call = locks.lock(Call, call.id)
    if not call.is_editable():
        raise CallError("not_editable")
    _apply(call, data, **parts)
    db.session.flush()
    audit.record("call.updated", actor=by, obj=call, slug=call.slug,
                 closes_at=call.closes_at.isoformat())
    return call


def set_chair_rights(call: Call, *, runs_selection: bool, by) -> bool:
    """Let the chair plan the call's visits and record its decisions, or stop them.

    Return whether anything changed; the same answer sent twice changes nothing.
    """
    call = locks.lock(Call, call.id)
    if call.chair_runs_selection == runs_selection:
        return False
    call.chair_runs_selection = runs_selection
    db.session.flush()
    audit.record("call.chair_rights_changed", actor=by, obj=call,
                 runs_selection=runs_selection)
    return True


def change_call_status(call: Call, to: CallStatus, *, by) -> Call:
    """Move the call one step along its life; refuse any other move (also the same move
    sent twice: the row is locked first, so the second sees the step already made)."""
    call = locks.lock(Call, call.id)
    if call.next_status != to:
        raise CallError("bad_transition")
    if to == CallStatus.OPEN and (not call.criteria or not call.document_rules):
        raise CallError("incomplete")
    before = call.status
    call.status = to
    db.session.flush()
    audit.record("call.status_changed", actor=by, obj=call, before=before.value, after=to.value)
    return call


def close_due_calls() -> list[int]:
    """Close every open call whose closing time has passed; return their ids."""
    now = database_now()
    due = db.session.scalars(
        select(Call).where(Call.status == CallStatus.OPEN, Call.closes_at <= now)
        .with_for_update(skip_locked=True)).all()
    for call in due:
        call.status = CallStatus.CLOSED
        audit.record("call.status_changed", obj=call, before="open", after="closed",
                     reason="deadline")
    db.session.flush()
    return [call.id for call in due]
