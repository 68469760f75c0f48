"""Self-declared gender and career stage, given with consent, reported only in aggregates.

The answers belong to one application. Nothing is stored without the applicant's consent;
withdrawing it deletes the answers. Board members and reviewers never see them: HR and the
chair read counts per stage, with every cell under K_MIN people hidden.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from icm_recruit.applications.models import (
    Application,
    ApplicationStage,
    ApplicationStatus,
)
from icm_recruit.calls.models import Call
from icm_recruit.core import audit
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.states import StateEnum
from icm_recruit.core.timeutil import UTCDateTime, utcnow
from icm_recruit.extensions import db

K_MIN = 5  # the smallest count a cell of the report may show


class Gender(StateEnum):
    WOMAN = "woman"
    MAN = "man"
    NON_BINARY = "non_binary"
    UNSAID = "unsaid"


Gender.define(labels={
    Gender.WOMAN: _l("Woman"),
    Gender.MAN: _l("Man"),
    Gender.NON_BINARY: _l("Non-binary"),
    Gender.UNSAID: _l("Prefer not to say"),
})


class CareerStage(StateEnum):
    """The European framework's researcher profiles (R2 to R4)."""

    RECOGNISED = "r2"
    ESTABLISHED = "r3"
    LEADING = "r4"
    UNSAID = "unsaid"


CareerStage.define(labels={
    CareerStage.RECOGNISED: _l("Recognised researcher (R2)"),
    CareerStage.ESTABLISHED: _l("Established researcher (R3)"),
    CareerStage.LEADING: _l("Leading researcher (R4)"),
    CareerStage.UNSAID: _l("Prefer not to say"),
})


class EqualityAnswer(db.Model):
    """One applicant's answers for one application, kept only while they consent."""

    __tablename__ = "equality_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    gender: Mapped[str] = mapped_column(String(20))
    career_stage: Mapped[str] = mapped_column(String(20))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def answer_of(application: Application) -> EqualityAnswer | None:
    return db.session.scalar(select(EqualityAnswer).where(
        EqualityAnswer.application_id == application.id))


def save_answers(application: Application, *, gender: str, career_stage: str, by) -> None:
    """Keep the answers, given with consent (the audit trail never holds them)."""
    answer = answer_of(application) or EqualityAnswer(application_id=application.id)
    answer.gender, answer.career_stage = Gender(gender).value, CareerStage(career_stage).value
    answer.consented_at = utcnow()
    db.session.add(answer)
    audit.record("equality.answered", actor=by, obj=application)
    db.session.flush()


def withdraw_consent(application: Application, *, by) -> bool:
    """Delete the answers; return whether there were any."""
    answer = answer_of(application)
    if answer is None:
        return False
    db.session.delete(answer)
    audit.record("equality.consent_withdrawn", actor=by, obj=application)
    db.session.flush()
    return True


def erase_answers(application: Application) -> int:
    """Delete the answers with the rest of the applicant's personal data."""
    answer = answer_of(application)
    if answer is None:
        return 0
    db.session.delete(answer)
    return 1


def export_record(application: Application) -> dict | None:
    answer = answer_of(application)
    if answer is None:
        return None
    return {"gender": answer.gender, "career_stage": answer.career_stage,
            "consented_at": answer.consented_at.isoformat()}


# The report ----------------------------------------------------------------------------


def _counts(call: Call, column) -> dict[tuple[str, int], int]:
    """(answer, row) -> people: row 0 the submitted applications, row n those who reached
    stage n (stage 1: the eligible ones)."""
    join = EqualityAnswer.application_id == Application.id
    in_call = Application.call_id == call.id
    first = db.session.execute(
        select(column, func.count().filter(Application.submitted_at.is_not(None)),
               func.count().filter(Application.status.in_(ApplicationStatus.eligible),
                                   Application.screened_at.is_not(None)))
        .join(Application, join).where(in_call).group_by(column)).all()
    later = db.session.execute(
        select(column, ApplicationStage.stage, func.count())
        .join(Application, join)
        .join(ApplicationStage, ApplicationStage.application_id == Application.id)
        .where(in_call, ApplicationStage.stage > 1, ApplicationStage.opened_at.is_not(None))
        .group_by(column, ApplicationStage.stage)).all()
    counts = {}
    for value, submitted, eligible in first:
        counts[(value, 0)], counts[(value, 1)] = submitted, eligible
    for value, stage, n in later:
        counts[(value, stage)] = n
    return counts


def suppress(values: list[int]) -> list[int | None]:
    """Hide every cell under K_MIN (None); when only one is hidden, hide the next smallest
    too, so that no hidden cell can be found by subtraction from the row's total."""
    shown = [n if n >= K_MIN else None for n in values]
    hidden = [i for i, n in enumerate(shown) if n is None]
    if len(hidden) == 1 and len(values) > 1:
        rest = [i for i, n in enumerate(shown) if n is not None]
        smallest = min(rest, key=lambda i: values[i])
        shown[smallest] = None
    return shown


def suppress_table(matrix: list[list[int]]) -> list[list[int | None]]:
    """Suppress a funnel table whose rows are nested (each row's people are among those of
    the row above): each row as `suppress` does, and in each column no two shown cells may
    differ by less than K_MIN unless equal, since their difference counts the people who
    stopped between the two rows; the lower cell is hidden then. Repeated until stable."""
    shown = [suppress(row) for row in matrix]
    changed = True
    while changed:
        changed = False
        for col in range(len(matrix[0]) if matrix else 0):
            kept = [r for r in range(len(matrix)) if shown[r][col] is not None]
            for upper, lower in zip(kept, kept[1:], strict=False):
                if 0 < matrix[upper][col] - matrix[lower][col] < K_MIN:
                    shown[lower][col] = None
                    changed = True
                    break
        for r, row in enumerate(shown):
            hidden = [i for i, n in enumerate(row) if n is None]
            if len(hidden) == 1 and len(row) > 1:
                rest = [i for i, n in enumerate(row) if n is not None]
                row[min(rest, key=lambda i: matrix[r][i])] = None
                changed = True
    return shown


def _table(call: Call, enum, column) -> dict:
    counts = _counts(call, column)
    labels = [(_("Applications submitted"), 0)]
    if call.is_staged:
        labels += [(_("Stage %(n)s: %(name)s", n=position, name=call.stage_name(position)),
                    position) for position in range(1, call.stage_count + 1)]
    else:
        labels.append((_("Eligible"), 1))
    matrix = [[counts.get((member.value, row), 0) for member in enum] for _label, row in labels]
    rows = [(label, cells) for (label, _row), cells in zip(labels, suppress_table(matrix),
                                                           strict=True)]
    return {"columns": [member.label for member in enum], "rows": rows}


def equality_report(call: Call) -> dict:
    """Counts per stage by gender and by career stage; no totals, small cells hidden."""
    return {"gender": _table(call, Gender, EqualityAnswer.gender),
            "career": _table(call, CareerStage, EqualityAnswer.career_stage),
            "k": K_MIN}
